"""The post admin: the editing form, its inlines and filters, the list of
posts and the workflow's buttons (news.editorial.admin_views)."""

from pathlib import PurePosixPath
from types import SimpleNamespace

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import widgets as admin_widgets
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst

from ... import languages
from ...documents import markdown
from ...documents.values import load
from ...media import library, renditions, uploads
from ...models import (
    AuditEntry,
    Image,
    Post,
    PostAuthor,
    PostImage,
    ReviewComment,
    Revision,
)
from ...slugs import unique_slug
from .. import autosave, revisions, translations, workflow
from ..admin_views import PostAdminViews, export_zip
from ..widgets import ImageThumbnailSelect, MarkdownEditor
from .common import BoundedInline, ListMedia, SelectFilter, SelectOnlyFilter, truncated


class AutocompleteSelect(admin_widgets.AutocompleteSelect):
    """Django's, showing a submitted value that cannot be an id as no choice.

    Django looks the submitted values up as they come when it shows an invalid
    form again, and "abc" for an integer id raised ValueError there: a 500.
    """

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [v for v in value if self._fits(v)], attr)

    def _fits(self, value):
        try:
            self.field.target_field.to_python(value)
        except ValidationError:
            return False
        return True


def labelled(formfield, label):
    """Name the inputs of ``formfield`` for assistive technology where no <label>
    points at them: the two halves of a date and time, and the cells of a
    tabular inline, which only its column heading names."""
    if formfield is None:
        return formfield
    widget = getattr(formfield.widget, "widget", formfield.widget)
    halves = getattr(widget, "widgets", None)
    if halves and len(halves) == 2:
        halves[0].attrs["aria-label"] = f"{label}: date"
        halves[1].attrs["aria-label"] = f"{label}: time"
    else:
        widget.attrs.setdefault("aria-label", label)
    return formfield


class LabelledInline(BoundedInline, admin.TabularInline):
    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        return labelled(formfield, capfirst(db_field.verbose_name))


def image_label(image):
    """Name an image the way a person knows it: its alt text, size and type. Its
    file name is its content hash, which means nothing to anyone."""
    kind = PurePosixPath(image.file.name).suffix.lstrip(".").upper()
    added = timezone.localtime(image.created_at)
    return (
        f"{image.alt or 'No alt text'} ({image.width}×{image.height} {kind}, "
        f"added {added:%Y-%m-%d})"
    )


def thumbnail(image):
    if image is None:
        return ""
    # Empty alt: the alt text is written beside it, and would be read twice.
    return format_html(
        '<img src="{}" alt="" width="96" class="admin-thumbnail"> {}',
        image.file.url,
        image.alt or "No alt text",
    )


class ImageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return image_label(obj)


