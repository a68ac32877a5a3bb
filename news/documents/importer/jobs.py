"""Admin uploads imported on the task workers, as ImportJobs.

``start()`` stores the uploaded archive and queues ``run_task``, so the upload
returns at once; ``run()`` imports the archive file by file, writing to the job
after each file how far it got, the file it is on and the running report, and
asks between files whether the job was cancelled.

A job survives its worker: run again (a worker killed and restarted runs the
task again), it goes on after the files it had recorded as done, with the
report they made, and the file it was on when killed is imported again (it
comes back unchanged if it had committed). The archive is deleted once the
job ends.
"""

import posixpath
import secrets

from django.core.files.storage import default_storage
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from ...models import ImportJob
from .importer import Importer
from .lock import ImportBusy
from .report import Outcome, Problem, Report
from .sources import SourceError, ZipSource

# How long a job waits for another import (the command line's) to finish.
LOCK_WAIT_SECONDS = 60.0
# The outcomes of a report as Report.as_dict() names them.
_OUTCOMES = {
    "created": Outcome.CREATED,
    "updated": Outcome.UPDATED,
    "unchanged": Outcome.UNCHANGED,
    "conflicts": Outcome.CONFLICT,
    "skipped": Outcome.SKIPPED,
    "failed": Outcome.FAILED,
}


def start(upload, *, options, user):
    """Store the uploaded .zip ``upload`` and queue its import with the
    Importer keyword arguments ``options`` (the import form's), run as
    ``user``; return the ImportJob.

    Raise SourceError if the archive cannot be read.
    """
    source = ZipSource(upload)
    try:
        total = sum(1 for _ in source.documents())
    finally:
        source.close()
    upload.seek(0)
    job = ImportJob(
        name=posixpath.basename(upload.name)[:255],
        options=options,
        created_by=user,
        files_total=total,
    )
    # An unguessable name in a folder that is never served (news.media.serving).
    job.archive.save(f"{secrets.token_hex(16)}.zip", upload, save=False)
    job.save()
    run_task.enqueue(job.pk)
    return job


def cancel(job):
    """Ask the worker to stop ``job`` after the file it is on."""
    ImportJob.objects.filter(pk=job.pk).update(cancelled=True)
    if job.status == ImportJob.Status.QUEUED:
        # Not started: nothing to wait for. A worker that picks it up ends it.
        ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.QUEUED).update(
            status=ImportJob.Status.CANCELLED, finished_at=timezone.now()
        )
        _delete_archive(job)


class _Progress:
    """The Importer's callbacks, writing to the job's row."""

    def __init__(self, job, importer, skip):
        self.job = job
        self.importer = importer
        self.skip = skip  # documents done by an earlier run of the job

    def starting(self, relpath):
        ImportJob.objects.filter(pk=self.job.pk).update(current_file=relpath[:1000])

    def progress(self, relpath):
        ImportJob.objects.filter(pk=self.job.pk).update(
            files_done=F("files_done") + 1,
            report=_as_dict(self.importer.report),
        )

    def cancelled(self):
        return ImportJob.objects.filter(pk=self.job.pk, cancelled=True).exists()


class _Resumed:
    """A source whose first ``skip`` documents an earlier run imported."""

    def __init__(self, source, skip):
        self.source = source
        self.skip = skip
        # Reported by the earlier run already.
        self.escaping = source.escaping if not skip else []
        self.duplicates = source.duplicates if not skip else []

    def documents(self):
        for index, relpath in enumerate(self.source.documents()):
            if index >= self.skip:
                yield relpath

    def __getattr__(self, name):
        return getattr(self.source, name)


def run(pk):
    """Import the archive of job ``pk``, as far as it has not been; return its
    status. Safe to run again: see the module docstring."""
    job = ImportJob.objects.select_related("created_by").get(pk=pk)
    if job.finished:
        return job.status
    if job.cancelled:
        return _end(job, ImportJob.Status.CANCELLED)
    skip = job.files_done if job.status == ImportJob.Status.RUNNING else 0
    ImportJob.objects.filter(pk=pk).update(
        status=ImportJob.Status.RUNNING, started_at=job.started_at or timezone.now()
    )
    importer = Importer(**job.options, user=job.created_by, wait=LOCK_WAIT_SECONDS)
    if skip:
        importer.report = _report(job.report, dry_run=importer.dry_run)
    watch = _Progress(job, importer, skip)
    importer.starting = watch.starting
    importer.progress = watch.progress
    importer.cancelled = watch.cancelled
    try:
        with default_storage.open(job.archive.name, "rb") as archive:
            source = ZipSource(archive)
            report = importer.run([_Resumed(source, skip)])
    except (ImportBusy, SourceError, ValueError, OSError) as exc:
        # Another import held the lock too long, or the archive (or its site
        # root) cannot be read: the job says why.
        job.refresh_from_db()
        return _end(job, ImportJob.Status.FAILED, error=str(exc))
    job.refresh_from_db()
    job.report = _as_dict(report)
    status = ImportJob.Status.CANCELLED if importer.stopped else ImportJob.Status.DONE
    return _end(job, status)


@task()
def run_task(pk):
    """Run import job ``pk`` on a worker (see ``run()``)."""
    return run(pk)


def _end(job, status, *, error=""):
    job.status = status
    job.error = error
    job.current_file = ""
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "current_file", "finished_at", "report"])
    _delete_archive(job)
    return status


def _delete_archive(job):
    if job.archive.name:
        default_storage.delete(job.archive.name)


def _as_dict(report):
    data = report.as_dict()
    data["summary"] = report.summary()
    return data


def _report(data, *, dry_run):
    """Return the Report an earlier run of a job had written (as_dict())."""
    report = Report(dry_run=dry_run, seconds=data.get("seconds", 0.0))
    for key, outcome in _OUTCOMES.items():
        if data.get(key):
            report.outcomes[outcome] = data[key]
    fields = set(Problem.__dataclass_fields__)
    report.problems = [
        Problem(**{k: v for k, v in problem.items() if k in fields})
        for problem in data.get("problems", [])
    ]
    return report
