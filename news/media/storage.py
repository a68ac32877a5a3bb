"""The local media storage: Django's FileSystemStorage, writing atomically.

A file is written under a temporary name in its own folder and renamed into
place once complete, so a full disk or a killed process never leaves a short
file under a real name: either the whole file is there, or nothing is (and, at
worst, a temporary file that ``news.media.orphans`` removes). S3 uploads are
atomic already and need none of this.
"""

import os
import posixpath
import secrets

from django.core.files.storage import FileSystemStorage

TEMPORARY_PREFIX = ".tmp-"


def is_temporary(name):
    """Return whether the stored ``name`` is a file still being written."""
    return posixpath.basename(name).startswith(TEMPORARY_PREFIX)


class AtomicFileSystemStorage(FileSystemStorage):
    """A FileSystemStorage whose files appear under their name only when whole."""

    def _save(self, name, content):
        folder, base = posixpath.split(name)
        temporary = posixpath.join(
            folder, f"{TEMPORARY_PREFIX}{secrets.token_hex(8)}-{base}"
        )
        try:
            written = super()._save(temporary, content)
        except BaseException:
            # A failed write (a full disk) leaves its part: drop it.
            if os.path.lexists(self.path(temporary)):
                os.unlink(self.path(temporary))
            raise
        source = self.path(written)
        try:
            with open(source, "rb") as handle:
                os.fsync(handle.fileno())
            while True:
                try:
                    # link() refuses an existing name, as O_EXCL does for the
                    # plain storage: a name taken meanwhile gets another one.
                    os.link(source, self.path(name))
                except FileExistsError:
                    name = self.get_available_name(name)
                else:
                    break
        finally:
            os.unlink(source)
        return name
