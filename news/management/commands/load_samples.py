import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from news import languages
from news.documents.importer import Importer
from news.models import Category, MenuItem

DEMO_USERNAME = "demo"


class Command(BaseCommand):
    help = (
        "Import the project's sample posts (idempotent; with a Chinese "
        "translation when the site has English and Chinese), give a site without a "
        "menu one, and, when the site has no users, create a local demo "
        "superuser and print its credentials."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-demo-user",
            action="store_true",
            help="Do not create the demo account.",
        )

    def handle(self, *args, **options):
        self.verbosity = options["verbosity"]
        sources = [settings.BASE_DIR / "samples"]
        if languages.match("en") and languages.match("zh-hans"):
            # The Chinese translation of an English sample post (the same
            # translationKey): only a site with both languages can show it.
            sources.append(settings.BASE_DIR / "samples-translated")
        report = Importer().run(sources)
        for problem in report.problems:
            self.stderr.write(str(problem))
        self.stdout.write(f"Sample posts: {report.summary()}")
        if not report.ok:
            raise CommandError("Some sample posts failed to import.")
        self.ensure_menu()
        if not options["no_demo_user"]:
            self.ensure_demo_user()

    def ensure_menu(self):
        """Give a site whose menus are empty a header menu: home, the samples'
        categories, tags, authors and archive. A menu editors made is kept."""
        if MenuItem.objects.exists():
            return
        pages, categories = MenuItem.Page, Category.objects.order_by("name")
        items = [MenuItem(page=pages.HOME)]
        items += [MenuItem(category=category) for category in categories]
        items += [MenuItem(page=page) for page in (pages.TAGS, pages.AUTHORS)]
        items.append(MenuItem(page=pages.ARCHIVE))
        for position, item in enumerate(items):
            item.position = position
            item.save()
        if self.verbosity:
            self.stdout.write(f"Menu: {len(items)} links")

    def ensure_demo_user(self):
        User = get_user_model()
        login_file = settings.VAR_DIR / "demo-login.txt"
        if User.objects.exists():
            if (
                User.objects.filter(username=DEMO_USERNAME).exists()
                and login_file.exists()
            ):
                self.stdout.write(f"Demo account: see {login_file}")
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(DEMO_USERNAME, "demo@localhost", password)
        login_file.parent.mkdir(parents=True, exist_ok=True)
        login_file.write_text(f"username: {DEMO_USERNAME}\npassword: {password}\n")
        login_file.chmod(0o600)
        self.stdout.write(
            self.style.WARNING(
                "\nCreated a LOCAL DEMO superuser for this development site only:\n"
                f"    username: {DEMO_USERNAME}\n    password: {password}\n"
                f"(also saved in {login_file}). Sign in at /admin/ on the site's"
                " address (make run prints it).\n"
            )
        )
