"""RSS and Atom feeds of the latest published posts: the whole site, and one per
tag, category and author, in each language (/feed/, /zh/feed/).

Item titles are the post's title as plain text, only XML-escaped, in RSS as in
Atom: readers show an RSS <title> as text, so escaping it for HTML too (Django's
default, #6533) shows them "&amp;quot;". Descriptions are HTML in both formats,
so they carry the text HTML-escaped.
"""

import html

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext
from taggit.models import Tag

from .. import languages
from ..models import Author, Category, Post, Section
from ..models.queries import with_published_posts

FEED_SIZE = 20


class LatestPostsFeed(Feed):
    description_template = None

    def title(self, obj=None):
        return settings.NEWSDESK_SITE_NAME

    def link(self, obj=None):
        return reverse("news:post_list")

    def description(self, obj=None):
        return gettext("The latest posts from {site}.").format(
            site=settings.NEWSDESK_SITE_NAME
        )

    def posts(self, obj):
        # The feed of /zh/feed/ is the Chinese posts'.
        return Post.objects.published().in_language(languages.current())

    def items(self, obj=None):
        return (
            self.posts(obj)
            .select_related("category")
            .prefetch_related(
                Prefetch("authors", queryset=Author.objects.only("name")), "tags"
            )[:FEED_SIZE]
        )

    def item_title(self, post):
        return post.title

    def item_description(self, post):
        text = post.summary or html.unescape(strip_tags(post.body_html))
        return escape(Truncator(text).words(60))

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
    feed_type = Atom1Feed

    def subtitle(self, obj=None):
        return self.description(obj)


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
        return f"{settings.NEWSDESK_SITE_NAME}: {obj.name}"

    def link(self, obj=None):
        return reverse(self.url_name, kwargs={"slug": obj.slug})

    def description(self, obj=None):
        return gettext("The latest posts in {section} from {site}.").format(
            section=obj.name, site=settings.NEWSDESK_SITE_NAME
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
