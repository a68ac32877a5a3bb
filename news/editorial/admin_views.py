"""The post admin's own pages: workflow buttons, history, previews, the editor's
live preview and image upload, the planning calendar, and Markdown import and
export.

Each view parses the request, calls one domain function (news.editorial's
workflow, revisions and previews, news.media.uploads) and reports.
"""

import calendar
import datetime
import logging
import tempfile

from csp.constants import SELF
from csp.decorators import csp_replace
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from .. import languages
from ..documents import display, markdown
from ..documents.exporter import ZipWriter, export, posts_for_export
from ..documents.importer import ImportBusy, Importer, SourceError, jobs
from ..documents.values import document, snapshot
from ..media import uploads
from ..models import ImportJob, Post, Revision
from ..public import fragments
from . import autosave, history, previews, revisions, translations, workflow
from .forms import ImportForm

# Uploads larger than this are refused before Pillow reads them.
MAX_UPLOAD_BYTES = uploads.MAX_UPLOAD_BYTES
logger = logging.getLogger(__name__)


class TransitionForm(forms.Form):
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}), required=False
    )
    at = forms.DateTimeField(
        label="Publish at",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text="Leave empty to publish now (or keep the post's date); a future "
        "time schedules the post.",
    )

    def __init__(self, *args, transition, **kwargs):
        super().__init__(*args, **kwargs)
        if transition.name != "publish":
            del self.fields["at"]
        if transition.comment_required:
            self.fields["comment"].required = True
            self.fields["comment"].help_text = "Required: say what should change."


