from django.core.management.base import BaseCommand, CommandError

from news.media.images import StorageError
from news.media.rerendering import DEFAULT_CHUNK_SIZE, rerender_all


def positive(value):
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Render every post's Markdown to HTML again, making the renditions its "
        "images lack, e.g. after a renderer upgrade or a change of media storage. "
        "The posts are split into chunks, each queued as a task for the workers, "
        "or rendered here and now with --now."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            action="store_true",
            help="Render in this process instead of queueing tasks for the workers.",
        )
        parser.add_argument(
            "--chunk-size",
            type=positive,
            default=DEFAULT_CHUNK_SIZE,
            metavar="N",
            help="Posts per task (default: %(default)s).",
        )

    def handle(self, *args, **options):
        try:
            report = rerender_all(size=options["chunk_size"], now=options["now"])
        except StorageError as exc:
            raise CommandError(str(exc)) from exc
        if report.queued:
            self.stdout.write(
                f"Queued {report.queued} posts in chunks of up to "
                f"{options['chunk_size']} for the workers."
            )
        if report.rendered or not report.queued:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Re-rendered {report.rendered} posts; {report.changed} changed."
                )
            )
        if report.failures:
            raise CommandError(
                f"{len(report.failures)} chunk(s) failed: " + "; ".join(report.failures)
            )
