"""Where imported posts came from, so that export gives the same bytes back,
and the admin's import jobs."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .content import Post


class SourceFile(models.Model):
    """Where an imported post came from, kept so export gives the same bytes back."""

    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="source")
    path = models.CharField(max_length=1000, unique=True)
    front = models.TextField(
        blank=True, help_text="The front matter exactly as written."
    )
    format = models.CharField(max_length=10, blank=True)
    bom = models.BooleanField(default=False)
    newline = models.CharField(max_length=2, default="\n")
    digest = models.CharField(max_length=64, help_text="SHA-256 of the file.")
    image_digests = models.JSONField(
        default=dict,
        help_text="Every place an image was looked for, with the SHA-256 found there "
        "(null where nothing was): a change there means the post changed.",
    )
    snapshot = models.JSONField(
        default=dict,
        help_text="The post's fields as imported, to tell later edits apart.",
    )
    field_map = models.JSONField(
        default=dict,
        blank=True,
        help_text="The keys the import mapped to fields (--map), so that export "
        "writes each field back under its key.",
    )
    author_keys = models.JSONField(
        default=dict,
        blank=True,
        help_text="Authors the file named by a key of its site's authors.yml "
        "(name -> key), so that export writes the keys back.",
    )
    imported_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.path


class ImportJob(models.Model):
    """An uploaded archive imported on a worker, with its progress and report.

    The admin's import view stores the upload and queues the job; the task in
    news.documents.importer.jobs runs it, writing how far it got after each
    file, so the progress page can show it and a restarted worker resumes it.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    # Kept in the media storage under an unguessable name that the local media
    # view refuses to serve, and deleted when the job ends.
    archive = models.FileField(upload_to="imports/", max_length=200, blank=True)
    name = models.CharField(max_length=255, help_text="The uploaded file's name.")
    options = models.JSONField(
        default=dict, help_text="The import form's choices: status, site root..."
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    files_total = models.PositiveIntegerField(default=0)
    files_done = models.PositiveIntegerField(default=0)
    current_file = models.CharField(max_length=1000, blank=True)
    report = models.JSONField(
        default=dict, help_text="The running report (Report.as_dict())."
    )
    error = models.TextField(blank=True)
    cancelled = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="import_jobs",
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"import of {self.name}"

    @property
    def finished(self):
        return self.status in (
            self.Status.DONE,
            self.Status.FAILED,
            self.Status.CANCELLED,
        )
