"""The public site: generic views over Post.objects.published().

Every view reads through published() (articles and list pages through
news.models.queries.published_id() and listed_ids(), its hand-written
equivalents);
anything else is a 404. Each page runs a fixed number of queries, and shows
posts through news.public.fragments: the queries here decide which posts a page
shows, the fragments what each looks like.
"""

import functools
from typing import NamedTuple

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils import dateformat, formats
from django.utils.translation import gettext, gettext_lazy, gettext_noop
from django.views.generic import (
    ListView,
    MonthArchiveView,
    TemplateView,
    YearArchiveView,
)
from taggit.models import Tag

from .. import languages
from ..models import Author, Category, Post, Section
from . import fragments, search, theme
from .cache import freshness, public_page, published_id
from .pagination import ListedIds, UncountedPaginator, page_links, page_or_404

PAGE_SIZE = 20


def home():
    """The first crumb of every trail."""
    return (gettext("Home"), reverse("news:post_list"))


class Index(NamedTuple):
    url_name: str
    heading: str


# The index page of each kind of section, for the sections' breadcrumbs.
INDEXES = {
    Section.TAG: Index("news:tag_index", gettext_lazy("Tags")),
    Section.CATEGORY: Index("news:category_index", gettext_lazy("Categories")),
    Section.AUTHOR: Index("news:author_index", gettext_lazy("Authors")),
}


class PostListMixin:
    paginate_by = PAGE_SIZE
    paginator_class = UncountedPaginator
    context_object_name = "posts"
    template_name = "news/post_list.html"

    def get_queryset(self):
        # Which posts, in which order: the cards come from news.public.fragments.
        return ListedIds(language=languages.current())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        changed, _ = freshness(self.request)
        context["cards"] = fragments.cards(
            self.post_ids(context["posts"]), changed, lead=self.has_lead(context)
        )
        context["heading"] = self.heading(context)
        add_page_links(self.request, context)
        context["breadcrumbs"] = self.breadcrumbs(context)
        # What only some lists have: set, so that no lookup in the template fails.
        for name in ("section", "lede", "date_list", "archive_url", "home_page"):
            context.setdefault(name, None)
        return context

    def paginate_queryset(self, queryset, page_size):
        # As ListView's, without its "last" page, which would count the rows.
        paginator = self.get_paginator(
            queryset,
            page_size,
            orphans=self.get_paginate_orphans(),
            allow_empty_first_page=self.get_allow_empty(),
        )
        number = self.request.GET.get(self.page_kwarg) or 1
        page = page_or_404(paginator, number)
        return (paginator, page, page.object_list, page.has_other_pages())

    def post_ids(self, posts):
        return list(posts)

    def heading(self, context):
        return gettext("Latest news")

    def has_lead(self, context):
        """Whether the list opens with a lead story: the home page's first page."""
        return False

    def breadcrumbs(self, context):
        """Return the trail to this list, [(name, url), ...]; the home page
        has none."""
        return None


class KeptListMixin:
    """A list whose page is kept whole (news.public.fragments.page) per site
    version, path, page number and the ids the live query chose. For lists
    whose posts get_queryset() chooses alone: not the date archives."""

    def get(self, request, *args, **kwargs):
        if set(request.GET) - {self.page_kwarg}:
            # Other parameters show in the page's links: made, not kept, so
            # that made-up query strings cannot crowd out what is kept.
            return super().get(request, *args, **kwargs)
        # The live query: which posts this page lists (or a 404).
        self.object_list = self.get_queryset()
        _, page, ids, _ = self.paginate_queryset(self.object_list, self.paginate_by)
        changed, _ = freshness(request)
        name = f"{request.path} {page.number} {list(ids)}"
        render = functools.partial(super().get, request, *args, **kwargs)
        return fragments.page(request, changed, name, render)

    def paginate_queryset(self, queryset, page_size):
        # Asked once by get() and again by get_context_data() when the page
        # is made: the live query runs once.
        if not hasattr(self, "_paginated"):
            self._paginated = super().paginate_queryset(queryset, page_size)
        return self._paginated


@public_page
class PostListView(KeptListMixin, PostListMixin, ListView):
    def has_lead(self, context):
        return context["page_obj"].number == 1

    def get_context_data(self, **kwargs):
        # The home page names the other languages' homes (hreflang) and may
        # suggest one of them.
        return super().get_context_data(home_page=True, **kwargs)


@public_page
class PostDetailView(TemplateView):
    template_name = "news/post_detail.html"

    def get(self, request, *args, **kwargs):
        pk = published_id(request, kwargs["slug"], languages.current())
        if pk is None:
            return self.moved(kwargs["slug"])
        changed, _ = freshness(request)

        def render():
            # Its parts are kept only as part of the page: they are made when
            # the page is, and from its own version.
            article = fragments.render_article(fragments.article_context(pk), request)
            return self.render_to_response(self.get_context_data(article=article))

        # The article is the same for every query string: kept by its id.
        return fragments.page(request, changed, f"article {pk}", render)

    def moved(self, slug):
        """Answer 301 to the current URL of the post that had ``slug`` before,
        else 404."""
        post = Post.objects.published().in_language(languages.current())
        post = post.filter(old_slugs__slug=slug).only("slug", "language").first()
        if post is None:
            raise Http404("No published post has this address.")
        return HttpResponsePermanentRedirect(post.get_absolute_url())


