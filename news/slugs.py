"""Slugs and the relative paths they come from, for imports, exports and new rows.

Pure functions over strings; ``unique_slug()`` is handed the queryset whose
slugs it must avoid.
"""

import posixpath
import re

from django.utils.text import slugify

INDEX_STEMS = {"index", "readme"}
# Jekyll names posts YYYY-MM-DD-title: the date is the post's date (see
# news.documents.frontmatter.pathdates), not part of its slug.
_JEKYLL_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}-(?=.)")


def normalise(relpath):
    """Return ``relpath`` normalised as a POSIX path, or None if it leaves the root."""
    path = posixpath.normpath(relpath.replace("\\", "/"))
    if path == ".." or path.startswith(("../", "/")) or path == ".":
        return None
    if len(path) > 1 and path[1] == ":":  # a Windows drive
        return None
    return path


def is_root(path):
    """Return whether ``path`` names the root itself: empty, ".", "/" or "./"."""
    return path.strip() in ("", ".", "/", "./")


def default_slug(relpath):
    """Return the file's stem without a Jekyll date (``2016-04-19-``), or its
    folder's name for index.md and README.md."""
    stem = posixpath.splitext(posixpath.basename(relpath))[0].strip()
    if stem.lower() in INDEX_STEMS and posixpath.dirname(relpath):
        return posixpath.basename(posixpath.dirname(relpath))
    return _JEKYLL_DATE.sub("", stem, count=1)


def unique_slug(queryset, text, fallback=""):
    """Return a slug for ``text`` that no row of ``queryset`` has, numbering it."""
    base = slugify(text, allow_unicode=True)[:190] or fallback
    slug, n = base, 1
    while slug and queryset.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug
