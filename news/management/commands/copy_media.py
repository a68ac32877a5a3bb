from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management.base import BaseCommand, CommandError

from news.media.copying import copy_media
from news.media.images import StorageError


class Command(BaseCommand):
    help = (
        "Copy the media files from a local media directory into the configured "
        "storage (e.g. S3), and point the posts' stored HTML at it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--from-dir",
            metavar="DIR",
            default=str(settings.MEDIA_ROOT),
            help="The local media directory to copy from (default: MEDIA_ROOT).",
        )

    def handle(self, *args, **options):
        source_dir = Path(options["from_dir"]).resolve()
        if not source_dir.is_dir():
            raise CommandError(f"{source_dir}: no such directory", returncode=2)
        target_dir = getattr(default_storage, "location", None)
        if target_dir and Path(target_dir).resolve() == source_dir:
            raise CommandError(
                f"The configured storage already is {source_dir}; set "
                "AWS_STORAGE_BUCKET_NAME (see docs/deploying.md) to copy to S3.",
                returncode=2,
            )
        progress = None
        if options["verbosity"] >= 2:
            progress = self.stdout.write
        try:
            report = copy_media(
                FileSystemStorage(location=source_dir), progress=progress
            )
        except StorageError as exc:
            raise CommandError(str(exc)) from exc
        for name in report.missing:
            self.stderr.write(f"{name}: missing from {source_dir}")
        style = self.style.SUCCESS if report.ok else self.style.ERROR
        self.stdout.write(style(report.summary()))
        if not report.ok:
            raise CommandError(
                f"{len(report.missing)} file(s) are missing from {source_dir}."
            )