class PostAuthorInline(LabelledInline):
    model = PostAuthor
    extra = 0
    autocomplete_fields = ["author"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.autocomplete_fields:
            kwargs["widget"] = AutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class PostImageInline(LabelledInline):
    """The images the body refers to, shown as pictures with their alt text;
    the import path stays out of sight (export needs it, people don't)."""

    model = PostImage
    extra = 0
    fields = ["preview", "image", "reference"]
    readonly_fields = ["preview"]

    @admin.display(description="image")
    def preview(self, link):
        return thumbnail(link.image if link.image_id else None)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "image":
            kwargs["form_class"] = ImageChoiceField
            kwargs["label"] = "file"
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReviewCommentInline(LabelledInline):
    model = ReviewComment
    extra = 1
    fields = ["line", "text", "resolved", "created_by", "created_at"]
    readonly_fields = ["created_by", "created_at"]
    verbose_name_plural = "review comments (on a line of the Markdown, or general)"


class PostAdminForm(forms.ModelForm):
    """The post form: a blank slug is filled from the title, and a form loaded
    before someone else saved the post is refused with what changed."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        label="Why",
        required=False,
        max_length=300,
        help_text="What this save changes and why, for the revision history.",
    )

    class Meta:
        model = Post
        fields = "__all__"  # noqa: DJ007 (the ModelAdmin's fieldsets choose)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.meanwhile = None
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = "Filled from the title when left empty."
        if self.instance.pk:
            self.initial["version"] = revisions.version(self.instance)
        shown = getattr(self.instance, "shown_change", None)
        if shown is not None and "tags" in self.fields:
            self.initial["tags"] = [SimpleNamespace(name=n) for n in shown["tags"]]

    def clean_body(self):
        body = self.cleaned_data["body"]
        try:
            markdown.render(body)  # only to see that it renders within the limits
        except markdown.MarkdownError as exc:
            raise ValidationError(f"This body cannot be published: {exc}.") from None
        return body

    def clean(self):
        data = super().clean()
        if "slug" in self.fields and not data.get("slug") and data.get("title"):
            language = data.get("language") or self.instance.language
            others = Post.objects.in_language(language).exclude(pk=self.instance.pk)
            data["slug"] = unique_slug(others, data["title"], "post")
        if data.get("language") and self.instance.translation_key:
            clash = self.instance.translations().filter(language=data["language"])
            if clash.exists():
                self.add_error(
                    "language",
                    f"“{clash.first()}” is already this post's translation in "
                    "that language.",
                )
        if self.instance.pk:
            self._refuse_if_stale(data.get("version") or "")
        return data

    def _refuse_if_stale(self, token):
        # Inside the admin's transaction: the lock holds until the save is done.
        current = Post.objects.select_for_update().get(pk=self.instance.pk)
        self.meanwhile = revisions.changed_since(current, token)
        if self.meanwhile is None:
            return
        # Saving this form again overwrites knowingly, after seeing the diff.
        self.data = self.data.copy()
        self.data[self.add_prefix("version")] = revisions.version(current)
        who = sorted(
            {str(item.created_by or "the system") for item in self.meanwhile.revisions}
            | {str(entry.user or "the system") for entry in self.meanwhile.entries}
        )
        raise ValidationError(
            "This post was changed by %(who)s while you were editing it. Your "
            "changes were not saved; they are still in the form. Compare them with "
            "what changed meanwhile (below), then save again to overwrite it.",
            code="stale",
            params={"who": ", ".join(who) or "someone else"},
        )


class PendingFilter(admin.SimpleListFilter):
    title = "pending changes"
    parameter_name = "pending"

    def lookups(self, request, model_admin):
        return [("yes", "Live with pending changes")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(
                status=Post.Status.PUBLISHED, has_pending_change=True
            )
        return queryset


class DateFilter(admin.SimpleListFilter):
    """Find the imported drafts that wait for a date, and the expired posts."""

    title = "date"
    parameter_name = "dated"

    def lookups(self, request, model_admin):
        return [("no", "Waiting for a date"), ("expired", "Expired")]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(published_at=None)
        if self.value() == "expired":
            return queryset.filter(
                status=Post.Status.PUBLISHED, expires_at__lte=timezone.now()
            )
        return queryset


@admin.register(Post)
class PostAdmin(PostAdminViews, admin.ModelAdmin):
    form = PostAdminForm
    change_form_template = "admin/news/post/change_form.html"
    change_list_template = "admin/news/post/change_list.html"
    list_display = [
        "thumbnail_shown",
        "title_shown",
        "status_shown",
        "author_names",
        "category",
        "tag_names",
        "published_at",
        "updated_at",
    ]
    # The title opens the post; the thumbnail beside it is decoration.
    list_display_links = ["title_shown"]
    list_filter = [
        "status",
        PendingFilter,
        DateFilter,
        ("authors", SelectOnlyFilter),
        ("category", SelectFilter),
        ("tags", SelectFilter),
    ]
    list_per_page = 50
    Media = ListMedia
    search_fields = ["title", "slug", "summary", "body", "authors__name"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["status", "created_at", "updated_at"]
    inlines = [PostAuthorInline, PostImageInline, ReviewCommentInline]
    list_select_related = ["category"]
    actions = [
        "submit_posts",
        "approve_posts",
        "publish_posts",
        "unpublish_posts",
        export_zip,
    ]
    fieldsets = [
        (
            None,
            {"fields": ["title", "slug", "summary", "body", "reason", "version"]},
        ),
        (
            "Publication",
            {
                "fields": [
                    "status",
                    "published_at",
                    "planned_for",
                    "lastmod",
                    "expires_at",
                    "category",
                    "tags",
                ]
            },
        ),
        ("Media", {"fields": ["banner"]}),
        (
            "More",
            {"classes": ["collapse"], "fields": ["extra", "created_at", "updated_at"]},
        ),
    ]

    # Dates that only whoever may publish or schedule sets.
    PUBLISHER_FIELDS = ["published_at", "planned_for", "lastmod"]

    def has_export_permission(self, request):
        return request.user.has_perm("news.export_post")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if "body" in form.base_fields:
            # modelform_factory made this class for this request: its fields
            # are its own.
            form.base_fields["body"].widget = MarkdownEditor(
                post=obj.pk if obj is not None else None,
                may_upload=request.user.has_perm("news.add_image"),
            )
        return form

    def get_fieldsets(self, request, obj=None):
        fieldsets = self._with_languages(super().get_fieldsets(request, obj), obj)
        if workflow.can(request.user, "publish"):
            return fieldsets
        return [
            (
                name,
                {
                    **options,
                    "fields": [
                        f for f in options["fields"] if f not in self.PUBLISHER_FIELDS
                    ],
                },
            )
            for name, options in fieldsets
        ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(db_field, models.DateTimeField):
            return labelled(formfield, capfirst(db_field.verbose_name))
        return formfield

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "banner":
            kwargs["form_class"] = ImageChoiceField
            kwargs["widget"] = ImageThumbnailSelect
            kwargs["queryset"] = Image.objects.prefetch_related("renditions")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _with_languages(self, fieldsets, obj):
        """On a site in several languages, the post's language beside its slug,
        and its translations under it."""
        if not languages.is_multilingual():
            return fieldsets
        (name, options), *rest = fieldsets
        fields = list(options["fields"])
        fields.insert(fields.index("slug") + 1, "language")
        shown = [(name, {**options, "fields": fields}), *rest]
        if obj is not None and obj.pk:
            shown.insert(1, ("Translations", {"fields": ["translations_shown"]}))
        return shown

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        if languages.is_multilingual():
            shown = [*shown[:3], "language", *shown[3:]]
        return shown

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        return ["language", *filters] if languages.is_multilingual() else filters

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "translations_shown"]

    @admin.display(description="translations")
    def translations_shown(self, post):
        """Each translation with its state, and a way to start the missing ones."""
        rows = [
            format_html(
                '<li lang="{}">{}: <a href="{}">{}</a> ({})</li>',
                other.language,
                languages.name(other.language),
                reverse("admin:news_post_change", args=[other.pk]),
                other.title,
                other.state_label().lower(),
            )
            for other in translations.group(post).values()
            if other.pk != post.pk
        ] + [
            format_html(
                '<li><a href="{}">Translate into {}</a></li>',
                reverse("admin:news_post_translate", args=[post.pk, code]),
                languages.name(code),
            )
            for code in translations.missing(post)
        ]
        return format_html(
            '<ul class="translations">{}</ul>',
            format_html_join("", "{}", ((row,) for row in rows)),
        )

    def view_on_site(self, post):
        # Anything not public would lead to a 404: it has "Preview" instead.
        return post.get_absolute_url() if post.is_published else None

    # -- what each user sees and may change ----------------------------------------

    def get_queryset(self, request):
        pending = Revision.objects.filter(post=OuterRef("pk")).exclude(
            pending_status=""
        )
        latest = AuditEntry.objects.filter(post=OuterRef("pk")).order_by("-at", "-id")
        posts = (
            super()
            .get_queryset(request)
            .prefetch_related("tags", "authors", "banner__renditions")
            .annotate(
                has_pending_change=Exists(pending),
                last_transition=Subquery(latest.values("transition")[:1]),
            )
        )
        return revisions.viewable(posts, request.user)

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or revisions.can_view(request.user, obj))

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or revisions.can_edit(request.user, obj))

    def get_object(self, request, object_id, from_field=None):
        post = super().get_object(request, object_id, from_field)
        if post is not None and revisions.edit_is_pending(post, request.user):
            pending = post.pending_change()
            if pending is not None:
                # Whoever may not publish edits the pending change, not the live post.
                load(post, pending.values)
                post.shown_change = pending.values
        return post

    @admin.display(description="title", ordering="title")
    def title_shown(self, post):
        return truncated(post.title)

    @admin.display(description="banner")
    def thumbnail_shown(self, post):
        # Beside the title, which says what it is: decorative.
        if post.banner is None:
            return ""
        return format_html(
            '<img class="list-thumb" src="{}" alt="" loading="lazy">',
            library.thumbnail_url(post.banner),
        )

    @admin.display(description="status", ordering="status")
    def status_shown(self, post):
        label = post.state_label()
        if post.status == Post.Status.PUBLISHED and post.has_pending_change:
            label = "Published, with pending changes"
        badge = format_html(
            '<span class="state-badge state-{}">{}</span>', post.status, label
        )
        if post.last_transition == "request_changes":
            return format_html(
                '{} <span class="state-badge state-requested">Changes requested</span>',
                badge,
            )
        return badge

    @admin.display(description="authors")
    def author_names(self, post):
        return ", ".join(author.name for author in post.authors.all())

    @admin.display(description="tags")
    def tag_names(self, post):
        names = ", ".join(sorted(tag.name for tag in post.tags.all()))
        return truncated(names, 30, "truncated truncated-short")

    # -- saving: every save is a revision, or a pending change of a live post ------

    def save_model(self, request, obj, form, change):
        """Save nothing yet: save_related saves the post and its relations as one
        edit (news.editorial.revisions.save_edit)."""

    def save_related(self, request, form, formsets, change):
        post = form.instance
        content = [f for f in formsets if f.model is not ReviewComment]

        def save():
            post.save()
            form.save_m2m()
            for formset in content:
                self.save_formset(request, form, formset, change)
            uploads.link(post)
            # Rendered once the image links are as the inlines and the uploads
            # left them.
            renditions.render(post)
            Post.objects.filter(pk=post.pk).update(body_html=post.body_html)

        revision = revisions.save_edit(
            post,
            by=request.user,
            save=save,
            reason=form.cleaned_data.get("reason") or "edited in the admin",
        )
        if change and "expires_at" in form.changed_data and not revision.pending_status:
            workflow.record_expiry(post, by=request.user)
        for formset in formsets:
            if formset.model is ReviewComment:
                self.save_formset(request, form, formset, change)
        # What the form kept while it was open is saved now.
        autosave.discard(request.user, post if change else None)
        if revision.pending_status:
            messages.info(
                request,
                "The live post is unchanged: your edit is a pending change that goes "
                "through review and replaces the live version when published.",
            )

    def save_formset(self, request, form, formset, change):
        if formset.model is ReviewComment:
            for comment in formset.save(commit=False):
                comment.created_by = comment.created_by or request.user
                comment.save()
            for comment in formset.deleted_objects:
                comment.delete()
            return
        super().save_formset(request, form, formset, change)

    # -- workflow --------------------------------------------------------------------

    def get_actions(self, request):
        actions = super().get_actions(request)
        for name in ["submit", "approve", "publish", "unpublish"]:
            if not workflow.can(request.user, name):
                actions.pop(f"{name}_posts", None)
        return actions

    def _run_on_each(self, request, queryset, name, done):
        succeeded, refused = [], []
        for post in queryset:
            try:
                workflow.run(name, post, by=request.user)
            except workflow.TransitionNotAllowed as exc:
                refused.append(str(exc))
            else:
                succeeded.append(f"“{post}”")
        if succeeded:
            messages.success(
                request, f"{done} {len(succeeded)}: {', '.join(succeeded)}."
            )
        for reason in refused:
            messages.warning(request, f"Refused: {reason}")

    @admin.action(description="Submit the selected posts for review")
    def submit_posts(self, request, queryset):
        self._run_on_each(request, queryset, "submit", "Submitted")

    @admin.action(description="Approve the selected posts")
    def approve_posts(self, request, queryset):
        self._run_on_each(request, queryset, "approve", "Approved")

    @admin.action(description="Publish the selected posts")
    def publish_posts(self, request, queryset):
        self._run_on_each(request, queryset, "publish", "Published")

    @admin.action(description="Unpublish the selected posts")
    def unpublish_posts(self, request, queryset):
        self._run_on_each(request, queryset, "unpublish", "Unpublished")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        post = self.get_object(request, object_id)
        if post is not None:
            extra_context = {
                **(extra_context or {}),
                "transitions": workflow.allowed(request.user, post),
                "pending": post.pending_change()
                if post.status == Post.Status.PUBLISHED
                else None,
                "audit_entries": post.audit_entries.select_related("user")[:50],
                "preview_links": post.preview_links.filter(revoked=False),
                "present": autosave.others(request.user, post),
            }
            request_entry = post.audit_entries.select_related("user").first()
            if request_entry and request_entry.transition == "request_changes":
                extra_context["changes_requested"] = request_entry
            if any(t.name in workflow.CHECKED for t in extra_context["transitions"]):
                extra_context["findings"] = workflow.findings(post)
            if request.method == "GET":
                extra_context.update(self._autosaved(request, post))
        return super().change_view(request, object_id, form_url, extra_context)

    def add_view(self, request, form_url="", extra_context=None):
        if request.method == "GET":
            extra_context = {**(extra_context or {}), **self._autosaved(request, None)}
        return super().add_view(request, form_url, extra_context)

    def _autosaved(self, request, post):
        """Offer back what the form kept when it was last closed unsaved."""
        slot = autosave.offered(request.user, post)
        if slot is None:
            return {}
        values = {name: getattr(slot, name) for name in autosave.FIELDS}
        return {"autosaved": slot, "autosaved_values": values}

    def get_urls(self):
        return self.workflow_urls() + super().get_urls()
