import posixpath
import zipfile

from django import forms
from django.core.exceptions import ValidationError

from ..documents.importer import MARKDOWN_SUFFIXES, UploadSource, ZipSource
from ..models import Post
from ..slugs import is_root, normalise
from . import workflow

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if not isinstance(data, list | tuple):
            data = [data] if data else []
        if not data and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        return [super(MultipleFileField, self).clean(item, initial) for item in data]


class ImportForm(forms.Form):
    files = MultipleFileField(
        help_text="One .zip archive, or Markdown files with the images they reference."
    )
    status = forms.ChoiceField(
        choices=[(Post.Status.DRAFT, "Draft"), (Post.Status.PUBLISHED, "Published")],
        initial=Post.Status.DRAFT,
        help_text="For posts whose front matter does not say `draft: true`.",
    )
    site_root = forms.CharField(
        required=False,
        help_text="Folder inside the upload where img/... and /img/... paths resolve.",
    )
    overwrite = forms.BooleanField(
        required=False, help_text="Replace posts edited here since their import."
    )
    dry_run = forms.BooleanField(
        required=False, help_text="Report only; change nothing."
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_files(self):
        files = self.cleaned_data["files"]
        archives = [f for f in files if f.name.lower().endswith(".zip")]
        if archives and len(files) > 1:
            raise ValidationError("Upload one .zip archive on its own.")
        for upload in files:
            name = posixpath.basename(upload.name).lower()
            if not name.endswith((".zip", *MARKDOWN_SUFFIXES, *IMAGE_SUFFIXES)):
                raise ValidationError(
                    f"{upload.name}: not a .zip, Markdown or image file."
                )
        if archives and not zipfile.is_zipfile(archives[0]):
            raise ValidationError(f"{archives[0].name}: not a valid zip archive.")
        return files

    def clean_site_root(self):
        # Everything comes from inside the upload: the site root too.
        site_root = self.cleaned_data["site_root"].strip()
        if not is_root(site_root) and normalise(site_root.lstrip("/")) is None:
            raise ValidationError(f"{site_root} leaves the upload.")
        return site_root

    def clean_status(self):
        status = self.cleaned_data["status"]
        if status == Post.Status.PUBLISHED and not workflow.can(self.user, "publish"):
            raise ValidationError("You may not publish posts; import them as drafts.")
        return status

    def archive(self):
        """Return the uploaded .zip, or None for a set of files."""
        files = self.cleaned_data["files"]
        return files[0] if files[0].name.lower().endswith(".zip") else None

    def options(self):
        """Return the Importer's options the form chose (JSON, for a job)."""
        return {
            name: self.cleaned_data[name]
            for name in ("site_root", "status", "overwrite", "dry_run")
        }

    def source(self):
        files = self.cleaned_data["files"]
        if files[0].name.lower().endswith(".zip"):
            return ZipSource(files[0])
        return UploadSource(files)
