"""The content API's endpoints: published posts, and the tags, categories and
authors that have them. Read-only, anonymous, the same for every reader.

Every post comes from ``Post.objects.published()`` and every section from
news.models.indexes, which counts only published posts: a draft, a post
waiting for review, a scheduled, archived or expired post is in no response,
and asking for it by its address is a 404. Each endpoint runs a fixed number
of queries, whatever the page holds. The caching rules are the pages'
(news.api.urls).
"""

from datetime import UTC, datetime
from typing import Annotated

from django.db.models import Q
from django.http import HttpResponse
from django.utils import timezone
from ninja import Field, NinjaAPI, Path, Query, Schema
from ninja.errors import HttpError, ValidationError

from .. import languages
from ..models import Post, indexes, queries
from ..public.cache import freshness
from . import cursor, schemas, serialize
from .docs import Reference

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

api = NinjaAPI(
    title="Newsdesk content API",
    version="1",
    description="The published posts of this site, and its tags, categories "
    "and authors, as JSON. Read-only; no key needed.",
    urls_namespace="api",
    openapi_url="/schema/",
    docs_url="/docs/",
    docs=Reference(),
)


@api.exception_handler(ValidationError)
def invalid(request, exc):
    # A malformed parameter is the client's error, answered as the site answers
    # one: 400, saying which parameter.
    problems = "; ".join(
        f"{'.'.join(str(part) for part in error['loc'][1:]) or 'request'}: "
        f"{error['msg']}"
        for error in exc.errors
    )
    return api.create_response(request, {"detail": problems}, status=400)


class PostFilters(Schema):
    tag: str | None = Field(None, description="A tag's slug.")
    category: str | None = Field(None, description="A category's slug.")
    author: str | None = Field(None, description="An author's slug.")
    language: str | None = Field(
        None,
        description="A language of the site (`en`, `zh-hans`; any spelling); "
        "the site's default if omitted.",
    )
    published_after: datetime | None = Field(
        None,
        description="Only posts published at or after this moment (ISO 8601; "
        "a date or a time without offset is in the site's time zone).",
    )
    published_before: datetime | None = Field(
        None, description="Only posts published before this moment."
    )
    cursor: str | None = Field(
        None, description="The `next_cursor` of the page before; omit for the first."
    )
    limit: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Posts a page.")


ERRORS = {400: schemas.Error, 404: schemas.Error}


@api.get(
    "/posts/",
    response={200: schemas.PostPage, 400: schemas.Error},
    url_name="posts",
    summary="Published posts, newest first",
    tags=["posts"],
)
def posts(request, filters: Query[PostFilters]):
    """Published posts, newest first (by publication time, then id), a page at
    a time. Filters combine; a page's `next_cursor` continues the same list."""

    def make(changed, site):
        page = serialize.summaries(_page(filters), changed, site)
        more, page = len(page) > filters.limit, page[: filters.limit]
        last = page[-1] if more else None
        next_cursor = cursor.encode(last["published_at"], last["id"]) if last else None
        return {
            "items": page,
            "next_cursor": next_cursor,
            "next": site.url(_with_cursor(request, next_cursor)) if more else None,
        }

    return _answer(request, schemas.PostPage, make)


def _answer(request, model, make):
    """Return the answer as JSON: ``make(changed, site)`` makes it, checked
    against ``model``. news.api.urls keeps it whole for the site as of its
    last change (news.models.queries.freshness), so a kept answer never
    outlives what it shows; an error raised by ``make`` is never kept."""
    # The site's version first, then the rows (news.public.fragments).
    changed, _ = freshness(request)
    answer = model.model_validate(make(changed, serialize.Site(request)))
    return HttpResponse(
        answer.model_dump_json().encode(), content_type=api.get_content_type()
    )


def _page(filters):
    """Return the ids of the posts of the page ``filters`` ask for, and of
    the one after it, if any."""
    if filters == PostFilters(limit=filters.limit, language=filters.language):
        # A language's first page: the home page's hand-written query.
        return queries.listed_ids(0, filters.limit + 1, language=_language(filters))
    found = _filtered(filters).order_by("-published_at", "-id")
    if filters.cursor:
        try:
            at, pk = cursor.decode(filters.cursor)
        except cursor.CursorError as exc:
            raise HttpError(400, str(exc)) from exc
        found = found.filter(Q(published_at__lt=at) | Q(published_at=at, id__lt=pk))
    return list(found.values_list("pk", flat=True)[: filters.limit + 1])


