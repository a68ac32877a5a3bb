"""The post form's Markdown editor: a textarea with a toolbar, beside a live
preview through the public article template (static/news/markdown-editor.js)."""

from django import forms
from django.forms.renderers import TemplatesSetting
from django.urls import reverse

from . import autosave


class MarkdownEditor(forms.Textarea):
    """The body's textarea, side by side with its preview.

    The script and styles are static files (the admin's CSP allows no inline
    script); the URLs the script talks to are data attributes. ``post`` is the
    saved post's id, empty for a new one.
    """

    template_name = "admin/news/widgets/markdown_editor.html"

    class Media:
        css = {"all": ["news/markdown-editor.css"]}
        js = ["news/markdown-editor.js"]

    def __init__(self, attrs=None, *, post=None, may_upload=False):
        super().__init__({"rows": 30, **(attrs or {})})
        self.post = post
        self.may_upload = may_upload

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["editor"] = {
            "post": self.post or "",
            "render_url": reverse("admin:news_post_render_markdown"),
            "frame_url": reverse("admin:news_post_preview_frame"),
            "autosave_url": reverse("admin:news_post_autosave"),
            "discard_url": reverse("admin:news_post_autosave_discard"),
            "heartbeat_url": reverse("admin:news_post_heartbeat"),
            "autosave_seconds": autosave.AUTOSAVE_SECONDS,
            "heartbeat_seconds": autosave.HEARTBEAT_SECONDS,
            "upload_url": reverse("admin:news_post_upload_image")
            if self.may_upload
            else "",
        }
        return context

    def render(self, name, value, attrs=None, renderer=None):
        # The template is the project's (templates/admin/news/widgets), which
        # Django's default form renderer does not look in.
        return super().render(name, value, attrs, TemplatesSetting())
