"""Where an import reads from: a directory, one file, a zip archive or an
upload, each addressed by normalised POSIX paths relative to the import root."""

import os
import posixpath
import zipfile
import zlib
from pathlib import Path

from ...slugs import is_root, normalise
from .report import ImportFailure

# .mdx files are read so that the report can name them; the importer skips
# them unless told to read them as Markdown.
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdx")
MB = 1024 * 1024


class SourceError(ValueError):
    """A path given to import that cannot be read as a source at all."""


class DirectorySource:
    def __init__(self, root):
        self.root = Path(root).resolve()
        self.label = str(root)
        # A site root outside the root: its path from the root ("../static")
        # and where it is. Paths under that prefix are read there.
        self.site: tuple[str, Path] | None = None

    def documents(self):
        # Walk folder by folder, so memory does not grow with the tree.
        for folder, dirs, files in os.walk(self.root):
            dirs.sort()
            for name in sorted(files):
                if name.lower().endswith(MARKDOWN_SUFFIXES):
                    yield (Path(folder) / name).relative_to(self.root).as_posix()

    def outside_site_root(self, path):
        """Read paths under ``path``, a directory outside the root, as
        ``<its path from the root>/...``; return that prefix."""
        prefix = Path(os.path.relpath(path, self.root)).as_posix()
        self.site = (prefix, path)
        return prefix

    def _locate(self, relpath):
        """Return the file ``relpath`` names, and the folder it must stay in."""
        if self.site and relpath.startswith(self.site[0] + "/"):
            prefix, base = self.site
            return base / relpath[len(prefix) + 1 :], base
        return self.root / relpath, self.root

    def exists(self, relpath):
        path, base = self._locate(relpath)
        try:
            if not path.is_file():
                return False
            # A symlink that points out of the root is treated as outside.
            return path.resolve().is_relative_to(base)
        except OSError:  # a name too long, a symlink loop: not a file to read
            return False

    def read(self, relpath, limit):
        path, base = self._locate(relpath)
        # Like a symlinked image, a document read through a symlink must stay
        # inside the root.
        if not path.resolve().is_relative_to(base):
            raise ImportFailure("a symlink to a file outside the import root")
        return read_file(path, limit)

    def close(self):
        pass


def too_large(limit, size=None, *, packed=False):
    shown = "more than that" if size is None else f"{size:,} bytes"
    return ImportFailure(
        f"the file is {shown}{' uncompressed' if packed else ''}; the limit is "
        f"{limit // MB} MB ({limit:,} bytes)"
    )


class _MemberSource:
    """Members of an archive or an upload, by normalised path (``members``)."""

    members: dict
    packed = False  # compressed members: sizes are said to be uncompressed
    # Members that leave the root, and names held by more than one member:
    # neither is imported, and each is reported.
    escaping: list
    duplicates: list

    def _add(self, name, member):
        if name in self.members or name in self.duplicates:
            self.members.pop(name, None)
            if name not in self.duplicates:
                self.duplicates.append(name)
        else:
            self.members[name] = member

    def _size(self, member) -> int:
        raise NotImplementedError

    def _read(self, member, size) -> bytes:
        raise NotImplementedError

    def documents(self):
        for name in sorted(self.members):
            if name.lower().endswith(MARKDOWN_SUFFIXES):
                yield name

    def exists(self, relpath):
        return relpath in self.members

    def read(self, relpath, limit):
        member = self.members[relpath]
        if (size := self._size(member)) > limit:
            raise too_large(limit, size, packed=self.packed)
        # Read one byte more than allowed: a member can be larger than it says.
        data = self._read(member, limit + 1)
        if len(data) > limit:
            raise too_large(limit, packed=self.packed)
        return data

    def close(self):
        pass


class ZipSource(_MemberSource):
    packed = True

    def __init__(self, archive):
        self.label = str(getattr(archive, "name", archive))
        try:
            self.zip = zipfile.ZipFile(archive)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise SourceError(f"not a readable zip archive ({exc})") from None
        self.members, self.escaping, self.duplicates = {}, [], []
        for info in self.zip.infolist():
            if info.is_dir():
                continue
            name = normalise(info.filename)
            if name is None:
                self.escaping.append(info.filename)
            else:
                self._add(name, info)

    def _size(self, info):
        return info.file_size

    def _read(self, info, size):
        try:
            with self.zip.open(info) as member:
                return member.read(size)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
            raise ImportFailure(f"cannot be read from the archive ({exc})") from None

    def close(self):
        self.zip.close()


class UploadSource(_MemberSource):
    """Files uploaded together (Markdown and images), side by side in one folder."""

    def __init__(self, files):
        self.label = "upload"
        self.members, self.escaping, self.duplicates = {}, [], []
        for upload in files:
            name = normalise(posixpath.basename(upload.name.replace("\\", "/")))
            if name:
                self._add(name, upload)

    def _size(self, upload):
        return upload.size

    def _read(self, upload, size):
        upload.seek(0)
        return upload.read(size)


def open_source(path):
    """Return the source for a directory, a zip archive or one Markdown file."""
    path = Path(path)
    if path.is_dir():
        return DirectorySource(path)
    if path.is_file() and path.suffix.lower() in MARKDOWN_SUFFIXES:
        return _SingleFile(path)
    if path.suffix.lower() == ".zip" or zipfile.is_zipfile(path):
        return ZipSource(path)
    raise SourceError("not a directory, a Markdown file or a zip archive")


class _SingleFile(DirectorySource):
    def __init__(self, path):
        super().__init__(Path(path).parent)
        self.label = str(path)
        self.only = Path(path).name

    def documents(self):
        yield self.only

    def read(self, relpath, limit):
        # The operator named this file, so it may be a symlink to anywhere.
        if relpath == self.only:
            return read_file(self.root / relpath, limit)
        return super().read(relpath, limit)


def read_file(path, limit):
    if (size := path.stat().st_size) > limit:
        raise too_large(limit, size)
    return path.read_bytes()


def site_root_within(source, site_root):
    """Return ``site_root`` relative to the source's root, or raise ValueError.

    A directory source (the command line: the operator is trusted) takes an
    absolute path, or a relative one that is a folder of the import root or
    else of the current directory, anywhere: one outside the import root is
    returned as its path from it ("../static"), and read by the source. Any
    other value is taken as relative to the import root and must stay inside it.
    """
    if is_root(site_root):
        return ""
    root = getattr(source, "root", None)
    given = Path(site_root)
    if root is not None and (
        given.is_absolute() or (not (root / site_root).is_dir() and given.is_dir())
    ):
        if not given.is_dir():
            raise ValueError(f"--site-root {site_root} is not a directory")
        resolved = given.resolve()
        if resolved.is_relative_to(root):
            inside = resolved.relative_to(root).as_posix()
            return "" if inside == "." else inside
        return source.outside_site_root(resolved)
    relative = normalise(site_root.lstrip("/"))
    if relative is None:
        raise ValueError(f"--site-root {site_root} leaves the import root")
    return relative
