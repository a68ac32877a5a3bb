"""The post form's Markdown editor: a textarea with a toolbar, beside a live
preview through the public article template (static/news/markdown-editor.js)."""

from django import forms
from django.forms.renderers import TemplatesSetting
from django.urls import reverse
from django.utils.html import format_html

from ..media import library
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


class ImageThumbnailSelect(forms.Select):
    """A list of images by alt text beside a thumbnail of the one chosen: each
    option carries its thumbnail's URL, and static/news/admin-banner.js shows
    the chosen one's (the first option, none, shows nothing).

    With JavaScript, a button opens a dialog with a searchable grid of
    thumbnails (from admin:news_image_choices); picking one sets the select.
    Without it the select works alone, and a link opens the media library to
    browse the images as a grid."""

    class Media:
        css = {"all": ["news/admin-library.css"]}
        js = ["news/admin-banner.js"]

    def create_option(
        self, name, value, label, selected, index, subindex=None, attrs=None
    ):
        option = super().create_option(
            name, value, label, selected, index, subindex, attrs
        )
        image = getattr(value, "instance", None)
        if image is not None:
            option["attrs"]["data-thumbnail"] = library.thumbnail_url(image)
        return option

    def render(self, name, value, attrs=None, renderer=None):
        select = super().render(name, value, attrs, renderer)
        dialog = f"{(attrs or {}).get('id') or 'id_' + name}-dialog"
        return format_html(
            '<div class="image-choice" data-choices-url="{}">{}'
            '<img class="image-choice-preview" alt="" width="160" hidden> '
            '<button type="button" class="button image-choice-open" '
            'aria-haspopup="dialog" hidden>Choose by thumbnail</button> '
            '<a href="{}" target="_blank" rel="noopener">'
            "Browse the media library (opens in a new tab)</a>"
            '<dialog class="image-choice-dialog" id="{}" aria-labelledby="{}-title">'
            '<h2 id="{}-title">Choose an image</h2>'
            '<p><label for="{}-q">Find by words</label> '
            '<input type="search" id="{}-q" class="image-choice-q"></p>'
            '<p class="image-choice-status" role="status"></p>'
            '<ul class="library-grid image-choice-grid"></ul>'
            '<p><button type="button" class="button image-choice-close">Close'
            "</button></p></dialog></div>",
            reverse("admin:news_image_choices"),
            select,
            reverse("admin:news_image_library"),
            dialog,
            dialog,
            dialog,
            dialog,
            dialog,
        )
