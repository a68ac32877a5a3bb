"""The admin of what posts are filed under and shown beside: authors,
categories, tags, the site's menus and its theme."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import redirect
from django.urls import reverse
from taggit import admin as taggit_admin
from taggit.models import Tag

from ... import languages
from ...models import (
    Author,
    Category,
    MenuItem,
    SiteSettings,
)
from .common import BoundedInline


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "user"]
    search_fields = ["name", "slug", "bio"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["avatar", "user"]
    # A profile link typed without a scheme is an https one (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["image"]


@admin.register(MenuItem)
class MenuItemAdmin(admin.ModelAdmin):
    """The header and footer menus of the public site; each item links to
    one category, tag, post, site page or address (MenuItem.clean)."""

    list_display = ["__str__", "menu", "position"]
    list_editable = ["position"]
    list_filter = ["menu"]
    raw_id_fields = ["category", "tag", "post"]
    fieldsets = [
        (None, {"fields": ["menu", "position", "label", "language"]}),
        ("Links to (one of)", {"fields": ["category", "tag", "post", "page", "url"]}),
    ]

    def get_list_display(self, request):
        # A label is in one language: on a site of several, say which.
        if languages.is_multilingual():
            return [*self.list_display, "language"]
        return self.list_display

    def get_list_filter(self, request):
        if languages.is_multilingual():
            return [*self.list_filter, "language"]
        return self.list_filter

    def get_fieldsets(self, request, obj=None):
        if languages.is_multilingual():
            return self.fieldsets
        return [
            (name, {"fields": [f for f in opts["fields"] if f != "language"]})
            for name, opts in self.fieldsets
        ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "url":
            # An address typed without a scheme is taken as https.
            kwargs["assume_scheme"] = "https"
        if db_field.name == "language":
            return forms.ChoiceField(
                choices=[("", "Every language"), *languages.choices()],
                required=False,
                label="Language",
                help_text=db_field.help_text,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    """The site's theme, one row (SiteSettings.load): the list opens it."""

    raw_id_fields = ["logo"]
    fieldsets = [
        (None, {"fields": ["site_name", "logo", "footer_text"]}),
        ("Colours", {"fields": ["accent", "accent_dark"]}),
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        row = SiteSettings.load()
        return redirect(reverse("admin:news_sitesettings_change", args=[row.pk]))


class TaggedItemInline(BoundedInline, taggit_admin.TaggedItemInline):
    pass


admin.site.unregister(Tag)


@admin.register(Tag)
class TagAdmin(taggit_admin.TagAdmin):
    """django-taggit's, with its inline bounded and without its merge action.

    The merge moves django-taggit's own TaggedItem rows, not the posts' tags
    (TaggedPost), so it merged nothing here; and its page answered a POST
    without a selection, or with an id that is no tag's, with a 500.
    """

    inlines = [TaggedItemInline]
    actions = []

    def get_urls(self):
        return admin.ModelAdmin.get_urls(self)
