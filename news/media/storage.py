"""The local media storage: Django's FileSystemStorage, writing atomically.

A file is written under a temporary name in its own folder and renamed into
place once complete, so a full disk or a killed process never leaves a short
file under a real name: either the whole file is there, or nothing is (and, at
worst, a temporary file that ``news.media.orphans`` removes). S3 uploads are
atomic already and need none of this.

A temporary name says which process writes it (a hash of the host and the
process id), so that a task run again after its worker was killed can remove
what that worker left half written (``remove_abandoned()``).
"""

import hashlib
import os
import posixpath
import re
import secrets
import socket
from pathlib import Path

from django.core.files.storage import FileSystemStorage

TEMPORARY_PREFIX = ".tmp-"
# .tmp-<host hash>-<pid>-<random>-<name>
_WRITER = re.compile(r"\.tmp-([0-9a-f]{8})-(\d+)-[0-9a-f]+-(.+)")


def is_temporary(name):
    """Return whether the stored ``name`` is a file still being written."""
    return posixpath.basename(name).startswith(TEMPORARY_PREFIX)


def _host():
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]


def process_alive(pid):
    """Whether process ``pid`` of this host is running (someone else's counts).
    A zombie, killed but not yet reaped by its parent, writes nothing more:
    it is not running."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc here: what kill() said
    return stat.rpartition(")")[2].split()[0] != "Z"


class AtomicFileSystemStorage(FileSystemStorage):
    """A FileSystemStorage whose files appear under their name only when whole."""

    def _save(self, name, content):
        folder, base = posixpath.split(name)
        temporary = posixpath.join(
            folder,
            f"{TEMPORARY_PREFIX}{_host()}-{os.getpid()}-{secrets.token_hex(4)}-{base}",
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

    def remove_abandoned(self, name):
        """Delete the temporary files of ``name`` whose writer, a process of
        this host, is gone (killed mid-write); return how many."""
        folder, base = posixpath.split(name)
        try:
            entries = os.listdir(self.path(folder or "."))
        except FileNotFoundError:
            return 0
        removed = 0
        for entry in entries:
            match = _WRITER.fullmatch(entry)
            if not match or match[3] != base or match[1] != _host():
                continue
            if int(match[2]) != os.getpid() and process_alive(int(match[2])):
                continue
            try:
                os.unlink(self.path(posixpath.join(folder, entry)))
            except FileNotFoundError:
                continue
            removed += 1
        return removed
