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

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults
from django.views.decorators.http import require_POST

from .. import languages
from ..documents import markdown
from ..documents.exporter import ZipWriter, export, posts_for_export
from ..documents.importer import ImportBusy, Importer, SourceError, jobs
from ..documents.values import document
from ..media import uploads
from ..models import ImportJob, Post, Revision
from . import previews, revisions, translations, workflow
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
        post = self._post_or_404(request, object_id)
        history = list(post.revisions.select_related("created_by"))
        live = document(Post.objects.get(pk=post.pk))
        documents = {str(r.pk): r.document for r in history} | {"live": live}
        old = request.GET.get("a") or (str(history[0].pk) if history else "live")
        new = request.GET.get("b") or "live"
        if old not in documents or new not in documents:
            raise Http404("No such revision.")
        names = {str(r.pk): _revision_name(r) for r in history} | {
            "live": "the post as it is now"
        }
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Revisions of “{post}”",
            "post": post,
            "history": history,
            "a": old,
            "b": new,
            "diff": revisions.diff(
                documents[old],
                documents[new],
                old_label=names[old],
                new_label=names[new],
            ),
            "may_restore": self.has_change_permission(request, post),
        }
        return TemplateResponse(request, "admin/news/post/revisions.html", context)

    def restore_view(self, request, object_id, revision_id):
        post = self._post_or_404(request, object_id)
        revision = get_object_or_404(post.revisions, pk=revision_id)
        restored = revisions.restore(revision, by=request.user)
        if restored.pending_status:
            messages.info(request, "Restored as a pending change of the live post.")
        else:
            messages.success(request, f"Restored {_revision_name(revision)}.")
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
            html = uploads.render(request.POST.get("body", ""), post)
        except markdown.MarkdownError as exc:
            return JsonResponse({"error": f"Cannot preview: {exc}."}, status=400)
        return JsonResponse({"html": html})

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
        previous = (month - datetime.timedelta(days=1)).replace(day=1)
        following = (month + datetime.timedelta(days=31)).replace(day=1)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Calendar: {month:%B %Y}",
            "weeks": [[(day, days[day]) for day in week] for week in weeks],
            "month": month,
            "today": today,
            "previous": f"{previous:%Y-%m}",
            "following": f"{following:%Y-%m}",
            "current_month": f"{month:%Y-%m}",
            "language": language,
            "language_filter": languages.filter_choices(language),
            "multilingual": languages.is_multilingual(),
        }
        return TemplateResponse(request, "admin/news/post/calendar.html", context)

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


def _revision_name(revision):
    when = timezone.localtime(revision.created_at)
    return f"the revision of {when:%Y-%m-%d %H:%M:%S}"


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
