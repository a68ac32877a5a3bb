from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django_tasks import TaskResultStatus

from news.media import orphans
from news.media.images import StorageError


class Command(BaseCommand):
    help = (
        "List (--dry-run) or remove the files in the media storage's images/ and "
        "renditions/ folders that no image or rendition refers to, e.g. left by an "
        "import that was killed. Files younger than --older-than minutes are kept, "
        "as an import running now may not have committed their rows yet."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List the orphan files without removing them.",
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue the removal as a task for the workers instead of doing it "
            "here.",
        )
        parser.add_argument(
            "--older-than",
            type=int,
            default=int(orphans.DEFAULT_GRACE.total_seconds() // 60),
            metavar="MINUTES",
            help="Only files last written this many minutes ago or more "
            "(default: %(default)s).",
        )

    def handle(self, *args, **options):
        if options["older_than"] < 0:
            raise CommandError("--older-than must be 0 or more minutes.", returncode=2)
        grace = timedelta(minutes=options["older_than"])
        if options["enqueue"]:
            if options["dry_run"]:
                raise CommandError(
                    "--dry-run lists here; it cannot be queued.", returncode=2
                )
            return self.enqueue(grace)
        try:
            report = orphans.purge(grace=grace, dry_run=options["dry_run"])
        except StorageError as exc:
            raise CommandError(str(exc)) from exc
        listed = report.orphans if options["dry_run"] else report.removed
        verb = "would remove" if options["dry_run"] else "removed"
        if options["verbosity"] >= 1:
            for orphan in listed:
                self.stdout.write(f"{verb}: {orphan.name} ({orphan.size} bytes)")
        total = sum(orphan.size for orphan in listed)
        self.stdout.write(
            self.style.SUCCESS(f"{len(listed)} orphan file(s), {total} bytes, {verb}.")
        )

    def enqueue(self, grace):
        result = orphans.purge_task.enqueue(int(grace.total_seconds()))
        # The immediate backend has run it already; a worker has not.
        if result.status == TaskResultStatus.SUCCESSFUL:
            removed = result.return_value
            self.stdout.write(
                self.style.SUCCESS(
                    f"{removed['files']} orphan file(s), {removed['bytes']} bytes, "
                    "removed."
                )
            )
        elif result.status == TaskResultStatus.FAILED:
            raise CommandError(result.errors[-1].traceback.strip().splitlines()[-1])
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Queued the removal of orphan files for the workers ({result.id})."
                )
            )