def _filtered(filters):
    # An empty value ("?tag=", as forms send it) filters nothing.
    # One language at a time, as the site shows them: the default unless asked.
    found = Post.objects.published().in_language(
        _language(filters) or languages.default()
    )
    for name, lookup in [
        ("tag", "tags__slug"),
        ("category", "category__slug"),
        ("author", "authors__slug"),
    ]:
        if slug := getattr(filters, name):
            found = found.filter(**{lookup: slug})
    if filters.published_after is not None:
        found = found.filter(published_at__gte=_utc(filters.published_after))
    if filters.published_before is not None:
        found = found.filter(published_at__lt=_utc(filters.published_before))
    return found


def _utc(moment):
    """Return ``moment`` in UTC, a naive one read in the site's time zone.

    A moment that UTC cannot hold (year 1 east of Greenwich, 9999 west of it)
    is the first or last moment there is: a bound that leaves nothing out, or
    everything."""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        end = datetime.min if moment.year == 1 else datetime.max
        return end.replace(tzinfo=UTC)


def _with_cursor(request, next_cursor):
    query = request.GET.copy()
    query["cursor"] = next_cursor
    return f"{request.path}?{query.urlencode()}"


@api.get(
    "/posts/{language}/{slug}/",
    response={200: schemas.PostDetail, **ERRORS},
    url_name="post",
    summary="One published post, with its body",
    tags=["posts"],
)
def post(
    request,
    language: Annotated[str, Path(description="The post's language (`en`).")],
    slug: Annotated[str, Path(description="The post's slug.")],
):
    """A published post by its language and slug: its summary, its body as
    HTML and as Markdown, and its images. A 404 for any post readers may not
    see."""

    def make(changed, site):
        code = languages.match(language)
        # The article page's lookup: published() as one hand-written statement.
        pk = queries.published_id(slug, code) if code else None
        shown = serialize.details(pk, changed, site) if pk else None
        if shown is None:
            raise HttpError(404, "No published post has this address.")
        return shown

    return _answer(request, schemas.PostDetail, make)


class SectionFilters(Schema):
    language: str | None = Field(
        None,
        description="Count the posts in this language (any spelling); the "
        "site's default language if omitted, as the index pages count.",
    )


def _language(filters):
    """Return the site language ``filters`` name, None for the default."""
    if not filters.language:
        return None
    code = languages.match(filters.language)
    if code is None:
        raise HttpError(400, "language: not a language of this site.")
    return code


SECTION_ANSWERS = {400: schemas.Error}


@api.get(
    "/tags/",
    response={200: schemas.SectionList, **SECTION_ANSWERS},
    url_name="tags",
    summary="Tags with published posts",
    tags=["sections"],
)
def tags(request, filters: Query[SectionFilters]):
    """Every tag with published posts in a language, by name, with how many
    it has."""
    site = serialize.Site(request)
    code = _language(filters)
    entries = indexes.tags(code)
    return {"items": [serialize.section(e, "tag", site, code) for e in entries]}


@api.get(
    "/categories/",
    response={200: schemas.SectionList, **SECTION_ANSWERS},
    url_name="categories",
    summary="Categories with published posts",
    tags=["sections"],
)
def categories(request, filters: Query[SectionFilters]):
    """Every category with published posts in a language, by name, with how
    many it has."""
    site = serialize.Site(request)
    code = _language(filters)
    entries = indexes.categories(code)
    return {"items": [serialize.section(e, "category", site, code) for e in entries]}


@api.get(
    "/authors/",
    response={200: schemas.AuthorList, **SECTION_ANSWERS},
    url_name="authors",
    summary="Authors with published posts",
    tags=["sections"],
)
def authors(request, filters: Query[SectionFilters]):
    """Every author with published posts in a language, by name, with how
    many they have, their bio and avatar."""
    site = serialize.Site(request)
    code = _language(filters)
    entries = indexes.authors(code)
    return {"items": [serialize.author(e, site, code) for e in entries]}
