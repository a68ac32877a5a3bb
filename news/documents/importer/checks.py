"""What a file must hold to be stored alike on every database.

SQLite stores a NUL character, an over-long name or a NaN that PostgreSQL
refuses, and a refusal there used to abort the whole batch. So every value is
checked here, before anything is written, against the same rules: the columns'
own max_length, text without NUL or lone surrogates, and numbers that JSON can
hold. A file that breaks one fails alone, with a message naming the value.
"""

import math
import re

from taggit.models import Tag

from ...models import Author, Category, Post, PostAlias, PostImage, SourceFile
from .report import ImportFailure

_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")


def max_length(model, name) -> int:
    """Return the ``max_length`` of ``model``'s column ``name``."""
    return model._meta.get_field(name).max_length


def check_file(relpath, data):
    """Refuse a file whose path or bytes no database column can hold."""
    if len(relpath) > (limit := max_length(SourceFile, "path")):
        raise ImportFailure(
            f"the path is {len(relpath):,} characters long; the limit is {limit:,}"
        )
    if (nul := data.find(b"\x00")) >= 0:
        raise ImportFailure(
            "holds a NUL character, which cannot be stored",
            line=data.count(b"\n", 0, nul) + 1,
        )


def check_values(values):
    """Refuse front-matter ``values`` (frontmatter.Fields) that would not fit
    their columns, or that hold text or numbers a database cannot store."""
    singles = [
        ("title", values.title, max_length(Post, "title")),
        ("category", values.category, max_length(Category, "name")),
        ("slug", values.slug, max_length(Post, "slug")),
        ("banner", values.banner, max_length(PostImage, "reference")),
        ("translationKey", values.translation_key, max_length(Post, "translation_key")),
    ]
    lists = [
        ("tags", values.tags, max_length(Tag, "name")),
        ("author", values.authors, max_length(Author, "name")),
        # An alias is stored as "/<alias>/".
        ("aliases", values.aliases, max_length(PostAlias, "path") - 2),
    ]
    for key, value, limit in singles + [
        (key, item, limit) for key, items, limit in lists for item in items
    ]:
        if value and len(value) > limit:
            raise ImportFailure(
                f"'{key}' is {len(value):,} characters long; the limit is {limit:,}"
            )
    for key, value in [
        ("title", values.title),
        ("summary", values.summary),
        ("translationKey", values.translation_key),
    ]:
        _check_storable(key, value)
    for key, value in values.extra.items():
        _check_storable(key, value)
    for key, items, _ in lists:
        _check_storable(key, items)


def check_reference(reference, path):
    """Refuse an image reference or path longer than its column."""
    for value in (reference, path):
        if len(value or "") > (limit := max_length(PostImage, "reference")):
            raise ImportFailure(
                f"an image reference is {len(value):,} characters long; "
                f"the limit is {limit:,}"
            )


def storable(text):
    """Return whether every database can store the text ``text``."""
    return not _UNSTORABLE.search(text)


def _check_storable(key, value):
    if isinstance(value, str) and _UNSTORABLE.search(value):
        raise ImportFailure(
            f"'{key}' holds a NUL character or a lone surrogate, which cannot be stored"
        )
    if isinstance(value, float) and not math.isfinite(value):
        raise ImportFailure(f"'{key}' is {value}, which cannot be stored")
    if isinstance(value, dict):
        for name, inner in value.items():
            _check_storable(key, name)
            _check_storable(key, inner)
    elif isinstance(value, list):
        for inner in value:
            _check_storable(key, inner)