class PostAdminViews:
    """Extra admin pages for PostAdmin; see the module docstring."""

    def workflow_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/transition/<str:name>/",
                view(self.transition_view),
                name="news_post_transition",
            ),
            path(
                "<path:object_id>/revisions/",
                view(self.revisions_view),
                name="news_post_revisions",
            ),
            path(
                "<path:object_id>/revisions/<int:revision_id>/restore/",
                view(require_POST(self.restore_view)),
                name="news_post_restore",
            ),
            path(
                "<path:object_id>/preview-link/",
                view(require_POST(self.preview_link_view)),
                name="news_post_preview_link",
            ),
            path(
                "render-markdown/",
                view(require_POST(self.render_markdown_view)),
                name="news_post_render_markdown",
            ),
            path(
                "autosave/",
                view(require_POST(self.autosave_view)),
                name="news_post_autosave",
            ),
            path(
                "autosave/discard/",
                view(require_POST(self.autosave_discard_view)),
                name="news_post_autosave_discard",
            ),
            path(
                "heartbeat/",
                view(require_POST(self.heartbeat_view)),
                name="news_post_heartbeat",
            ),
            path(
                "preview-frame/",
                view(self.preview_frame_view),
                name="news_post_preview_frame",
            ),
            path(
                "upload-image/",
                view(require_POST(self.upload_image_view)),
                name="news_post_upload_image",
            ),
            path(
                "<path:object_id>/translate/<str:language>/",
                view(self.translate_view),
                name="news_post_translate",
            ),
            path("calendar/", view(self.calendar_view), name="news_post_calendar"),
            path(
                "<path:object_id>/reschedule/",
                view(require_POST(self.reschedule_view)),
                name="news_post_reschedule",
            ),
            path("import/", view(self.import_view), name="news_post_import"),
            path(
                "import/<int:job_id>/",
                view(self.import_job_view),
                name="news_post_import_job",
            ),
            path(
                "import/<int:job_id>/cancel/",
                view(require_POST(self.import_cancel_view)),
                name="news_post_import_cancel",
            ),
        ]

    def _post_or_404(self, request, object_id):
        post = self.get_object(request, object_id)
        if post is None or not self.has_view_permission(request, post):
            raise Http404("No such post.")
        return post

    def _change_url(self, post):
        return reverse("admin:news_post_change", args=[post.pk])

    def transition_view(self, request, object_id, name):
        post = self._post_or_404(request, object_id)
        transition = workflow.TRANSITIONS.get(name)
        if transition is None:
            raise Http404("No such transition.")
        data = request.POST if request.method == "POST" else None
        form = TransitionForm(data, transition=transition)
        if request.method == "POST" and form.is_valid():
            options = {"comment": form.cleaned_data["comment"]}
            if form.cleaned_data.get("at"):
                options["at"] = form.cleaned_data["at"]
            try:
                workflow.run(name, post, by=request.user, **options)
            except workflow.TransitionNotAllowed as exc:
                messages.error(request, str(exc))
            else:
                post.refresh_from_db()
                state = post.state_label().lower()
                messages.success(
                    request, f"{transition.label}: done. “{post}” is now {state}."
                )
            return HttpResponseRedirect(self._change_url(post))
        if request.method == "GET" and not workflow.can(request.user, name, post):
            raise PermissionDenied(f"You may not {transition.label.lower()} “{post}”.")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"{transition.label}: {post}",
            "post": post,
            "transition": transition,
            "form": form,
            "findings": workflow.findings(post) if name in workflow.CHECKED else [],
        }
        return TemplateResponse(request, "admin/news/post/transition.html", context)

    def translate_view(self, request, object_id, language):
        """Ask, then start a translation of the post into ``language``."""
        post = self._post_or_404(request, object_id)
        if language not in translations.missing(post):
            raise Http404("No translation to start in that language.")
        if request.method == "POST":
            try:
                draft = translations.translate(post, language, by=request.user)
            except translations.TranslationRefused as exc:
                messages.error(request, str(exc))
                return HttpResponseRedirect(self._change_url(post))
            messages.success(
                request,
                f"Started the {languages.name(language)} translation of “{post}”: "
                "a draft with the original text, to translate and send for review.",
            )
            return HttpResponseRedirect(self._change_url(draft))
        if not revisions.can_edit(request.user, Post()):
            raise PermissionDenied(f"You may not translate “{post}”.")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Translate “{post}” into {languages.name(language)}",
            "post": post,
            "language": languages.name(language),
        }
        return TemplateResponse(request, "admin/news/post/translate.html", context)

    def revisions_view(self, request, object_id):
        """The post's saves and transitions as one timeline, and two versions
        side by side: by default the last two that differ."""
        post = self._post_or_404(request, object_id)
        numbered = history.numbered(post)
        live = Post.objects.get(pk=post.pk)
        versions = {
            str(r.pk): (history.name(r), r.values, r.document) for r in numbered
        } | {"live": ("the post as it is now", snapshot(live), document(live))}
        pair = history.latest_pair(numbered)
        if pair is not None:
            old, new = str(pair[0].pk), str(pair[1].pk)
        else:
            old, new = (str(numbered[0].pk) if numbered else "live"), "live"
        old, new = request.GET.get("a") or old, request.GET.get("b") or new
        if old not in versions or new not in versions:
            raise Http404("No such revision.")
        (old_name, old_values, old_text), (new_name, new_values, new_text) = (
            versions[old],
            versions[new],
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Revisions of “{post}”",
            "post": post,
            "timeline": history.timeline(post, numbered),
            "history": numbered,
            "a": old,
            "b": new,
            "old_name": old_name,
            "new_name": new_name,
            "fields": history.compare(old_values, new_values),
            "diff": revisions.diff(
                old_text, new_text, old_label=old_name, new_label=new_name
            ),
            "may_restore": self.has_change_permission(request, post),
        }
        return TemplateResponse(request, "admin/news/post/revisions.html", context)

    def restore_view(self, request, object_id, revision_id):
        post = self._post_or_404(request, object_id)
        revision = get_object_or_404(post.revisions, pk=revision_id)
        named = history.name(
            next(r for r in history.numbered(post) if r.pk == revision.pk)
        )
        restored = revisions.restore(revision, by=request.user, name=named)
        if restored.pending_status:
            messages.info(
                request, f"Restored {named} as a pending change of the live post."
            )
        else:
            messages.success(request, f"Restored {named}.")
        return HttpResponseRedirect(
            reverse("admin:news_post_revisions", args=[post.pk])
        )

    def preview_link_view(self, request, object_id):
        post = self._post_or_404(request, object_id)
        if not request.user.has_perm("news.add_previewlink"):
            raise PermissionDenied("You may not share previews.")
        revision = None
        if request.POST.get("revision"):
            try:
                revision = post.revisions.get(pk=request.POST["revision"])
            except (Revision.DoesNotExist, ValidationError, ValueError) as exc:
                # Whatever names no revision of this post, "abc" included.
                raise Http404("No such revision.") from exc
        link = previews.create(post, by=request.user, revision=revision)
        url = request.build_absolute_uri(link.get_absolute_url())
        messages.success(
            request,
            f"Preview link, valid until {link.expires_at:%Y-%m-%d %H:%M %Z}: {url}",
        )
        return HttpResponseRedirect(self._change_url(post))

    def render_markdown_view(self, request):
        if not (
            self.has_add_permission(request) or self.has_change_permission(request)
        ):
            raise PermissionDenied("You may not edit posts.")
        post = None
        if request.POST.get("post"):
            post = self._post_or_404(request, request.POST["post"])
        try:
            page = previews.draft(
                post,
                title=request.POST.get("title", ""),
                summary=request.POST.get("summary", ""),
                body=request.POST.get("body", ""),
            )
        except markdown.MarkdownError as exc:
            return JsonResponse({"error": f"Cannot preview: {exc}."}, status=400)
        parts = fragments.render_article({"post": page}, request)
        return JsonResponse(
            {
                "html": page.body_html,
                "article": parts["article"],
                # Counted as the public article counts them.
                "words": display.word_count(page.body_html),
                "minutes": display.reading_minutes(page.body_html),
            }
        )

    def _posted_post(self, request):
        """Return the post the editor's request names (None for a new post)."""
        if not request.POST.get("post"):
            return None
        return self._post_or_404(request, request.POST["post"])

    def autosave_view(self, request):
        """Keep the form's unsaved title, summary and body in the user's slot."""
        post = self._posted_post(request)
        try:
            slot = autosave.keep(
                request.user,
                post,
                title=request.POST.get("title", ""),
                summary=request.POST.get("summary", ""),
                body=request.POST.get("body", ""),
            )
        except PermissionDenied as exc:
            return JsonResponse({"error": str(exc)}, status=403)
        saved = timezone.localtime(slot.saved_at)
        return JsonResponse(
            {"saved_at": saved.isoformat(), "shown": f"{saved:%H:%M:%S}"}
        )

    def autosave_discard_view(self, request):
        autosave.discard(request.user, self._posted_post(request))
        return JsonResponse({"discarded": True})

    def heartbeat_view(self, request):
        """Note that the user has the post open, or closed it (``leaving``);
        answer who else has it open."""
        post = self._posted_post(request)
        if post is None:
            return JsonResponse({"others": []})
        if request.POST.get("leaving"):
            autosave.leave(request.user, post)
            return JsonResponse({"others": []})
        return JsonResponse({"others": autosave.beat(request.user, post)})

    @method_decorator(xframe_options_sameorigin)
    @method_decorator(csp_replace({"frame-ancestors": [SELF]}))
    def preview_frame_view(self, request):
        """The public page the editor's live preview shows the article in."""
        if not (
            self.has_add_permission(request) or self.has_change_permission(request)
        ):
            raise PermissionDenied("You may not edit posts.")
        return TemplateResponse(request, "admin/news/post/preview_frame.html")

    def upload_image_view(self, request):
        if not request.user.has_perm("news.add_image"):
            raise PermissionDenied("You may not upload images.")
        upload = request.FILES.get("image")
        if upload is None:
            return JsonResponse({"error": "Choose an image to upload."}, status=400)
        if upload.size > MAX_UPLOAD_BYTES:
            return JsonResponse({"error": "The image is too large."}, status=400)
        try:
            image, markdown = uploads.store(
                upload.read(), alt=request.POST.get("alt", ""), name=upload.name
            )
        except uploads.UploadRefused as exc:
            return JsonResponse({"error": str(exc)}, status=400)
        except uploads.StorageError:
            logger.warning("could not store an uploaded image", exc_info=True)
            return JsonResponse({"error": uploads.STORAGE_DOWN}, status=503)
        return JsonResponse({"markdown": markdown, "url": image.file.url})

    def calendar_view(self, request):
        today = timezone.localdate()
        try:
            month = datetime.date.fromisoformat(request.GET.get("month", "") + "-01")
        except ValueError:
            month = today.replace(day=1)
        if not datetime.MINYEAR < month.year < datetime.MAXYEAR:
            # The weeks shown, and the months before and after, must be dates.
            month = today.replace(day=1)
        weeks = calendar.Calendar().monthdatescalendar(month.year, month.month)
        first, last = weeks[0][0], weeks[-1][-1]
        days = {day: [] for week in weeks for day in week}
        posts = self.get_queryset(request)
        language = languages.match(request.GET.get("language", ""))
        if language:
            posts = posts.in_language(language)
        for post in posts.filter(
            status=Post.Status.PUBLISHED,
            published_at__date__range=(first, last),
        ):
            days[timezone.localdate(post.published_at)].append(post)
        for post in posts.filter(planned_for__range=(first, last)).exclude(
            status__in=[Post.Status.PUBLISHED, Post.Status.ARCHIVED]
        ):
            days[post.planned_for].append(post)
        # Expiries (embargo ends, takedowns) on the day the post leaves.
        ending = {day: [] for day in days}
        for post in posts.filter(
            status=Post.Status.PUBLISHED, expires_at__date__range=(first, last)
        ):
            ending[timezone.localdate(post.expires_at)].append(post)
        may_schedule = workflow.can(request.user, "publish")
        now = timezone.now()
        for post in (p for listed in days.values() for p in listed):
            post.movable = may_schedule and (
                post.status != Post.Status.PUBLISHED or post.published_at > now
            )
        previous = (month - datetime.timedelta(days=1)).replace(day=1)
        following = (month + datetime.timedelta(days=31)).replace(day=1)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Calendar: {month:%B %Y}",
            "weeks": [
                [(day, days[day], ending[day]) for day in week] for week in weeks
            ],
            "month": month,
            "today": today,
            "previous": f"{previous:%Y-%m}",
            "following": f"{following:%Y-%m}",
            "current_month": f"{month:%Y-%m}",
            "language": language,
            "language_filter": languages.filter_choices(language),
            "multilingual": languages.is_multilingual(),
            "may_schedule": may_schedule,
        }
        return TemplateResponse(request, "admin/news/post/calendar.html", context)

    def reschedule_view(self, request, object_id):
        """Move a post to another day of the calendar (workflow.reschedule)."""
        post = self._post_or_404(request, object_id)
        calendar_url = reverse("admin:news_post_calendar")
        try:
            day = datetime.date.fromisoformat(request.POST.get("day", ""))
        except ValueError:
            messages.error(request, "Choose a day to move the post to.")
            return HttpResponseRedirect(calendar_url)
        try:
            workflow.reschedule(post, by=request.user, day=day)
        except workflow.TransitionNotAllowed as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Moved “{post}” to {day:%A %d %B %Y}.")
        if datetime.MINYEAR < day.year < datetime.MAXYEAR:
            calendar_url += f"?month={day:%Y-%m}"
        return HttpResponseRedirect(calendar_url)

    def import_view(self, request):
        """Import an uploaded .zip on a worker (and go to its progress page),
        or a set of Markdown files here, and show the report."""
        self._may_import(request)
        report = None
        if request.method == "POST":
            form = ImportForm(request.POST, request.FILES, user=request.user)
            if form.is_valid() and form.archive():
                try:
                    job = jobs.start(
                        form.archive(),
                        options=form.importer_options(),
                        user=request.user,
                    )
                except SourceError as exc:
                    form.add_error(None, str(exc))
                else:
                    return HttpResponseRedirect(
                        reverse("admin:news_post_import_job", args=[job.pk])
                    )
            elif form.is_valid():
                importer = Importer(user=request.user, **form.importer_options())
                try:
                    report = importer.run([form.source()])
                except ImportBusy as exc:
                    form.add_error(None, str(exc))
                except ValueError as exc:  # the site root
                    form.add_error(None, str(exc))
        else:
            form = ImportForm(user=request.user)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import Markdown",
            "form": form,
            "report": report,
            "jobs": ImportJob.objects.select_related("created_by")[:10],
        }
        return TemplateResponse(request, "admin/news/post/import.html", context)

    def import_job_view(self, request, job_id):
        """Show how far an import job got: as a page that refreshes itself
        until the job ends, or as JSON (``?format=json``) for its script."""
        self._may_import(request)
        job = get_object_or_404(
            ImportJob.objects.select_related("created_by"), pk=job_id
        )
        if request.GET.get("format") == "json":
            return JsonResponse(
                {
                    "status": job.status,
                    "status_label": job.get_status_display(),
                    "finished": job.finished,
                    "files_done": job.files_done,
                    "files_total": job.files_total,
                    "current_file": job.current_file,
                    "summary": job.report.get("summary", ""),
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Import of {job.name}",
            "job": job,
            "report": job.report,
        }
        return TemplateResponse(
            request, "admin/news/post/import_progress.html", context
        )

    def import_cancel_view(self, request, job_id):
        self._may_import(request)
        job = get_object_or_404(ImportJob, pk=job_id)
        if not job.finished:
            jobs.cancel(job)
            messages.info(
                request, "Cancelling: the import stops after its current file."
            )
        return HttpResponseRedirect(
            reverse("admin:news_post_import_job", args=[job.pk])
        )

    def _may_import(self, request):
        if not request.user.has_perm("news.import_post"):
            raise PermissionDenied("You may not import posts.")


def permission_denied(request, exception):
    """Answer a refusal inside the admin with an admin page that says what was
    refused and where to go, and anywhere else with Django's own 403."""
    site = admin.site
    admin_prefix = reverse(f"{site.name}:index")
    if not (request.path.startswith(admin_prefix) and request.user.is_staff):
        return defaults.permission_denied(request, exception)
    reason = str(exception).rstrip(".") or "You may not open this page"
    context = {
        **site.each_context(request),
        "title": "Not allowed",
        "reason": reason,
        "back": request.headers.get("referer", "")
        if url_has_allowed_host_and_scheme(
            request.headers.get("referer", ""), {request.get_host()}
        )
        else admin_prefix,
    }
    return TemplateResponse(request, "admin/refused.html", context, status=403)


@admin.action(description="Export selected posts as a .zip", permissions=["export"])
def export_zip(model_admin, request, queryset):
    # FileResponse closes the file once the download is sent.
    archive = tempfile.SpooledTemporaryFile(max_size=64 * 1024 * 1024)  # noqa: SIM115
    selected = posts_for_export().filter(pk__in=queryset.values("pk"))
    report = export(selected, ZipWriter(archive))
    archive.seek(0)
    model_admin.message_user(request, report.summary())
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return FileResponse(archive, as_attachment=True, filename=f"posts-{stamp}.zip")
