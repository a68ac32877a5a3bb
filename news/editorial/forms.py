import posixpath
import zipfile

from django import forms
from django.core.exceptions import ValidationError

from ..documents.frontmatter import keymap, oldurls
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
    old_url = forms.CharField(
        required=False,
        label="Old URL pattern",
        help_text="The old site's permalink pattern, such as "
        "/:year/:month/:day/:slug/ (placeholders: "
        + " ".join(f":{name}" for name in oldurls.PLACEHOLDERS)
        + "). Those URLs redirect to the posts.",
    )
    field_map = forms.CharField(
        required=False,
        label="Field mapping",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 40}),
        help_text="One KEY=FIELD a line, such as heroImage=banner: the "
        "front-matter key KEY is read as FIELD (title, date, category, tags, "
        "banner, authors, summary, slug, draft, updated, expires, aliases, "
        "language, translation_key).",
    )
    mdx = forms.BooleanField(
        required=False,
        label="Include .mdx files",
        help_text="Read .mdx files as Markdown (skipped otherwise).",
    )
    include_layouts = forms.CharField(
        required=False,
        label="Include layouts",
        help_text="Layouts of pages to import as posts all the same, separated "
        "by spaces (page, home, ...; skipped otherwise).",
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

    def clean_old_url(self):
        pattern = self.cleaned_data["old_url"].strip()
        try:
            return oldurls.check_pattern(pattern) if pattern else ""
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    def clean_field_map(self):
        try:
            return keymap.read_map_file(self.cleaned_data["field_map"], "")
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    def clean_include_layouts(self):
        return self.cleaned_data["include_layouts"].replace(",", " ").split()

    def clean_status(self):
        status = self.cleaned_data["status"]
        if status == Post.Status.PUBLISHED and not workflow.can(self.user, "publish"):
            raise ValidationError("You may not publish posts; import them as drafts.")
        return status

    def importer_options(self):
        """Return the Importer's options the form gives (the command line's
        --site-root, --status, --old-url, --map, --mdx, --include-layout,
        --overwrite and --dry-run), as JSON, so that a job can keep them."""
        data = self.cleaned_data
        return {
            "site_root": data["site_root"],
            "status": data["status"],
            "old_url": data["old_url"] or None,
            "field_map": data["field_map"],
            "mdx": data["mdx"],
            "include_layouts": data["include_layouts"],
            "overwrite": data["overwrite"],
            "dry_run": data["dry_run"],
        }

    def archive(self):
        """Return the uploaded .zip, or None for a set of files."""
        files = self.cleaned_data["files"]
        return files[0] if files[0].name.lower().endswith(".zip") else None

    def source(self):
        files = self.cleaned_data["files"]
        if files[0].name.lower().endswith(".zip"):
            return ZipSource(files[0])
        return UploadSource(files)
