"""Posts, sections and images as the API shows them (news.api.schemas).

A post's summary and detail are kept as fragments are (news.public.fragments),
for the version of the site they show and per site address: a view making an
answer decides which posts it holds with one query, and these say what each
looks like, loading the missing ones in a fixed number of queries. URLs are
made absolute against the request's site address: API clients read them away
from the site.
"""

import hashlib
from urllib.parse import urlencode, urljoin

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import translation

from ..documents import display
from ..media import renditions
from ..models import Author, Post, PostImage, Rendition
from ..public import fragments


class Site:
    """The request's site address, which every URL in a response is joined to."""

    def __init__(self, request):
        self.base = request.build_absolute_uri("/")
        self.key = hashlib.sha256(self.base.encode()).hexdigest()[:16]

    def url(self, path):
        """Return ``path`` (or a storage URL, perhaps absolute already) absolute."""
        return urljoin(self.base, path) if path else ""


def summaries(pks, changed, site):
    """Return the summaries of the posts ``pks``, in order, as of ``changed``.

    A list is kept whole; a list not seen yet is made from the posts'
    summaries, which lists share."""
    name = hashlib.sha256(repr(pks).encode()).hexdigest()

    def list_made_by(missing):
        return {name: _summaries(pks, changed, site)}

    return fragments.kept(f"api-list:{site.key}", changed, [name], list_made_by)[name]


def _summaries(pks, changed, site):
    def made_by(missing):
        posts = _with_relations(Post.objects.filter(pk__in=missing))
        posts = posts.defer("body", "body_html", "extra")
        return {post.pk: summary(post, site) for post in posts}

    found = fragments.kept(f"api-summary:{site.key}", changed, pks, made_by)
    return [found[pk] for pk in pks if pk in found]


def details(pk, changed, site):
    """Return the detail of the post ``pk`` as of ``changed``, or None if it is
    gone."""

    def made_by(missing):
        links = PostImage.objects.select_related("image").order_by("id")
        posts = _with_relations(Post.objects.filter(pk__in=missing)).prefetch_related(
            Prefetch("image_links", queryset=links),
            Prefetch(
                "image_links__image__renditions", queryset=Rendition.objects.all()
            ),
        )
        return {post.pk: detail(post, site) for post in posts}

    return fragments.kept(f"api-detail:{site.key}", changed, [pk], made_by).get(pk)


def _with_relations(posts):
    return posts.select_related("category", "banner").prefetch_related(
        Prefetch("authors", queryset=Author.objects.only("name", "slug")),
        "tags",
        Prefetch("banner__renditions", queryset=Rendition.objects.all()),
    )


def summary(post, site):
    # A post's sections are linked in its own language: /zh/tags/x/ for a
    # Chinese post.
    with translation.override(post.language):
        return _summary(post, site)


def _summary(post, site):
    return {
        "id": post.pk,
        "title": post.title,
        "slug": post.slug,
        "language": post.language,
        "url": site.url(post.get_absolute_url()),
        "api_url": site.url(
            reverse("api:post", kwargs={"language": post.language, "slug": post.slug})
        ),
        "summary": post.summary,
        "published_at": post.published_at,
        "updated_at": post.lastmod,
        "category": named(post.category, "news:category", site)
        if post.category
        else None,
        "tags": [named(tag, "news:tag", site) for tag in post.tags.all()],
        "authors": [
            named(author, "news:author", site) for author in post.authors.all()
        ],
        "banner": picture(post.banner, site) if post.banner else None,
    }


def detail(post, site):
    images = {link.image.pk: link.image for link in post.image_links.all()}
    return summary(post, site) | {
        "html": display.with_absolute_urls(post.body_html, site.base),
        "markdown": post.body,
        "images": [picture(image, site) for image in images.values()],
    }


def named(obj, url_name, site):
    # A tag named only in punctuation ("!!!") has no slug, so no page.
    url = site.url(reverse(url_name, args=[obj.slug])) if obj.slug else ""
    return {"name": obj.name, "slug": obj.slug, "url": url}


def section(entry, kind, site, language=None):
    """Return an index entry (news.models.indexes.Entry) of ``kind`` ("tag",
    "category" or "author") as the API lists it, counted in ``language``."""
    query = {kind: entry.slug} | ({"language": language} if language else {})
    # A tag without a slug cannot be asked for: "?tag=" filters nothing.
    posts = f"{reverse('api:posts')}?{urlencode(query)}"
    if not entry.slug:
        posts = ""
    return {
        "name": entry.name,
        "slug": entry.slug,
        "url": site.url(entry.url),
        "posts_url": site.url(posts),
        "count": entry.count,
        "description": entry.lede,
    }


def author(entry, site, language=None):
    avatar = picture(entry.avatar, site) if entry.avatar else None
    return section(entry, "author", site, language) | {"avatar": avatar}


def picture(image, site):
    """Return ``image`` as readers get it, its renditions made on first use as
    the pages make them (news.media.renditions.picture)."""
    shown = renditions.picture(image)
    webp = _candidates(shown.webp_srcset, site)
    fallback = _candidates(shown.srcset, site)
    return {
        "url": site.url(shown.src),
        "type": shown.type,
        "width": image.width,
        "height": image.height,
        "alt": image.alt,
        "caption": image.caption,
        "credit": image.credit,
        "srcset": ", ".join(f"{url} {width}w" for url, width in fallback),
        "webp_srcset": ", ".join(f"{url} {width}w" for url, width in webp),
        "renditions": [
            {"url": url, "width": width, "type": "image/webp"} for url, width in webp
        ]
        + [{"url": url, "width": width, "type": shown.type} for url, width in fallback],
    }


def _candidates(srcset, site):
    """Return the ``(absolute URL, width)`` of each candidate of ``srcset``."""
    found = []
    for candidate in filter(None, srcset.split(", ")):
        url, width = candidate.rsplit(" ", 1)
        found.append((site.url(url), int(width.removesuffix("w"))))
    return found
