"""A post as front-matter values: the one place that says how a post reads as a
document, for the importer, the exporter and revisions.

- ``document_values()``: the post's front-matter fields under their canonical
  names; ``fingerprint()`` adds the body's hash. The importer keeps the
  fingerprint as the source's snapshot, and the exporter compares with it to
  rewrite only what changed since the import.
- ``written_values()``: those values as export writes them (local dates, a slug
  only where the path does not give it).
- ``document()``: the post as its front-matter Markdown text, in the house style.
- ``snapshot()`` and ``load()``: what a revision stores to put the post back,
  and putting it back in memory.
"""

import hashlib
from datetime import UTC, datetime

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import slugify

from .. import languages
from ..models import Post
from ..slugs import default_slug
from . import frontmatter

# Fields copied as they are between a post and a revision's values.
PLAIN_FIELDS = ["title", "slug", "language", "summary", "body", "extra"]
DATETIME_FIELDS = ["published_at", "lastmod", "expires_at"]


def document_values(post, *, tags=None, authors=None, aliases=None):
    """Return the post's front-matter fields under their canonical names.

    ``tags``, ``authors`` and ``aliases`` may be given by a caller that has just
    set them, to save the queries.
    """
    if tags is None:
        tags = post.tags.all()
    if authors is None:
        authors = [byline.author for byline in post.bylines.all()]
    if aliases is None:
        # Old URLs derived on import are not the file's front matter.
        aliases = [alias.path for alias in post.aliases.all() if not alias.old_url]
    return {
        "title": post.title,
        "date": utc_text(post.published_at),
        "category": post.category.name if post.category_id else None,
        "tags": sorted(tag.name for tag in tags),
        "authors": [author.name for author in authors],
        "summary": post.summary,
        "banner": post.banner.sha256 if post.banner_id else None,
        "slug": post.slug,
        "draft": post.status != Post.Status.PUBLISHED,
        "updated": utc_text(post.lastmod),
        "expires": utc_text(post.expires_at),
        "aliases": sorted(aliases),
        "language": post.language,
        "translation_key": post.translation_key,
        "extra": post.extra,
    }


def fingerprint(post, **known):
    """Return what the importer remembers of a post, to notice later edits.

    ``known`` passes tags, authors and aliases the caller has just set.
    """
    if not known:
        post = (
            Post.objects.prefetch_related("tags", "aliases", "bylines__author")
            .select_related("category", "banner")
            .get(pk=post.pk)
        )
    return {
        **document_values(post, **known),
        "body": hashlib.sha256(post.body.encode()).hexdigest(),
    }


def written_values(values, post):
    """Return ``values`` (from ``document_values()``) as they are written into
    front matter."""
    return {
        **values,
        "date": local_date_text(post.published_at),
        "updated": local_date_text(post.lastmod),
        "expires": local_date_text(post.expires_at),
        "tags": [tag.name for tag in post.tags.all()],
        "draft": True if values["draft"] else None,
        "slug": None if values["slug"] == slug_from_path(post) else values["slug"],
        # What the path says goes without saying.
        "language": None
        if values["language"] == language_from_path(post)
        else values["language"],
        "translation_key": None
        if values["translation_key"] == languages.path_key(export_path(post))
        else values["translation_key"] or None,
    }


def document(post):
    """Return ``post`` from the database as its front-matter Markdown document,
    in the export's house style."""
    values = written_values(document_values(post), post)
    return frontmatter.serialize(frontmatter.compose(values, post.body)).decode()


def export_path(post):
    """Return where export writes ``post``: back where it was imported from,
    else ``<slug>/index.md``, in a folder named for its language unless that is
    the site's default (``zh-hans/<slug>/index.md``)."""
    source = getattr(post, "source", None)
    if source:
        return source.path
    if post.language != languages.default():
        return f"{post.language}/{post.slug}/index.md"
    return f"{post.slug}/index.md"


def language_from_path(post):
    """Return the language the importer would give the post from its path."""
    return languages.from_path(export_path(post))[0] or languages.default()


def slug_from_path(post):
    """Return the slug the importer would derive from the post's path."""
    return slugify(default_slug(export_path(post)), allow_unicode=True)


def utc_text(value):
    return value.astimezone(UTC).isoformat() if value else None


def local_date_text(value):
    """Write a datetime as a date when it is midnight in the site's time zone."""
    if value is None:
        return None
    local = timezone.localtime(value)
    if local.time() == datetime.min.time():
        return local.date().isoformat()
    return local.isoformat()


def snapshot(post, *, tags=None, authors=None, links=None):
    """Return what ``news.editorial.revisions.apply()`` needs to put ``post``
    back as it is now.

    ``tags``, ``authors`` and ``links`` (image links) may be given by a caller
    that has just written them, to save the queries.
    """
    if tags is None:
        tags = post.tags.all()
    if authors is None:
        authors = [byline.author for byline in post.bylines.all()]
    if links is None:
        links = post.image_links.all()
    values = {name: getattr(post, name) for name in PLAIN_FIELDS}
    for name in DATETIME_FIELDS:
        value = getattr(post, name)
        values[name] = value.isoformat() if value else None
    values["planned_for"] = post.planned_for.isoformat() if post.planned_for else None
    values["category"] = post.category_id
    values["banner"] = post.banner_id
    values["tags"] = sorted(tag.name for tag in tags)
    values["authors"] = [author.pk for author in authors]
    values["images"] = [[link.reference, link.image_id, link.path] for link in links]
    return values


def load(post, values):
    """Set ``post``'s own fields from ``values`` (a snapshot) in memory, without
    saving."""
    for name in PLAIN_FIELDS:
        # Revisions saved before a field existed do not have it.
        if name in values:
            setattr(post, name, values[name])
    for name in DATETIME_FIELDS:
        value = values.get(name)
        setattr(post, name, parse_datetime(value) if value else None)
    planned = values.get("planned_for")
    post.planned_for = parse_date(planned) if planned else None
    post.category_id = values["category"]
    post.banner_id = values["banner"]
    return post