class SectionPostListView(KeptListMixin, PostListMixin, ListView):
    """Posts of one author, category or tag; a 404 unless one is published."""

    section_model = None
    heading_format = "{name}"
    # Empty sections are 404s through get_paginator(), without an extra query.
    allow_empty = True

    def get_queryset(self):
        changed, _ = freshness(self.request)
        self.section = fragments.section(
            self.section_model, self.kwargs["slug"], changed
        )
        return ListedIds(self.section, languages.current())

    def get_paginator(self, *args, **kwargs):
        # A section without a published post is a 404: its first page comes
        # back empty, so no query of its own is needed to tell.
        kwargs["allow_empty_first_page"] = False
        return super().get_paginator(*args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            section=self.section, lede=self.section.lede, **kwargs
        )

    def heading(self, context):
        return gettext(self.heading_format).format(name=self.section.name)

    def breadcrumbs(self, context):
        section = self.section
        index = INDEXES[section.kind]
        return [
            home(),
            (str(index.heading), reverse(index.url_name)),
            (section.name, reverse(f"news:{section.kind}", args=[section.slug])),
        ]


@public_page
class TagPostListView(SectionPostListView):
    section_model = Tag
    # Translated when shown: gettext_noop marks them for makemessages.
    heading_format = gettext_noop("Posts tagged “{name}”")


@public_page
class CategoryPostListView(SectionPostListView):
    section_model = Category


@public_page
class AuthorPostListView(SectionPostListView):
    section_model = Author
    heading_format = gettext_noop("Posts by {name}")


class ArchiveMixin(PostListMixin):
    date_field = "published_at"
    allow_empty = False
    allow_future = False

    def get_queryset(self):
        # Date views read their neighbouring months' dates from the posts.
        return (
            Post.objects.published()
            .in_language(languages.current())
            .only("pk", "published_at")
        )

    def post_ids(self, posts):
        return [post.pk for post in posts]

    def get_context_data(self, **kwargs):
        # The neighbouring year or month with posts comes from the date view
        # (previous_year, next_year, previous_month, next_month).
        return super().get_context_data(archive_url=reverse("news:archive"), **kwargs)


@public_page
class PostYearArchiveView(ArchiveMixin, YearArchiveView):
    make_object_list = True

    def heading(self, context):
        return dateformat.format(context["year"], "Y")

    def breadcrumbs(self, context):
        year = context["year"]
        return [
            home(),
            (gettext("Archive"), reverse("news:archive")),
            (self.heading(context), reverse("news:archive_year", args=[year.year])),
        ]


@public_page
class PostMonthArchiveView(ArchiveMixin, MonthArchiveView):
    month_format = "%m"

    def heading(self, context):
        return formats.date_format(context["month"], "YEAR_MONTH_FORMAT")

    def breadcrumbs(self, context):
        month = context["month"]
        return [
            home(),
            (gettext("Archive"), reverse("news:archive")),
            (str(month.year), reverse("news:archive_year", args=[month.year])),
            (
                dateformat.format(month, "F"),
                reverse("news:archive_month", args=[month.year, f"{month.month:02d}"]),
            ),
        ]


@public_page
class IndexView(TemplateView):
    """A list of every tag, category or author with published posts, or of
    the years and months that have them, each with its count."""

    template_name = "news/index.html"
    kind = ""
    heading = ""

    def get_context_data(self, **kwargs):
        changed, _ = freshness(self.request)
        return super().get_context_data(
            heading=gettext(self.heading),
            listing=fragments.index(self.kind, changed),
            breadcrumbs=[home(), (self.heading, self.request.path)],
            **kwargs,
        )


@public_page(cache_page=False)
class SearchView(ListView):
    template_name = "news/search.html"
    context_object_name = "posts"
    paginate_by = PAGE_SIZE
    # Readers want to know how many posts matched.
    paginator_class = Paginator

    def get_queryset(self):
        self.query = search.clean(self.request.GET.get("q", ""))
        # Highlighted cards differ per query: rendered here, not kept.
        posts = search.search(self.query).in_language(languages.current())
        return fragments.with_cards(posts.defer("body", "extra"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            query=self.query, terms=search.words(self.query), **kwargs
        )
        add_page_links(self.request, context)
        if self.query and not context["paginator"].count:
            changed, _ = freshness(self.request)
            context["suggestions"] = fragments.suggestions(changed)
            context["spelling"] = search.close_spelling(
                self.query, fragments.vocabulary(changed)
            )
        return context


def add_page_links(request, context):
    """Give a paginated list's template the URLs of the pages either side."""
    page = context["page_obj"]
    links = page_links(request, page) if page else (None, None)
    context["previous_page_url"], context["next_page_url"] = links


@public_page
class RobotsView(TemplateView):
    template_name = "robots.txt"
    content_type = "text/plain; charset=utf-8"


def theme_css(request):
    """The theme's colours over site.css (news.public.theme.stylesheet). Pages
    link it with the colours' hash in the query string, so a browser keeps each
    version for good; a stylesheet, not an inline <style>, keeps the CSP strict."""
    response = HttpResponse(
        theme.stylesheet(theme.current()), content_type="text/css; charset=utf-8"
    )
    if request.GET.get("v") == theme.current().css_version:
        response["Cache-Control"] = "public, max-age=31536000, immutable"
    else:
        response["Cache-Control"] = "no-cache"
    return response
