"""One import at a time per database.

Two imports of one tree at once race for the same slugs and, on SQLite, for the
one write lock. The second import waits for the first, up to a limit, and is
then refused with ImportBusy. PostgreSQL has advisory locks for this; SQLite
has none, so a lock file beside the database (flock) stands in for one.
"""

import contextlib
import fcntl
import hashlib
import os
import tempfile
import time
from pathlib import Path

from django.db import connection

_KEY = 0x6E657773  # the advisory lock's number: "news"
_POLL = 0.2


class ImportBusy(Exception):
    """Another import holds the lock."""

    def __init__(self, waited):
        super().__init__(
            "another import is running on this database"
            + (f"; waited {waited:g} s for it to finish" if waited else "")
            + ". Try again when it has finished."
        )


@contextlib.contextmanager
def import_lock(*, wait=0.0):
    """Hold the import lock of the default database for the block; wait up to
    ``wait`` seconds for it, then raise ImportBusy."""
    lock = _Advisory() if connection.vendor == "postgresql" else _LockFile()
    deadline = time.monotonic() + wait
    while not lock.acquire():
        if time.monotonic() >= deadline:
            lock.close()
            raise ImportBusy(wait)
        time.sleep(_POLL)
    try:
        yield
    finally:
        lock.release()


class _Advisory:
    def acquire(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [_KEY])
            return cursor.fetchone()[0]

    def release(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_KEY])

    def close(self):
        pass


class _LockFile:
    def __init__(self):
        self.file = _lock_path().open("a")

    def acquire(self):
        try:
            fcntl.flock(self.file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def release(self):
        fcntl.flock(self.file, fcntl.LOCK_UN)
        self.close()

    def close(self):
        self.file.close()


def _lock_path():
    name = str(connection.settings_dict["NAME"])
    in_memory = name in ("", ":memory:") or name.startswith("file:")
    if not in_memory and Path(name).parent.is_dir():
        return Path(f"{name}.import-lock")
    # An in-memory database (the tests') lives in this process only.
    digest = hashlib.sha256(f"{os.getpid()} {name}".encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"newsdesk-{digest}.import-lock"
