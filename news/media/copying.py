"""Move media between storages, e.g. from local disk to S3.

Image files are named by their content hash, renditions by the hash and their
width, and the database stores names relative to the storage, so copying the
files is the whole move: each URL follows the storage in use. The one exception
is the HTML stored with each post, which holds the URLs of its inline images and
their renditions as they were when it was rendered; ``copy_media()`` renders it
again under the current storage.
"""

from dataclasses import dataclass, field
from itertools import chain

from django.core.files.storage import default_storage

from ..models import Image, Post, PostImage, Rendition
from .images import STORAGE_ERRORS, StorageError
from .renditions import rerender


@dataclass
class CopyReport:
    copied: int = 0
    present: int = 0
    missing: list = field(default_factory=list)
    refreshed: int = 0

    @property
    def ok(self):
        return not self.missing

    def summary(self):
        return (
            f"{self.copied} copied, {self.present} already there, "
            f"{len(self.missing)} missing from the source; "
            f"stored HTML of {self.refreshed} posts updated"
        )


def copy_media(source, target=default_storage, *, progress=None):
    """Copy every image and rendition file the database names from ``source``
    to ``target``, skipping those already there, then refresh the posts' stored
    HTML; return a CopyReport. ``progress(name)`` is called after each file."""
    report = CopyReport()
    images = Image.objects.order_by("pk").values_list("file", flat=True)
    renditions = Rendition.objects.order_by("pk").values_list("file", flat=True)
    for name in chain(images.iterator(), renditions.iterator()):
        try:
            copy_file(source, target, name, report)
        except STORAGE_ERRORS as exc:
            raise StorageError(f"could not copy {name}: {exc}") from exc
        if progress:
            progress(name)
    with_images = Post.objects.filter(pk__in=PostImage.objects.values("post"))
    report.refreshed = rerender(with_images)
    return report


def copy_file(source, target, name, report):
    if not source.exists(name):
        if target.exists(name):
            report.present += 1
        else:
            report.missing.append(name)
        return
    # A file already in the target is kept only if it is as long as the
    # source's: one left short by an interrupted copy is copied again.
    if target.exists(name):
        if target.size(name) == source.size(name):
            report.present += 1
            return
        target.delete(name)
    with source.open(name, "rb") as fh:
        saved = target.save(name, fh)
    if saved != name:
        raise StorageError(f"{name} was stored as {saved}")
    report.copied += 1
