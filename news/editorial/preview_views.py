"""Previews through the public templates, marked noindex (news.editorial.previews)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from .. import languages
from ..models import Revision
from ..public import fragments
from . import previews, revisions


@method_decorator(never_cache, name="dispatch")
class PreviewView(TemplateView):
    template_name = "news/post_preview.html"

    def get_context_data(self, *, post, **kwargs):
        # A preview is in its post's language, whatever the URL's, as the
        # published page will be: its interface, dates and <html lang>.
        if post.language in languages.codes():
            translation.activate(post.language)
            self.request.LANGUAGE_CODE = post.language
        context = super().get_context_data(post=post, **kwargs)
        context["article"] = fragments.render_article({"post": post}, self.request)
        return context

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response


class RevisionPreviewView(PreviewView):
    """Show staff one revision of a post they may see."""

    def get_context_data(self, **kwargs):
        revision = get_object_or_404(
            Revision.objects.select_related("post"), pk=self.kwargs["pk"]
        )
        if not revisions.can_view(self.request.user, revision.post):
            raise PermissionDenied("You may not preview this post.")
        return super().get_context_data(
            post=previews.Page(revision.values), revision=revision, **kwargs
        )


class SharedPreviewView(PreviewView):
    """Show anyone holding an active preview link the post it is for."""

    def get_context_data(self, **kwargs):
        link = previews.link_for(self.kwargs["signed"])
        return super().get_context_data(
            post=previews.Page(previews.values_for(link)), link=link, **kwargs
        )
