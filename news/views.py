"""The public site: generic views over Post.objects.published().

Every view reads through published(); anything else is a 404. Each page runs a
fixed number of queries: bylines, tags and banner renditions are prefetched.
"""

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.views.generic import (
    DetailView,
    ListView,
    MonthArchiveView,
    TemplateView,
    YearArchiveView,
)
from taggit.models import Tag

from . import search
from .cache import public_page
from .models import Author, Category, Post, Rendition, with_published_posts
from .pagination import UncountedPaginator

PAGE_SIZE = 20
RELATED_POSTS = 3


class PostListMixin:
    paginate_by = PAGE_SIZE
    paginator_class = UncountedPaginator
    context_object_name = "posts"
    template_name = "news/post_list.html"

    def get_queryset(self):
        return Post.objects.published().defer("body", "body_html", "extra")

    def paginate_queryset(self, queryset, page_size):
        # Load what a post card shows for the page only, in a fixed number of
        # queries; archive views also query get_queryset() for their neighbours.
        cards = queryset.select_related("banner").prefetch_related(
            Prefetch("authors", queryset=Author.objects.only("name", "slug")),
            Prefetch("banner__renditions", queryset=Rendition.objects.all()),
        )
        return super().paginate_queryset(cards, page_size)


@public_page
class PostListView(PostListMixin, ListView):
    pass


@public_page
class PostDetailView(DetailView):
    context_object_name = "post"

    def get_queryset(self):
        return (
            Post.objects.published()
            .select_related("category", "banner")
            .prefetch_related(
                Prefetch("authors", queryset=Author.objects.only("name", "slug")),
                "tags",
                Prefetch("banner__renditions", queryset=Rendition.objects.all()),
            )
        )

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            # A slug the post had before answers 301 to its current URL.
            post = Post.objects.published().filter(old_slugs__slug=kwargs["slug"])
            post = post.only("slug").first()
            if post is None:
                raise
            return HttpResponsePermanentRedirect(post.get_absolute_url())

    def get_context_data(self, **kwargs):
        post = self.object
        published = Post.objects.published().only("title", "slug", "published_at")
        return super().get_context_data(
            related=published.related_to(post)[:RELATED_POSTS],
            previous=published.before(post).first(),
            next=published.after(post).first(),
            **kwargs,
        )


class SectionPostListView(PostListMixin, ListView):
    """Posts of one author, category or tag; a 404 unless one is published."""

    section_model = None
    post_field = None
    section_name = ""
    allow_empty = False

    def get_queryset(self):
        sections = with_published_posts(
            self.section_model.objects.all(), self.post_field
        )
        self.section = get_object_or_404(sections, slug=self.kwargs["slug"])
        return super().get_queryset().filter(**{self.post_field: self.section})

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            section=self.section, section_name=self.section_name, **kwargs
        )


@public_page
class TagPostListView(SectionPostListView):
    section_model = Tag
    post_field = "tags"
    section_name = "tag"


@public_page
class CategoryPostListView(SectionPostListView):
    section_model = Category
    post_field = "category"
    section_name = "category"


@public_page
class AuthorPostListView(SectionPostListView):
    section_model = Author
    post_field = "authors"
    section_name = "author"


class ArchiveMixin(PostListMixin):
    date_field = "published_at"
    allow_empty = False
    allow_future = False


@public_page
class PostYearArchiveView(ArchiveMixin, YearArchiveView):
    make_object_list = True


@public_page
class PostMonthArchiveView(ArchiveMixin, MonthArchiveView):
    month_format = "%m"


@public_page(cache_page=False)
class SearchView(PostListMixin, ListView):
    template_name = "news/search.html"
    # Readers want to know how many posts matched.
    paginator_class = Paginator

    def get_queryset(self):
        self.query = search.clean(self.request.GET.get("q", ""))
        return search.search(self.query).defer("body", "extra")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            query=self.query, terms=search.words(self.query), **kwargs
        )


@public_page
class RobotsView(TemplateView):
    template_name = "robots.txt"
    content_type = "text/plain; charset=utf-8"
