from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from news.integrations import webhooks


class Command(BaseCommand):
    help = (
        "Delete finished webhook deliveries (delivered, failed, refused or "
        "skipped) older than --older-than days from the delivery log. Deliveries "
        "still waiting for an attempt are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=30,
            metavar="DAYS",
            help="Only deliveries made this many days ago or more "
            "(default: %(default)s).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count them without deleting.",
        )

    def handle(self, *args, **options):
        if options["older_than"] < 0:
            raise CommandError("--older-than must be 0 or more days.", returncode=2)
        count = webhooks.prune(
            timedelta(days=options["older_than"]), dry_run=options["dry_run"]
        )
        verb = "would be deleted" if options["dry_run"] else "deleted"
        if options["verbosity"] >= 1:
            self.stdout.write(self.style.SUCCESS(f"{count} delivery(ies) {verb}."))
