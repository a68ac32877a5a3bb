"""The public site's hottest reads, each one hand-written SQL statement.

Building these with the ORM cost as long as the rest of an uncached page, so
they are written by hand. They are functions, not QuerySet methods, so that no
one can chain a filter onto them and have it silently dropped. Their conditions
are ``Post.objects.published()``'s, ``scheduled()``'s and ``in_section()``'s;
the tests hold each one to the ORM's answer.
"""

import functools
import threading
from datetime import UTC, datetime

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Exists, OuterRef
from django.utils import timezone

from .. import languages
from .content import Post, PostAuthor, SiteChange, TaggedPost
from .sections import Section


def freshness(using=DEFAULT_DB_ALIAS):
    """Return ``(last_changed, next_due)`` of the public site, in one query.

    ``last_changed`` is the latest of the newest edit of any post, the newest
    publication time that has passed, the newest expiry that has passed and
    the last SiteChange; ``next_due`` is the time of the next scheduled post or
    the next expiry of a published post, or None. The post parts but the
    expiries are index lookups (post_updated, post_latest); few posts expire.
    Every public request asks this.
    """

    def ask():
        now = _now(using)
        [row] = _rows(using, _freshness_sql(using), _freshness_params(now))
        return _freshness(row)

    return _kept(using, "", ask, lambda answer: answer[1])


def published_id_and_freshness(slug, language=None, using=DEFAULT_DB_ALIAS):
    """Return ``(published_id(slug, language), freshness())`` from one
    statement: every article page asks both."""
    language = language or languages.default()

    def ask():
        now = _now(using)
        params = [language, slug, Post.Status.PUBLISHED, now, now]
        [row] = _rows(using, _article_sql(using), [*params, *_freshness_params(now)])
        return row[0], _freshness(row[1:])

    return _kept(using, (language, slug), ask, lambda answer: answer[1][1])


# -- answers kept while the database cannot have changed ---------------------------
#
# Every public request asks freshness(), and every article page
# published_id_and_freshness(): one statement each, most of whose cost is
# Django's cursor. On SQLite a connection can tell, for a few microseconds,
# whether anything was committed since it last asked (PRAGMA data_version, for
# other connections; total_changes, for its own), so their answers are kept
# with the connection until it was, or until the time the answer says the
# site changes by itself (the next scheduled post or expiry) has come. Inside
# a transaction nothing is kept: what it wrote may be rolled back.

MAX_KEPT = 10_000
_kept_here = threading.local()


def _kept(using, key, ask, until):
    """Return ``ask()``'s answer for ``key``, kept from an earlier call if the
    database is unchanged since and ``until(answer)`` (a time, or None for
    never) has not come."""
    token = _unchanged_token(using)
    if token is None:
        return ask()
    kept = getattr(_kept_here, using, None)
    if kept is None or kept[0] != token:
        kept = (token, {})
        setattr(_kept_here, using, kept)
    answers = kept[1]
    now = timezone.now()
    if (found := answers.get(key)) is not None and (found[0] is None or now < found[0]):
        return found[1]
    answer = ask()
    if len(answers) >= MAX_KEPT:
        answers.clear()
    answers[key] = (until(answer), answer)
    return answer


def _unchanged_token(using):
    """Return what stays equal exactly while nothing was committed to the
    database ``using`` since: the SQLite connection itself (held, so that
    its id is not reused by the next), its data version and its own count of
    changes; None where that cannot be told (another database, or inside a
    transaction)."""
    connection = connections[using]
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return None
    connection.ensure_connection()
    raw = connection.connection
    (version,) = raw.execute("PRAGMA data_version").fetchone()
    return (raw, version, raw.total_changes)


# The statements' text depends on the database only: made once per process.


@functools.cache
def _freshness_columns(using):
    posts, changes = _table(Post, using), _table(SiteChange, using)
    published = _published_sql()
    return (
        f"(SELECT MAX(updated_at) FROM {posts}),"  # noqa: S608
        f" (SELECT MAX(published_at) FROM {posts} WHERE {published}),"
        f" (SELECT MIN(published_at) FROM {posts}"
        "   WHERE status = %s AND published_at > %s),"
        f" (SELECT MAX(changed_at) FROM {changes}),"
        f" (SELECT MAX(expires_at) FROM {posts}"
        "   WHERE status = %s AND expires_at <= %s),"
        f" (SELECT MIN(expires_at) FROM {posts}"
        "   WHERE status = %s AND expires_at > %s)"
    )


