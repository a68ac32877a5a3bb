"""Media files that no row refers to: left by an import killed between writing
a file and committing its row, or by a partial write (``.tmp-...``); and
social cards and crops that no page shows any more (a title, a focal point or
the theme changed since: news.media.social.current_names()).

Only the folders Newsdesk manages (``images/``, ``renditions/`` and
``social/``) are looked at, and only files older than a grace period,
because an import running now writes its files before it commits their rows.
A file is looked up again just before it is deleted. ``purge_task`` runs the
same on a worker; running it again only finds fewer files, so a run killed
half way is finished by the next.
"""

import functools
import posixpath
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.storage import default_storage
from django.utils import timezone
from django_tasks import task

from ..models import Image, Rendition
from . import social
from .images import STORAGE_ERRORS, StorageError

MANAGED_FOLDERS = ("images", "renditions", "social")
DEFAULT_GRACE = timedelta(hours=1)


@dataclass
class Orphan:
    name: str
    size: int


@dataclass
class PurgeReport:
    orphans: list = field(default_factory=list)
    removed: list = field(default_factory=list)

    @property
    def bytes(self):
        return sum(orphan.size for orphan in self.orphans)


def _walk(storage, folder):
    if not storage.exists(folder):
        return
    folders, files = storage.listdir(folder)
    for name in sorted(files):
        yield posixpath.join(folder, name)
    for name in sorted(folders):
        yield from _walk(storage, posixpath.join(folder, name))


def _referenced(name, shown):
    """Whether a row names ``name``, or, for a social card or crop, whether it
    is among ``shown()`` (news.media.social.current_names())."""
    if name.startswith("social/"):
        return name in shown()
    return (
        Image.objects.filter(file=name).exists()
        or Rendition.objects.filter(file=name).exists()
    )


def find(*, grace=DEFAULT_GRACE, storage=default_storage):
    """Return the Orphans in the managed folders: files no Image or Rendition
    names that were last written more than ``grace`` ago."""
    cutoff = timezone.now() - grace
    known = set(Image.objects.values_list("file", flat=True))
    known.update(Rendition.objects.values_list("file", flat=True))
    known.update(social.current_names())
    orphans = []
    try:
        for folder in MANAGED_FOLDERS:
            for name in _walk(storage, folder):
                if name in known or storage.get_modified_time(name) > cutoff:
                    continue
                orphans.append(Orphan(name, storage.size(name)))
    except STORAGE_ERRORS as exc:
        raise StorageError(f"could not list the media storage: {exc}") from exc
    return orphans


def purge(*, grace=DEFAULT_GRACE, dry_run=False, storage=default_storage):
    """Find the orphans and, unless ``dry_run``, delete them; return a
    PurgeReport. A file that a row has come to name meanwhile is kept."""
    report = PurgeReport(orphans=find(grace=grace, storage=storage))
    if dry_run:
        return report
    # Looked up again once, if any card or crop is to go.
    shown = functools.cache(social.current_names)
    for orphan in report.orphans:
        if _referenced(orphan.name, shown):
            continue
        try:
            storage.delete(orphan.name)
        except STORAGE_ERRORS as exc:
            raise StorageError(f"could not delete {orphan.name}: {exc}") from exc
        report.removed.append(orphan)
    return report


@task()
def purge_task(grace_seconds):
    """Remove the orphans last written more than ``grace_seconds`` ago, on a
    worker; return how many files and bytes went."""
    report = purge(grace=timedelta(seconds=grace_seconds))
    return {
        "files": len(report.removed),
        "bytes": sum(orphan.size for orphan in report.removed),
    }
