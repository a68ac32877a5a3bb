"""Where imported posts came from, so that export gives the same bytes back."""

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
    imported_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.path
