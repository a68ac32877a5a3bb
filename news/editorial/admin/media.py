"""The admin of images: uploads, the media library's change form, and where
each image is used."""

import logging
from pathlib import PurePosixPath

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode

from ...media import library, uploads
from ...models import (
    Author,
    Category,
    Image,
    Post,
)

logger = logging.getLogger(__name__)


class ImageAddForm(forms.ModelForm):
    """Add an image the way an upload from the post form does (news.media.uploads):
    validated, named by its content, stored whole, with alt text."""

    upload = forms.FileField(label="Image")

    class Meta:
        model = Image
        fields = ["alt", "caption", "credit"]

    def clean(self):
        data = super().clean()
        upload = data.get("upload")
        if upload is None:
            return data
        if upload.size > uploads.MAX_UPLOAD_BYTES:
            raise ValidationError({"upload": "The image is too large."})
        try:
            # Stored here, inside the admin's transaction, so that whatever the
            # storage or the checks refuse comes back as a message on the form.
            self.instance, _ = uploads.store(
                upload.read(), alt=data.get("alt", ""), name=upload.name
            )
        except uploads.UploadRefused as exc:
            raise ValidationError({"upload": str(exc)}) from exc
        except uploads.StorageError as exc:
            logger.warning("could not store an image from the admin: %s", exc)
            raise ValidationError({"upload": uploads.STORAGE_DOWN}) from exc
        return data


class ImageChangeForm(forms.ModelForm):
    """An image's description, and a file to replace its own: the same Image,
    so every post, author and category showing it shows the new file."""

    replacement = forms.FileField(
        label="Replace the file",
        required=False,
        help_text="Everything that shows this image will show the new file.",
    )

    class Meta:
        model = Image
        fields = ["alt", "caption", "credit", "focal_x", "focal_y"]
        help_texts = {
            "focal_x": "Click the picture on the point that must stay in view "
            "when it is cropped, or type it here.",
        }

    def clean_replacement(self):
        upload = self.cleaned_data.get("replacement")
        if upload is None:
            return None
        if upload.size > uploads.MAX_UPLOAD_BYTES:
            raise ValidationError("The image is too large.")
        data = upload.read()
        try:
            library.check_replacement(self.instance, data, name=upload.name)
        except uploads.UploadRefused as exc:
            raise ValidationError(str(exc)) from exc
        return (data, upload.name)


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = ["image_shown", "width", "height", "created_at"]
    search_fields = ["alt", "caption", "credit", "file"]
    date_hierarchy = "created_at"
    library_page_size = 48

    class Media:
        css = {"all": ["news/admin-library.css"]}
        js = ["news/admin-focal.js"]

    def get_form(self, request, obj=None, **kwargs):
        kwargs["form"] = ImageAddForm if obj is None else ImageChangeForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["upload", "alt", "caption", "credit"]
        fields = ["picture", "alt", "caption", "credit", ("focal_x", "focal_y")]
        if self.has_change_permission(request, obj):
            fields.append("replacement")
        return [*fields, "used_in"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["picture", "used_in"]

    @admin.display(description="image")
    def picture(self, image):
        # Empty alt: the alt text is the form's next field.
        return format_html(
            '<span class="focal-picture"><img src="{}" alt="" class="library-picture">'
            '<span class="focal-marker" hidden></span></span><br>'
            '<span class="help">{}</span>',
            library.thumbnail_url(image),
            image_kind(image),
        )

    @admin.display(description="image")
    def image_shown(self, image):
        return format_html(
            '<img src="{}" alt="" width="64" class="admin-thumbnail"> {}',
            library.thumbnail_url(image),
            image.alt or "No alt text",
        )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("renditions")

    @admin.display(description="used in")
    def used_in(self, image):
        return usage_list(library.uses(image))

    def save_model(self, request, obj, form, change):
        replacement = form.cleaned_data.get("replacement") if change else None
        super().save_model(request, obj, form, change)
        if replacement is None:
            return
        data, name = replacement
        try:
            library.replace(obj, data, name=name)
        except uploads.UploadRefused as exc:
            messages.error(request, str(exc))
        except uploads.StorageError as exc:
            logger.warning("could not replace an image's file: %s", exc)
            messages.error(request, uploads.STORAGE_DOWN)
        else:
            messages.success(request, "The file was replaced everywhere it is shown.")

    def get_urls(self):
        return [
            path(
                "library/",
                self.admin_site.admin_view(self.library_view),
                name="news_image_library",
            ),
            path(
                "library/choices/",
                self.admin_site.admin_view(self.choices_view),
                name="news_image_choices",
            ),
            *super().get_urls(),
        ]

    def library_view(self, request):
        """The media library: every image as a thumbnail, found by its words
        and filtered by use and kind, a page at a time."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        text = request.GET.get("q", "").strip()
        use = request.GET.get("use", "")
        kind = request.GET.get("kind", "")
        found = library.find(
            Image.objects.prefetch_related("renditions").order_by("-created_at", "-pk"),
            text=text,
            use=use,
            kind=kind,
        )
        page = Paginator(found, self.library_page_size).get_page(
            request.GET.get("page")
        )
        keep = urlencode(
            {k: v for k, v in {"q": text, "use": use, "kind": kind}.items() if v}
        )
        context = {
            **self.admin_site.each_context(request),
            "title": "Media library",
            "opts": self.model._meta,
            "page": page,
            "tiles": [
                {
                    "image": image,
                    "src": library.thumbnail_url(image),
                    "label": image.alt or image.original_name or "No alt text",
                    "kind": image_kind(image),
                    "in_use": image.in_use,
                }
                for image in page
            ],
            "q": text,
            "use": use,
            "kind": kind,
            "keep": keep,
            "uses": [
                ("", "Any use"),
                (library.USED, "Used"),
                (library.UNUSED, "Unused"),
            ],
            "kinds": [
                ("", "Any kind"),
                (library.RASTER, "Photos and pictures"),
                (library.VECTOR, "Vector (SVG)"),
            ],
        }
        return TemplateResponse(request, "admin/news/image/library.html", context)

    def choices_view(self, request):
        """The images a banner may be chosen from, as JSON for the post form's
        thumbnail dialog (static/news/admin-banner.js): the newest that hold
        the words of ``q``, each by id, label and thumbnail, never its hash or
        file name."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        found = library.find(
            Image.objects.prefetch_related("renditions").order_by("-created_at", "-pk"),
            text=request.GET.get("q", "").strip()[:200],
        )[: self.library_page_size]
        return JsonResponse(
            {
                "images": [
                    {
                        "id": image.pk,
                        "label": image.alt or "No alt text",
                        "kind": image_kind(image),
                        "src": library.thumbnail_url(image),
                    }
                    for image in found
                ]
            }
        )


def image_kind(image):
    """Say what an image is without its file name: size and type."""
    kind = PurePosixPath(image.file.name).suffix.lstrip(".").upper()
    return f"{image.width}×{image.height} {kind}"


def usage_list(found):
    """Link each place an image is shown, saying how it is used there."""
    if not found:
        return "Not used anywhere."
    names = {
        Post: "news_post_change",
        Author: "news_author_change",
        Category: "news_category_change",
    }
    return format_html(
        '<ul class="image-uses">{}</ul>',
        format_html_join(
            "",
            '<li><a href="{}">{}</a> ({})</li>',
            (
                (
                    reverse(f"admin:{names[type(use.what)]}", args=[use.what.pk]),
                    str(use.what),
                    use.how,
                )
                for use in found
            ),
        ),
    )
