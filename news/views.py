from django.views.generic import DetailView, ListView

from .models import Post


class PublishedPostMixin:
    def get_queryset(self):
        return (
            Post.objects.published()
            .select_related("category", "banner")
            .prefetch_related("authors", "tags")
        )


class PostListView(PublishedPostMixin, ListView):
    paginate_by = 20
    context_object_name = "posts"


class PostDetailView(PublishedPostMixin, DetailView):
    context_object_name = "post"
