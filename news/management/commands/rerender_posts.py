from django.core.management.base import BaseCommand, CommandError

from news.media.images import StorageError
from news.media.renditions import rerender
from news.models import Post


class Command(BaseCommand):
    help = (
        "Render every post's Markdown to HTML again, making the renditions its "
        "images lack, e.g. after a renderer upgrade or a change of media storage."
    )

    def handle(self, *args, **options):
        total = Post.objects.count()
        try:
            changed = rerender(Post.objects.all())
        except StorageError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Re-rendered {total} posts; {changed} changed.")
        )
