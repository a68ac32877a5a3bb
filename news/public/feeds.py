"""RSS, Atom and JSON Feed 1.1 of the latest published posts: the whole site,
and one per tag, category and author, in each language (/feed/, /zh/feed/).

A rendered feed is a fragment (news.public.fragments.page()): made once per
version of the site and address, then served from each process's memory, so
that a feed polled by every aggregator costs a request one query.

RSS and Atom name an XSLT stylesheet (static/news/feed.xsl), so that a feed
opened in a browser reads as a page that says how to subscribe. With
NEWSDESK_FEED_FULL_CONTENT, items carry the whole article (links and images as
absolute URLs) beside the summary; the banner is an enclosure either way.

Item titles are the post's title as plain text, only XML-escaped, in RSS as in
Atom: readers show an RSS <title> as text, so escaping it for HTML too (Django's
default, #6533) shows them "&amp;quot;". Descriptions are HTML in both formats,
so they carry the text HTML-escaped.
"""

import copy
import functools
import html
import mimetypes

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.templatetags.static import static
from django.urls import reverse
from django.utils.feedgenerator import Enclosure, Stylesheet
from django.utils.html import escape, strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext
from taggit.models import Tag

from .. import languages
from ..documents.syndication import AtomFeed, JsonFeed, RssFeed, absolute_urls
from ..models import Author, Category, Post, Section
from ..models.queries import with_published_posts
from . import fragments, theme
from .cache import freshness

FEED_SIZE = 20
STYLESHEET = "news/feed.xsl"


class LatestPostsFeed(Feed):
    feed_type = RssFeed
    description_template = None
    # Set on the copy of the feed that renders one request (get_feed()).
    request = None

    def __call__(self, request, *args, **kwargs):
        changed, _ = freshness(request)
        render = functools.partial(super().__call__, request, *args, **kwargs)
        return fragments.page(request, changed, request.path, render)

    def get_feed(self, obj, request):
        # Items need the request for absolute URLs; the view object is shared
        # by every request, so the request goes on a copy.
        feed = copy.copy(self)
        feed.request = request
        return Feed.get_feed(feed, obj, request)

    def stylesheets(self, obj=None):
        return [Stylesheet(static(STYLESHEET), mimetype="text/xsl")]

    def title(self, obj=None):
        return theme.current().name

    def link(self, obj=None):
        return reverse("news:post_list")

    def description(self, obj=None):
        return gettext("The latest posts from {site}.").format(
            site=theme.current().name
        )

    def posts(self, obj):
        # The feed of /zh/feed/ is the Chinese posts'.
        return Post.objects.published().in_language(languages.current())

    def items(self, obj=None):
        return (
            self.posts(obj)
            .select_related("category", "banner")
            .prefetch_related(
                Prefetch("authors", queryset=Author.objects.only("name")), "tags"
            )[:FEED_SIZE]
        )

    def item_title(self, post):
        return post.title

    def item_description(self, post):
        text = post.summary or html.unescape(strip_tags(post.body_html))
        return escape(Truncator(text).words(60))

    def item_extra_kwargs(self, post):
        summary = post.summary or html.unescape(strip_tags(post.body_html))
        extra = {
            "summary": Truncator(" ".join(summary.split())).words(60),
            "authors": [author.name for author in post.authors.all()],
            "language": post.language,
            "image": self._absolute(post.banner.file.url) if post.banner_id else None,
        }
        if settings.NEWSDESK_FEED_FULL_CONTENT:
            base = self._absolute(post.get_absolute_url())
            extra["content_html"] = absolute_urls(str(post.html), base)
        return extra

    def item_enclosures(self, post):
        if not post.banner_id:
            return []
        file = post.banner.file
        try:
            length = str(file.size)
        except OSError:
            # A missing file still names the image; RSS allows 0 when the
            # length is unknown.
            length = "0"
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        return [Enclosure(self._absolute(file.url), length, kind)]

    def _absolute(self, url):
        return self.request.build_absolute_uri(url)

    def item_author_name(self, post):
        return ", ".join(author.name for author in post.authors.all()) or None

    def item_categories(self, post):
        names = [post.category.name] if post.category_id else []
        return names + [tag.name for tag in post.tags.all()]

    def item_pubdate(self, post):
        return post.published_at

    def item_updateddate(self, post):
        return max(filter(None, [post.lastmod, post.published_at, post.updated_at]))


class LatestPostsAtomFeed(LatestPostsFeed):
    feed_type = AtomFeed

    def subtitle(self, obj=None):
        return self.description(obj)


class LatestPostsJsonFeed(LatestPostsFeed):
    feed_type = JsonFeed


class SectionFeed(LatestPostsFeed):
    """The latest posts of one tag, category or author; a 404 unless one is
    published."""

    section_model = None
    post_field = None
    url_name = None

    def get_object(self, request, slug):
        sections = with_published_posts(
            self.section_model.objects.all(), self.post_field, languages.current()
        )
        return get_object_or_404(sections, slug=slug)

    def title(self, obj=None):
        return f"{theme.current().name}: {obj.name}"

    def link(self, obj=None):
        return reverse(self.url_name, kwargs={"slug": obj.slug})

    def description(self, obj=None):
        return gettext("The latest posts in {section} from {site}.").format(
            section=obj.name, site=theme.current().name
        )

    def posts(self, obj):
        return super().posts(obj).in_section(Section.of(obj))


class TagFeed(SectionFeed):
    section_model = Tag
    post_field = "tags"
    url_name = "news:tag"


class CategoryFeed(SectionFeed):
    section_model = Category
    post_field = "category"
    url_name = "news:category"


class AuthorFeed(SectionFeed):
    section_model = Author
    post_field = "authors"
    url_name = "news:author"


class TagAtomFeed(TagFeed, LatestPostsAtomFeed):
    pass


class CategoryAtomFeed(CategoryFeed, LatestPostsAtomFeed):
    pass


class AuthorAtomFeed(AuthorFeed, LatestPostsAtomFeed):
    pass


class TagJsonFeed(TagFeed, LatestPostsJsonFeed):
    pass


class CategoryJsonFeed(CategoryFeed, LatestPostsJsonFeed):
    pass


class AuthorJsonFeed(AuthorFeed, LatestPostsJsonFeed):
    pass
