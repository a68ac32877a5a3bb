import json
import os
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from news.documents.frontmatter import keymap
from news.documents.importer import ImportBusy, Importer
from news.models import Post


class Command(BaseCommand):
    help = (
        "Import front-matter Markdown posts and their images from files, "
        "directories (recursively) and .zip archives."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument(
            "--dry-run", action="store_true", help="Report everything, write nothing."
        )
        parser.add_argument(
            "--site-root",
            default="",
            metavar="DIR",
            help="The folder the site publishes as /, where /img/... paths resolve: "
            "anywhere, absolute, a folder of the import root, or else relative to "
            "the current directory (default: the import root).",
        )
        parser.add_argument(
            "--status",
            choices=[Post.Status.DRAFT, Post.Status.PUBLISHED],
            default=Post.Status.PUBLISHED,
            help="Status of posts whose front matter does not say `draft: true`.",
        )
        parser.add_argument(
            "--author", metavar="NAME", help="Author of posts without one."
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument(
            "--wait",
            type=float,
            default=300,
            metavar="SECONDS",
            help="How long to wait for another import on this database to finish "
            "(default: 300).",
        )
        parser.add_argument(
            "--old-url",
            metavar="PATTERN",
            help="The permalink pattern of the site the files come from, such as "
            "'/:year/:month/:day/:slug.html' (placeholders: :year :month :day :slug "
            ":title :section :categories :filename). A post's old URL answers 301 to "
            "it. Default: the front matter's permalink or url, else detected "
            "(Jekyll's _posts).",
        )
        parser.add_argument(
            "--mdx",
            action="store_true",
            help="Import .mdx files as Markdown, JSX lines left in place "
            "(default: skip them).",
        )
        parser.add_argument(
            "--include-layout",
            action="append",
            default=[],
            metavar="LAYOUT",
            help="Import files whose front matter has this non-post layout "
            "(page, home, ...), which are skipped otherwise. Repeatable.",
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="KEY=FIELD",
            help="Read the front-matter key KEY as the field FIELD (title, date, "
            "category, tags, banner, authors, summary, slug, draft, updated, "
            "expires, aliases, language, translation_key), e.g. heroImage=banner; "
            "a dotted KEY is a key inside a table (params.cover=banner). "
            "Repeatable; export writes the field back under KEY.",
        )
        parser.add_argument(
            "--map-file",
            metavar="FILE",
            help="A file of KEY=FIELD lines, read before --map.",
        )
        parser.add_argument(
            "--processes",
            type=int,
            default=_default_processes(),
            metavar="N",
            help="Helper processes that read, parse and check the files of a "
            "directory ahead of the one being written; 0 reads each in turn "
            "(default: 1 on a machine with more than one CPU, else 0).",
        )
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Replace posts edited in the admin since their import.",
        )

    def handle(self, *paths, **options):
        if options["processes"] < 0:
            raise CommandError("--processes cannot be negative", returncode=2)
        for path in options["paths"]:
            if not Path(path).exists():
                raise CommandError(f"{path}: no such file or directory", returncode=2)
        field_map = self._field_map(options)
        try:
            importer = Importer(
                site_root=options["site_root"],
                status=options["status"],
                author=options["author"],
                overwrite=options["overwrite"],
                dry_run=options["dry_run"],
                progress=self._progress_bar(options),
                wait=options["wait"],
                old_url=options["old_url"],
                mdx=options["mdx"],
                include_layouts=options["include_layout"],
                field_map=field_map,
                processes=options["processes"],
            )
        except ValueError as exc:
            raise CommandError(f"--old-url {exc}", returncode=2) from exc
        try:
            report = importer.run(options["paths"])
        except ImportBusy as exc:
            raise CommandError(str(exc), returncode=1) from exc
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        finally:
            if self.bar is not None:
                self.bar.close()
        if options["format"] == "json":
            self.stdout.write(
                json.dumps(report.as_dict(), ensure_ascii=False, indent=2)
            )
        else:
            for problem in report.problems:
                if problem.level == "error":
                    self.stderr.write(str(problem))
                elif problem.level == "info" and options["verbosity"] >= 1:
                    self.stdout.write(str(problem))
                elif options["verbosity"] >= 1:
                    self.stdout.write(self.style.WARNING(str(problem)))
            style = self.style.SUCCESS if report.ok else self.style.ERROR
            self.stdout.write(style(report.summary()))
        if not report.ok:
            raise CommandError(
                f"{report.failed} file(s) failed to import.", returncode=1
            )

    def _field_map(self, options):
        field_map = {}
        try:
            if name := options["map_file"]:
                try:
                    text = Path(name).read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError) as exc:
                    raise ValueError(f"{name}: cannot be read ({exc})") from None
                field_map |= keymap.read_map_file(text, name)
            return field_map | keymap.parse_map(options["map"])
        except ValueError as exc:
            raise CommandError(f"--map: {exc}", returncode=2) from exc

    def _progress_bar(self, options):
        self.bar = None
        if options["format"] != "text" or options["verbosity"] < 1:
            return None
        if not self.stderr.isatty():
            return None
        self.bar = tqdm(unit=" files", file=sys.stderr, leave=False)
        return lambda relpath: self.bar.update(1)


def _default_processes():
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    return 1 if cpus > 1 else 0
