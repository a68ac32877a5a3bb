"""Admin pages for moving posts in and out as Markdown: import upload, export action."""

import tempfile

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from .exporter import ZipWriter, export, posts_for_export
from .forms import ImportForm
from .importer import Importer


def import_view(request, model_admin):
    """Import an uploaded .zip or set of Markdown files and show the report."""
    if not request.user.has_perm("news.import_post"):
        raise PermissionDenied
    report = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            report = Importer(
                site_root=form.cleaned_data["site_root"],
                status=form.cleaned_data["status"],
                overwrite=form.cleaned_data["overwrite"],
                dry_run=form.cleaned_data["dry_run"],
                user=request.user,
            ).run([form.source()])
    else:
        form = ImportForm(user=request.user)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "Import Markdown",
        "form": form,
        "report": report,
    }
    return TemplateResponse(request, "admin/news/post/import.html", context)


@admin.action(description="Export selected posts as a .zip", permissions=["export"])
def export_zip(model_admin, request, queryset):
    # FileResponse closes the file once the download is sent.
    archive = tempfile.SpooledTemporaryFile(max_size=64 * 1024 * 1024)  # noqa: SIM115
    report = export(
        posts_for_export().filter(pk__in=queryset.values("pk")), ZipWriter(archive)
    )
    archive.seek(0)
    model_admin.message_user(request, report.summary())
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return FileResponse(archive, as_attachment=True, filename=f"posts-{stamp}.zip")