@functools.cache
def _freshness_sql(using):
    return f"SELECT {_freshness_columns(using)}"


@functools.cache
def _article_sql(using):
    return (
        f"SELECT (SELECT id FROM {_table(Post, using)}"  # noqa: S608
        f" WHERE language = %s AND slug = %s AND {_published_sql()}),"
        f" {_freshness_columns(using)}"
    )


def _freshness_params(now):
    """The parameters of _freshness_columns() at ``now`` (adapted)."""
    status = Post.Status.PUBLISHED
    return [status, now, now, status, now, status, now, status, now]


def _freshness(row):
    updated, latest, due, site, expired, expires = map(_datetime, row)
    if updated is None:
        return None, None
    changed = max(filter(None, [updated, latest, site, expired]))
    return changed, min(filter(None, [due, expires]), default=None)


def published_id(slug, language=None, using=DEFAULT_DB_ALIAS):
    """Return the id of the published post ``slug`` in ``language`` (the
    site's default if None), or None: the lookup every article page makes.
    Translations may share a slug."""
    published, params = _published(using)
    rows = _rows(
        using,
        f"SELECT id FROM {_table(Post, using)}"  # noqa: S608
        f" WHERE language = %s AND slug = %s AND {published}",
        [language or languages.default(), slug, *params],
    )
    return rows[0][0] if rows else None


def listed_ids(start, stop, section=None, language=None, using=DEFAULT_DB_ALIAS):
    """Return the ids of the published posts ``[start:stop]`` in ``language``
    (the site's default if None), newest first, of the whole site or of
    ``section`` (a Section), in the order in_section() gives: what a list page
    shows."""
    quote = connections[using].ops.quote_name
    published, params = _published(using, "p.")
    published = f"p.language = %s AND {published}"
    params.insert(0, language or languages.default())
    join = where = ""
    order = "p.published_at DESC, p.id DESC"
    if section is not None:
        params.append(section.pk)
        if section.kind == Section.CATEGORY:
            where = f" AND p.{quote(Post._meta.get_field('category').column)} = %s"
        else:
            listing, post, field = (
                (PostAuthor, "post", "author")
                if section.kind == Section.AUTHOR
                else (TaggedPost, "content_object", "tag")
            )
            columns = listing._meta
            join = (
                f" JOIN {_table(listing, using)} s"
                f" ON s.{quote(columns.get_field(post).column)} = p.id"
            )
            where = f" AND s.{quote(columns.get_field(field).column)} = %s"
            order = "s.published_at DESC, p.id DESC"
    rows = _rows(
        using,
        f"SELECT p.id FROM {_table(Post, using)} p{join}"  # noqa: S608
        f" WHERE {published}{where} ORDER BY {order} LIMIT %s OFFSET %s",
        [*params, stop - start, start],
    )
    return [pk for (pk,) in rows]


def with_published_posts(queryset, post_field, language=None):
    """Keep the rows of ``queryset`` (authors, categories, tags) that at least one
    published post (in ``language``, if given) points to through ``post_field``."""
    posts = Post.objects.published().filter(**{post_field: OuterRef("pk")})
    if language:
        posts = posts.in_language(language)
    return queryset.filter(Exists(posts))


# The hand-written statements above share these.


def _published(using, alias=""):
    """Return published()'s condition as SQL, and its parameters."""
    now = _now(using)
    return _published_sql(alias), [Post.Status.PUBLISHED, now, now]


def _published_sql(alias=""):
    return (
        f"{alias}status = %s AND {alias}published_at <= %s"
        f" AND ({alias}expires_at IS NULL OR {alias}expires_at > %s)"
    )


def _now(using):
    return connections[using].ops.adapt_datetimefield_value(timezone.now())


def _table(model, using):
    return connections[using].ops.quote_name(model._meta.db_table)


def _rows(using, sql, params):
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _datetime(value):
    """A datetime column's value read by a raw query: SQLite gives the text it
    stores (UTC), PostgreSQL an aware datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value is not None and timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value
