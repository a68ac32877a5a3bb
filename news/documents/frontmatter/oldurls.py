"""The URLs a post had on the site it was imported from, so that inbound links
keep working: the front matter's ``permalink`` or ``url`` (and Jekyll's
``redirect_from``), else the generator's permalink pattern, given or detected.

Pure: the importer stores what these functions return; nothing is written
into the file.
"""

import posixpath
import re
from collections.abc import Mapping
from datetime import date
from urllib.parse import unquote, urlsplit

from .values import as_text

PLACEHOLDERS = (
    "year",
    "month",
    "day",
    "slug",
    "title",
    "section",
    "categories",
    "filename",
)
# Jekyll's default permalink style ("date"), which its posts had unless the
# site's _config.yml said otherwise; no categories squeeze the segment away.
JEKYLL_PATTERN = "/:categories/:year/:month/:day/:title.html"
# Zola's and Gatsby's `path` is the page's URL path too.
URL_KEYS = ("permalink", "url", "path")
REDIRECT_KEYS = ("redirect_from",)
_PLACEHOLDER = re.compile(r":([a-z]+)")
_JEKYLL_NAME = re.compile(r"\d{4}-\d{1,2}-\d{1,2}-(.+)")
_INDEX_STEMS = {"index", "readme", "_index"}


def check_pattern(pattern: str) -> str:
    """Return ``pattern`` if it is a usable old-URL pattern, else raise
    ValueError saying why."""
    if not pattern.startswith("/"):
        raise ValueError(f"{pattern!r} must start with /")
    unknown = [p for p in _PLACEHOLDER.findall(pattern) if p not in PLACEHOLDERS]
    if unknown:
        known = " ".join(f":{p}" for p in PLACEHOLDERS)
        raise ValueError(f"unknown placeholder :{unknown[0]} (known: {known})")
    return pattern


def detect_pattern(relpath: str) -> str | None:
    """Return the permalink pattern of the generator whose layout ``relpath``
    follows, or None: Jekyll's ``_posts/YYYY-MM-DD-title.ext``."""
    parts = relpath.split("/")
    if "_posts" in parts[:-1] and _JEKYLL_NAME.match(parts[-1]):
        return JEKYLL_PATTERN
    return None


def old_urls(
    relpath: str,
    meta: Mapping,
    *,
    day: date | None,
    pattern: str | None = None,
    site_root: str = "",
) -> list[str]:
    """Return the paths the file's post had on its old site, each as
    ``/path/``.

    ``relpath`` is the file's path relative to the import root, ``site_root``
    the old site's source folder within it (Jekyll's categories come from the
    folders between it and ``_posts``), ``day`` the post's date.
    """
    keys = {str(k).casefold(): k for k in meta}
    parts = _parts(relpath, meta, keys, day, site_root)
    stated = [
        url
        for k in URL_KEYS
        if k in keys
        for url in _texts(meta[keys[k]])
        # A `url` on another host is a link post's target, not this page.
        if k == "permalink" or not _external(url)
    ]
    urls = stated[:1]
    if not urls and (pattern := pattern or detect_pattern(relpath)):
        urls = [pattern]
    urls += [u for k in REDIRECT_KEYS if k in keys for u in _texts(meta[keys[k]])]
    found: list[str] = []
    for url in urls:
        path = _expand(url, parts)
        if path and path not in found:
            found.append(path)
    return found


def _parts(relpath, meta, keys, day, site_root):
    folder, name = posixpath.split(relpath)
    stem = posixpath.splitext(name)[0]
    if stem.casefold() in _INDEX_STEMS and folder:
        folder, stem = posixpath.split(folder)
    jekyll = _JEKYLL_NAME.match(stem)
    title = jekyll.group(1) if jekyll else stem
    slug = _texts(meta[keys["slug"]])[:1] if "slug" in keys else []
    if slug:
        title = slug[0]
    parts = {
        "filename": stem,
        "section": posixpath.basename(folder),
        "title": _pretty(title),
        "slug": _slugify(title),
        "categories": "/".join(_categories(relpath, meta, keys, site_root)),
    }
    if day is not None:
        parts |= {"year": f"{day.year:04}", "month": f"{day.month:02}"}
        parts["day"] = f"{day.day:02}"
    return parts


def _categories(relpath, meta, keys, site_root):
    # As Jekyll does: the folders between the site and _posts, then the front
    # matter's categories, lower case, each once.
    folders = relpath.split("/")[:-1]
    if site_root and relpath.startswith(site_root.rstrip("/") + "/"):
        folders = folders[len(site_root.strip("/").split("/")) :]
    found = folders[: folders.index("_posts")] if "_posts" in folders else []
    for key in ("categories", "category"):
        if key in keys:
            value = meta[keys[key]]
            texts = value.split() if isinstance(value, str) else _texts(value)
            found += texts
    unique: list[str] = []
    for category in (c.casefold() for c in found):
        if category and category not in unique:
            unique.append(category)
    return unique


def _external(url: str) -> bool:
    return bool(urlsplit(url).scheme) or url.startswith("//")


def _expand(template: str, parts: dict) -> str | None:
    if _external(template):
        template = urlsplit(template).path
    missing = False

    def replace(match):
        nonlocal missing
        name = match.group(1)
        if name not in PLACEHOLDERS:
            return match.group(0)
        if name not in parts:  # a date placeholder, and the post has no date
            missing = True
        return parts.get(name, "")

    path = _PLACEHOLDER.sub(replace, template)
    path = re.sub(r"/{2,}", "/", unquote(path)).strip("/")
    if missing or not path:
        return None
    return f"/{path}/"


def _texts(value) -> list[str]:
    # Values of the wrong shape (a mapping) are not URLs: they are left out.
    values = value if isinstance(value, list) else [value]
    texts = (as_text(v, "") for v in values if not isinstance(v, dict | list))
    return [t.strip() for t in texts if t and t.strip()]


def _pretty(text: str) -> str:
    # Jekyll's "pretty" slug: case kept, and characters allowed in a URL path.
    return re.sub(r"[^\w.~!$&'()+,;=@]+|_+", "-", text).strip("-")


def _slugify(text: str) -> str:
    return re.sub(r"[^\w]+|_+", "-", text.casefold()).strip("-")
