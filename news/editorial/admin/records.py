"""The admin of the records the app keeps: the audit log, preview links,
source files and old addresses."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.html import format_html

from ...models import (
    AuditEntry,
    Post,
    PostAlias,
    PreviewLink,
    SourceFile,
)
from .. import previews, revisions
from .common import ListMedia, ReadOnlyAdmin, SelectOnlyFilter, truncated


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """The site-wide record of transitions: read-only."""

    list_display = [
        "at",
        "post_shown",
        "user",
        "transition",
        "from_status",
        "to_status",
    ]
    list_filter = [
        ("user", SelectOnlyFilter),
        ("post", SelectOnlyFilter),
        "transition",
        "at",
    ]
    list_per_page = 50
    Media = ListMedia
    search_fields = ["post__title", "comment", "user__username"]
    date_hierarchy = "at"
    list_select_related = ["post", "user"]

    def get_queryset(self, request):
        posts = revisions.viewable(Post.objects.all(), request.user)
        return super().get_queryset(request).filter(post__in=posts)

    @admin.display(description="post", ordering="post__title")
    def post_shown(self, entry):
        return truncated(entry.post.title)

    def has_view_permission(self, request, obj=None):
        user = request.user
        return user.is_active and user.is_staff and user.has_perm("news.view_post")


class PreviewLinkForm(forms.ModelForm):
    """A preview link's owner may revoke it or bring its expiry forward, no more
    (news.editorial.previews.change checks again when saving)."""

    class Meta:
        model = PreviewLink
        fields = ["expires_at", "revoked"]

    def clean(self):
        data = super().clean()
        if self.instance.pk and "expires_at" in data:
            stored = PreviewLink.objects.get(pk=self.instance.pk)
            problem = previews.refusal(
                stored,
                expires_at=data.get("expires_at"),
                revoked=data.get("revoked", stored.revoked),
            )
            if problem:
                raise ValidationError(problem, code="preview_link")
        return data


@admin.register(PreviewLink)
class PreviewLinkAdmin(admin.ModelAdmin):
    form = PreviewLinkForm
    list_display = ["post", "pinned", "created_by", "expires_at", "revoked", "url"]
    list_filter = ["revoked"]
    readonly_fields = ["post", "revision", "created_by", "created_at", "url"]
    fields = readonly_fields + ["expires_at", "revoked"]
    actions = ["revoke_links"]

    def get_queryset(self, request):
        posts = revisions.viewable(Post.objects.all(), request.user)
        return super().get_queryset(request).filter(post__in=posts)

    def has_add_permission(self, request):
        return False  # links are made from the post page

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.revoked:
            return [*self.readonly_fields, "expires_at", "revoked"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not form.has_changed():
            return
        try:
            previews.change(obj, expires_at=obj.expires_at, revoked=obj.revoked)
        except previews.ChangeRefused as exc:
            # The form checked this already: only a concurrent revocation gets here.
            raise PermissionDenied(str(exc)) from exc

    @admin.display(description="shows")
    def pinned(self, link):
        return (
            f"revision of {link.revision.created_at:%Y-%m-%d %H:%M}"
            if link.revision_id
            else "the latest draft"
        )

    @admin.display(description="link")
    def url(self, link):
        href = link.get_absolute_url()
        return format_html('<a href="{}">{}</a>', href, href)

    @admin.action(description="Revoke the selected preview links")
    def revoke_links(self, request, queryset):
        with transaction.atomic():
            for link in queryset:
                previews.revoke(link)
        messages.success(request, f"Revoked {len(queryset)} preview links.")


@admin.register(SourceFile)
class SourceFileAdmin(admin.ModelAdmin):
    """Where imported posts came from: written only by the importer."""

    list_display = ["path", "post", "format", "bom", "imported_at"]
    list_filter = ["format", "bom", "imported_at"]
    search_fields = ["path", "post__title"]
    date_hierarchy = "imported_at"
    list_select_related = ["post"]
    readonly_fields = [f.name for f in SourceFile._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PostAlias)
class PostAliasAdmin(admin.ModelAdmin):
    list_display = ["path", "post"]
    search_fields = ["path", "post__title"]
    raw_id_fields = ["post"]
    list_select_related = ["post"]
