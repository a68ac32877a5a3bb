from django.core.management.base import BaseCommand

from news.public import search


class Command(BaseCommand):
    help = (
        "Index every post for search anew (SQLite's FTS5 table). Posts are kept "
        "in step as they change; run this after writing posts past the services "
        "(bulk loads, SQL by hand). On PostgreSQL the indexes follow the table "
        "by themselves, and this does nothing."
    )

    def handle(self, *args, **options):
        count = search.rebuild()
        if options["verbosity"]:
            self.stdout.write(self.style.SUCCESS(f"Indexed {count} posts for search."))
