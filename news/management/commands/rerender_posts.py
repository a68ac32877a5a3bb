from django.core.management.base import BaseCommand

from news.models import Post


class Command(BaseCommand):
    help = (
        "Render every post's Markdown to HTML again, e.g. after a renderer "
        "upgrade or a change of media storage."
    )

    def handle(self, *args, **options):
        total = Post.objects.count()
        changed = Post.objects.all().rerender()
        self.stdout.write(
            self.style.SUCCESS(f"Re-rendered {total} posts; {changed} changed.")
        )
