"""The authors a site describes: Docusaurus's ``authors.yml``, whose keys a
post's ``authors`` names, and the inline author objects of a post's front
matter. Each becomes an Author profile: the name, the title as its bio, the
URL, and a local ``image_url`` as its avatar.

A profile fills only what the Author does not have yet, so an edit in the
admin is never undone by an import. Remote avatars are not fetched.
"""

import posixpath
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ...media import images
from ...models import Author
from ...models.relations import authors_named
from ..frontmatter import FrontMatterError
from ..frontmatter.yaml import load_yaml
from . import checks
from .references import MAX_IMAGE_BYTES, within
from .report import ImportFailure, Problem

AUTHORS_FILES = ("authors.yml", "authors.yaml")
MAX_AUTHORS_BYTES = 1024 * 1024


@dataclass
class Byline:
    name: str
    key: str | None = None  # the authors.yml key the post named it by
    details: dict = field(default_factory=dict)  # title, url, image_url
    home: str = ""  # the folder image_url is relative to


class Directory:
    """The authors.yml files of one source, each read once: the nearest one
    above a post (``blog/authors.yml`` for ``blog/2021/x.md``) describes it."""

    def __init__(self, source, site_root):
        self.source, self.site_root = source, site_root
        self._folders: dict[str, tuple[str, dict] | None] = {}
        self.problems: list[Problem] = []  # each authors.yml that failed, once

    def nearest(self, relpath):
        """Return ``(path, {key: entry})`` of the authors.yml nearest above
        ``relpath``, or None."""
        folder = posixpath.dirname(relpath)
        missed = []
        while folder not in self._folders:
            missed.append(folder)
            found = next(
                (
                    posixpath.join(folder, name)
                    for name in AUTHORS_FILES
                    if self.source.exists(posixpath.join(folder, name))
                ),
                None,
            )
            if found is not None:
                self._folders[folder] = (found, self._read(found))
                break
            if not folder:
                self._folders[folder] = None
                break
            folder = posixpath.dirname(folder)
        for below in missed:
            self._folders[below] = self._folders[folder]
        return self._folders[folder]

    def _read(self, path):
        try:
            data = self.source.read(path, MAX_AUTHORS_BYTES)
            meta = load_yaml(data.decode("utf-8-sig"), path).meta
        except (ImportFailure, UnicodeDecodeError) as exc:
            self.problems.append(Problem(path, f"not read: {exc}", None, "warning"))
            return {}
        except FrontMatterError as exc:
            # load_yaml() counts a front matter's opening line; this has none.
            line = exc.line - 1 if exc.line else None
            self.problems.append(
                Problem(path, f"not read: {exc.message}", line, "warning")
            )
            return {}
        return {str(k): v for k, v in meta.items() if isinstance(v, dict)}


def bylines(values, directory, relpath):
    """Return the post's Bylines: each name in ``values.authors`` that is a key
    of the nearest authors.yml as that entry, any other as itself, with what
    an inline object says of it."""
    found = directory.nearest(relpath) if directory else None
    path, entries = found or ("", {})
    result = []
    for name in values.authors:
        entry = entries.get(name)
        if entry and _storable_name(entry.get("name")):
            details = {k: entry.get(k) for k in ("title", "url", "image_url")}
            details["image_url"] = details["image_url"] or entry.get("imageURL")
            result.append(
                Byline(
                    entry["name"].strip(),
                    name,
                    {k: v.strip() for k, v in details.items() if isinstance(v, str)},
                    posixpath.dirname(path),
                )
            )
        else:
            details = values.author_profiles.get(name, {})
            result.append(Byline(name, None, details, posixpath.dirname(relpath)))
    return result


def _storable_name(value):
    # A name no column can hold is left for the key, which the front matter's
    # checks have passed.
    return (
        isinstance(value, str)
        and bool(value.strip())
        and len(value.strip()) <= checks.max_length(Author, "name")
        and checks.storable(value)
    )


def write(lines, *, source, site_root, relpath, stored, warnings, dry_run, known=None):
    """Return the Authors of ``lines`` (Bylines), creating unknown ones and
    filling in what their profiles say that the Authors lack, each with its
    Byline: ``[(Author, Byline)]``. ``known``: see authors_named()."""
    unique: dict[str, Byline] = {}
    for line in lines:
        unique.setdefault(line.name, line)
    lines = list(unique.values())
    authors = authors_named([line.name for line in lines], known=known)
    for author, line in zip(authors, lines, strict=True):
        changed = []
        title, url = line.details.get("title", ""), line.details.get("url", "")
        if title and not author.bio and checks.storable(title):
            author.bio = title
            changed.append("bio")
        if _web_address(url) and not author.url:
            author.url = url
            changed.append("url")
        image = line.details.get("image_url", "")
        if image and author.avatar_id is None and not dry_run:
            avatar = _avatar(image, line, source, site_root, relpath, stored, warnings)
            if avatar is not None:
                author.avatar = avatar
                changed.append("avatar")
        if changed:
            author.save(update_fields=changed)
    return list(zip(authors, lines, strict=True))


def _web_address(url):
    parts = urlsplit(url)
    return (
        parts.scheme in ("http", "https")
        and bool(parts.netloc)
        and len(url) <= checks.max_length(Author, "url")
        and checks.storable(url)
    )


def _avatar(src, line, source, site_root, relpath, stored, warnings):
    """Store the local image ``src`` names as an avatar; return it, or None
    (a remote one, or one not found, which is reported)."""
    if urlsplit(src).scheme or src.startswith("//"):
        return None
    key = src.split("?")[0].split("#")[0]
    if key.startswith("/"):
        places = [within(posixpath.join(site_root, key.lstrip("/")), site_root)]
    else:
        places = [
            within(posixpath.join(line.home, key), site_root),
            within(posixpath.join(site_root, key), site_root),
        ]
    path = next((p for p in places if p is not None and source.exists(p)), None)
    if path is None:
        warnings.append(
            Problem(
                relpath,
                f"avatar of {line.name} not found: {src}",
                None,
                "warning",
                "missing",
            )
        )
        return None
    try:
        image, created = images.store(source.read(path, MAX_IMAGE_BYTES))
    except (ImportFailure, images.InvalidImage) as exc:
        warnings.append(
            Problem(
                relpath,
                f"avatar of {line.name}: {src}: {exc}",
                None,
                "warning",
                "invalid",
            )
        )
        return None
    if created:
        stored.append(image)
    return image
