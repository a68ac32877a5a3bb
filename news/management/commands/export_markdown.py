from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from news.documents.exporter import DirectoryWriter, ZipWriter, export, posts_for_export
from news.models import Post


def since_date(value):
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(
            f"--since: {value!r} is not a date (use YYYY-MM-DD)"
        ) from exc
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


class Command(BaseCommand):
    help = "Export posts as front-matter Markdown files with their images."

    def add_arguments(self, parser):
        parser.add_argument(
            "out", metavar="OUT", help="A directory, or a .zip with --zip."
        )
        parser.add_argument(
            "--zip", action="store_true", help="Write one .zip archive."
        )
        parser.add_argument("--status", choices=Post.Status.values)
        parser.add_argument(
            "--since", metavar="DATE", help="Only posts changed on or after DATE."
        )
        parser.add_argument("--tag", help="Only posts with this tag.")

    def handle(self, *args, **options):
        posts = posts_for_export(
            status=options["status"],
            since=since_date(options["since"]) if options["since"] else None,
            tag=options["tag"],
        )
        if options["zip"]:
            with open(options["out"], "wb") as fh:
                report = export(posts, ZipWriter(fh))
        else:
            report = export(posts, DirectoryWriter(options["out"]))
        if options["verbosity"] >= 2:
            for path in report.paths:
                self.stdout.write(path)
        self.stdout.write(self.style.SUCCESS(report.summary()))
