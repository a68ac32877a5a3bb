"""Front-matter Markdown files, directories and zip archives -> posts.

One importer serves the ``import_markdown`` command and the admin. Each file is
its own transaction: a file that fails leaves no rows and no stored files, and
the batch goes on. Files are read one at a time, so memory stays flat however
large the tree is.
"""

import time
from contextlib import closing

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from ...editorial import revisions, workflow
from ...media import images, renditions
from ...models import Post, SourceFile
from ...models.relations import (
    category_named,
    set_authors,
    set_image_links,
    set_tags,
)
from ...slugs import default_slug, unique_slug
from .. import frontmatter, markdown
from ..frontmatter import oldurls
from ..values import fingerprint, snapshot
from . import addresses, authors, checks, reading
from . import references as refs
from .lock import import_lock
from .report import ImportFailure, Outcome, Problem, Report
from .sources import DirectorySource, SourceError, open_source, site_root_within


class _DryRunRollback(Exception):
    pass


class Importer:
    """Import posts from files, directories and zip archives.

    ``status`` applies to posts whose front matter does not say ``draft: true``;
    front matter can never publish past it. ``user`` is the person importing
    (None for the command line): posts are only published if they may publish.

    ``starting(relpath)`` is called before each document and ``progress(relpath)``
    after it; ``cancelled()``, asked between documents, stops the run when it
    answers true. Images are stored as they are; their renditions are queued
    for the task workers (news.media.renditions.queue) as the run goes.

    ``processes`` helper processes read, parse and check the files of a
    directory ahead of the one being written (``reading.ahead()``); with 0,
    each file is read when its turn comes.
    """

    def __init__(
        self,
        *,
        site_root="",
        status=Post.Status.PUBLISHED,
        author=None,
        overwrite=False,
        dry_run=False,
        user=None,
        tz=None,
        progress=None,
        starting=None,
        cancelled=None,
        wait=0.0,
        published_url=refs.published_url,
        old_url=None,
        mdx=False,
        include_layouts=(),
        field_map=None,
        processes=0,
    ):
        # More front-matter keys read as fields ({"heroImage": "banner"}: see
        # frontmatter.keymap.parse_map()); kept with each file for export.
        self.field_map = dict(field_map or {})
        self.old_url = oldurls.check_pattern(old_url) if old_url else None
        self.processes = processes
        self.site_root_option = str(site_root)
        self.site_root = ""
        self.status = status
        self.default_author = author
        self.overwrite = overwrite
        self.dry_run = dry_run
        self.user = user
        self.tz = tz or timezone.get_default_timezone()
        self.progress = progress
        self.starting = starting
        self.cancelled = cancelled
        self.stopped = False  # cancelled() said so
        self.wait = wait
        # Images whose renditions are missing: queued CHUNK_SIZE at a time.
        self._lacking: set = set()
        self._document_lacking: list = []
        # Images queued by this run: an image many files show (a shared
        # banner) is queued once, not with every chunk, and so is made and
        # shown once.
        self._queued: set = set()
        # relpath -> the URL path the site published it under, for images
        # written relative to that page.
        self.published_url = published_url
        self.report = Report(dry_run=dry_run)
        # Categories by folded name, for the run. Those the current file
        # created wait in _new_categories until its transaction ends well: one
        # rolled back takes its rows with it, and a later file must not link
        # to a row that no longer exists.
        self._categories = {}
        self._new_categories = {}
        # Stored files found whole in this run (of committed images), not
        # read again, and the tags (by folded name) and authors (by name) of
        # committed files, not looked up again; what the current file uses
        # is added once it commits.
        self._verified: set = set()
        self._tags: dict = {}
        self._authors_named: dict = {}
        self._document_images: list = []
        self._document_authors: list = []
        self._document_tags: list = []
        self._writes = None
        self._reading = reading.Options(
            tz=self.tz,
            field_map=self.field_map,
            include_layouts={name.casefold() for name in include_layouts},
            mdx=mdx,
            published=published_url,
        )

    def run(self, sources):
        """Import every document in ``sources`` (paths, or source objects such as
        an UploadSource or a ZipSource over an uploaded file); return the report.

        Raise ImportBusy if another import holds the database's import lock for
        longer than ``wait`` seconds."""
        started = time.perf_counter()
        try:
            with import_lock(wait=self.wait):
                self._run_batch(sources)
        except _DryRunRollback:
            pass
        self.report.seconds = time.perf_counter() - started
        return self.report

    def _run_batch(self, sources):
        if self.dry_run:
            # Savepoints per file inside one transaction that is always
            # rolled back: the report sees the whole batch, nothing stays.
            with transaction.atomic():
                self._run(sources)
                raise _DryRunRollback
        else:
            self._writes = images.Writes()
            try:
                self._run(sources)
            finally:
                self._writes.close()
                self._queue_renditions(all_of_them=True)

    def _queue_renditions(self, *, all_of_them=False):
        if self._lacking and (
            all_of_them or len(self._lacking) >= renditions.CHUNK_SIZE
        ):
            renditions.queue(self._lacking)
            self._queued.update(self._lacking)
            self._lacking.clear()

    def _run(self, sources):
        for source in sources:
            if not hasattr(source, "documents"):
                try:
                    source = open_source(source)
                except SourceError as exc:
                    self._problem(str(source), str(exc))
                    self.report.count(Outcome.FAILED)
                    continue
            try:
                self.site_root = site_root_within(source, self.site_root_option)
                self._authors = authors.Directory(source, self.site_root)
                for member in getattr(source, "escaping", ()):
                    self._problem(member, "zip member escapes the archive")
                    self.report.count(Outcome.FAILED)
                for name in getattr(source, "duplicates", ()):
                    self._problem(
                        name, "more than one file has this name; none was imported"
                    )
                    self.report.count(Outcome.FAILED)
                self._reading.site_root = self.site_root
                # Helpers fork with the source: only a directory's files can
                # be read from two processes at once.
                processes = self.processes * isinstance(source, DirectorySource)
                reads = reading.ahead(
                    source, source.documents(), self._reading, processes=processes
                )
                with closing(reads):
                    for read in reads:
                        if self.cancelled and self.cancelled():
                            self.stopped = True
                            return
                        if self.starting:
                            self.starting(read.relpath)
                        self.import_document(source, read.relpath, read)
                        if self.progress:
                            self.progress(read.relpath)
                self.report.problems.extend(self._authors.problems)
            finally:
                source.close()

    def _problem(self, path, message, *, line=None, level="error", code=""):
        self.report.problems.append(Problem(path, message, line, level, code))

    def import_document(self, source, relpath, read=None):
        """Import the document at ``relpath`` of ``source`` in a transaction of
        its own, counting its outcome in the report. ``read``: its
        reading.Read, when it was read ahead."""
        stored: list = []  # what this document wrote to storage
        self._new_categories = {}
        self._document_lacking = []
        self._document_images = []
        self._document_authors = []
        self._document_tags = []
        try:
            with transaction.atomic():
                outcome = self._import(source, relpath, stored, read)
        except frontmatter.FrontMatterError as exc:
            self._fail(relpath, exc.message, exc.line, stored)
        except ImportFailure as exc:
            self._fail(relpath, str(exc), exc.line, stored)
        except IntegrityError as exc:
            self._fail(relpath, f"could not be saved: {exc}", None, stored)
        except (images.StorageError, markdown.MarkdownError) as exc:
            self._fail(relpath, str(exc), None, stored)
        else:
            self._categories.update(self._new_categories)
            self._verified.update(image.file.name for image in self._document_images)
            self._tags.update((tag.name.casefold(), tag) for tag in self._document_tags)
            self._authors_named.update(
                (author.name, author) for author in self._document_authors
            )
            self.report.count(outcome)
            if not self.dry_run:
                self._lacking.update(
                    pk for pk in self._document_lacking if pk not in self._queued
                )
                self._queue_renditions()
        finally:
            self._new_categories = {}

    def _fail(self, relpath, message, line, stored):
        if self._writes is not None:
            self._writes.drain()  # before their files are discarded
        # The file may have filled in an author's profile, now rolled back.
        for author in self._document_authors:
            self._authors_named.pop(author.name, None)
        self.report.count(Outcome.FAILED)
        self._problem(relpath, message, line=line)
        renditions.discard(stored)
        images.discard(stored)

    def _import(self, source, relpath, stored, read):
        read = read or reading.read(source, relpath, self._reading, whole=False)
        if read.not_a_post_file:
            return self._skip(relpath, read.not_a_post_file)
        if read.unreadable:
            raise read.unreadable
        data, digest = read.data, read.digest
        known = SourceFile.objects.filter(path=relpath).select_related("post").first()
        if (
            known
            and known.digest == digest
            and known.field_map == self.field_map
            and refs.unchanged(source, known.image_digests)
        ):
            return Outcome.UNCHANGED

        reading.parse(source, read, self._reading)
        if read.broken:
            raise read.broken
        if read.not_a_post:
            return self._skip(relpath, read.not_a_post)
        doc, values = read.doc, read.values
        checks.check_values(values)
        warnings: list = []
        language = addresses.language(relpath, values, warnings)
        post, slug = self._target(relpath, values, known, language)
        others = Post.objects.in_language(language)
        if known and not self.overwrite and fingerprint(post) != known.snapshot:
            self._problem(
                relpath,
                "the post was edited since it was imported; left alone "
                "(use --overwrite to replace it)",
                level="warning",
                code="conflict",
            )
            return Outcome.CONFLICT
        creating = post is None
        if creating:
            post = Post()
        elif others.filter(slug=slug).exclude(pk=post.pk).exists():
            raise ImportFailure(f"slug {slug!r} is already used by another post")
        post.language = language
        post.translation_key = addresses.translation_key(
            relpath, values, post, warnings
        )

        if read.references is None:
            found = refs.resolve(
                source,
                relpath,
                doc,
                values.banner,
                self.site_root,
                warnings,
                published=self.published_url,
            )
        else:
            found = read.references
            warnings.extend(read.warnings)
        for key, reference in found.items():
            checks.check_reference(key, reference.path)
        mapping = refs.store(
            source,
            relpath,
            found,
            dry_run=self.dry_run,
            stored=stored,
            warnings=warnings,
            checked=read.images,
            verified=self._verified,
            writes=self._writes,
        )
        self._document_images = list(mapping.values())
        bylines = self._bylines(source, relpath, values, stored, warnings)
        old = oldurls.old_urls(
            relpath,
            doc.meta,
            day=values.date.date() if values.date else None,
            pattern=self.old_url,
            site_root=self.site_root,
        )
        written = self._write(post, read, slug, found, mapping, warnings, old, bylines)
        self._document_tags = written["tags"]
        source_file = known or SourceFile(post=post)
        source_file.path, source_file.digest = relpath, digest
        source_file.author_keys = {
            author.name: line.key for author, line in bylines if line.key
        }
        self._remember(source_file, post, doc, data, found, written)
        if self._writes is not None and self._writes.wait():
            # A file went under another name than the one rendered: show it
            # there. Waiting here, before the commit, no row is committed
            # before its file is whole.
            self._render(post, read, found, mapping)
            Post.objects.filter(pk=post.pk).update(body_html=post.body_html)
        self.report.problems.extend(warnings)
        return Outcome.CREATED if creating else Outcome.UPDATED

    def _write(self, post, read, slug, found, mapping, warnings, old, bylines):
        """Write the post of the file ``read``, rendered, and its relations
        (``old``: its old URLs; ``bylines``: its Authors); return what was
        written of them (tags, authors, aliases and image links)."""
        doc, values, relpath = read.doc, read.values, read.relpath
        creating = post.pk is None
        old_slug, was_undated = post.slug, post.published_at is None
        self._fill(post, doc, values, slug, mapping)
        if post.published_at is None:
            warnings.append(_undated(relpath))
        self._render(post, read, found, mapping)
        # Those the run has queued, or will, were looked at already; the
        # new ones lack every rendition.
        self._document_lacking = renditions.lacking(
            image
            for image in mapping.values()
            if image.pk not in self._lacking and image.pk not in self._queued
        )
        if creating:
            self._create(post, values, relpath, warnings)
        else:
            post.save()
        written = {
            "links": set_image_links(
                post,
                [(key, image, found[key].path) for key, image in mapping.items()],
                creating=creating,
            ),
            "tags": set_tags(post, values.tags, creating=creating, known=self._tags),
            "authors": set_authors(
                post, [author for author, _ in bylines], creating=creating
            ),
            "aliases": addresses.set_aliases(
                post, relpath, values.aliases, old, warnings, creating
            ),
        }
        if not creating:
            self._unpublish_if_draft(post, values, relpath, warnings)
            if was_undated:
                self._publish_if_dated(post, values, relpath, warnings)
            revisions.changed(post, old_slug)
        return written

    def _render(self, post, read, found, mapping):
        """Render the body, showing the images it shows (not a banner it
        does not), as they are: the originals until the workers make their
        renditions (queued once the file's transaction has committed), and
        render the body again."""
        shown = {key: image for key, image in mapping.items() if found[key].in_body}
        renditions.render(post, shown, make=False, converted=read.converted)

    def _remember(self, source_file, post, doc, data, found, written):
        """Keep where the post came from, and record its first revision as the
        file itself, so that export gives the same bytes back."""
        relations = {k: written[k] for k in ("tags", "authors", "aliases")}
        # The blank lines between front matter and body belong to the layout,
        # not to the text an editor sees.
        source_file.front = doc.front + doc.body[: len(doc.body) - len(post.body)]
        source_file.format = doc.format or ""
        source_file.bom = doc.bom
        source_file.newline = doc.newline
        source_file.field_map = self.field_map
        source_file.image_digests = refs.image_digests(found.values())
        source_file.snapshot = fingerprint(post, **relations)
        source_file.imported_at = timezone.now()
        source_file.save()
        revisions.record(
            post,
            by=self.user,
            reason=f"import of {source_file.path}",
            text=data.decode("utf-8-sig").replace("\r\n", "\n"),
            values=snapshot(
                post,
                tags=written["tags"],
                authors=written["authors"],
                links=written["links"],
            ),
        )

    def _bylines(self, source, relpath, values, stored, warnings):
        """Return the post's Authors, each with its Byline: its front
        matter's, with the profiles its site gives them, else the default
        author."""
        if not values.authors:
            names = [self.default_author] if self.default_author else []
            lines = [authors.Byline(name) for name in names]
        else:
            lines = authors.bylines(values, self._authors, relpath)
        written = authors.write(
            lines,
            source=source,
            site_root=self.site_root,
            relpath=relpath,
            stored=stored,
            warnings=warnings,
            dry_run=self.dry_run,
            known=self._authors_named,
        )
        self._document_authors = [author for author, _ in written]
        return written

    def _target(self, relpath, values, known, language):
        """Return the post the file imports into (None for a new one) and the
        slug it gets. Slugs are unique among the posts of one language."""
        same_language = Post.objects.in_language(language)
        if values.slug:
            slug = slugify(values.slug, allow_unicode=True)[:200]
            post = known.post if known else self._post_for_slug(same_language, slug)
        else:
            post = known.post if known else None
            # Files often share a name (blog/x.md, news/x.md), so only a slug
            # the front matter states is a hard claim: one from the file name is
            # numbered if another post of the language has it.
            others = same_language.exclude(pk=post.pk) if post else same_language
            slug = unique_slug(others, default_slug(relpath))
        if not slug:
            raise ImportFailure("cannot make a slug; add `slug:` to the front matter")
        return post, slug

    def _fill(self, post, doc, values, slug, mapping):
        """Set the post's own fields from the document, in memory."""
        post.title = values.title
        post.slug = slug
        post.summary = values.summary
        post.body = doc.body.lstrip("\n")
        post.lastmod = values.updated
        post.expires_at = values.expires
        post.extra = values.extra
        post.category = self._category(values.category) if values.category else None
        post.banner = mapping.get(markdown.image_key(values.banner or ""))
        if values.date:
            post.published_at = values.date

    def _post_for_slug(self, posts, slug):
        post = posts.filter(slug=slug).select_related("source").first()
        if post is not None and hasattr(post, "source"):
            raise ImportFailure(f"slug {slug!r} is already used by {post.source.path}")
        return post

    def _skip(self, relpath, reason):
        self._problem(relpath, reason, level="info", code="skipped")
        return Outcome.SKIPPED

    def _category(self, name):
        # A site has few categories: remember them for the run.
        key = name.casefold()
        if found := self._categories.get(key) or self._new_categories.get(key):
            return found
        self._new_categories[key] = category = category_named(name)
        return category

    def _create(self, post, values, relpath, warnings):
        # A post without a date stays a draft: published, it would be dated now
        # and shown as today's news.
        publish = (
            not values.draft
            and self.status == Post.Status.PUBLISHED
            and post.published_at is not None
        )
        if publish and not workflow.can(self.user, "publish"):
            warnings.append(self._not_allowed(relpath, "publish"))
            publish = False
        workflow.create(
            post, by=self.user, publish=publish, comment=f"import of {relpath}"
        )

    def _unpublish_if_draft(self, post, values, relpath, warnings):
        # A file that now says `draft: true` takes its live post off the site.
        if not values.draft or post.status != Post.Status.PUBLISHED:
            return
        if not workflow.can(self.user, "unpublish", post):
            warnings.append(self._not_allowed(relpath, "unpublish"))
            return
        workflow.unpublish(post, by=self.user, comment=f"import of {relpath}")

    def _publish_if_dated(self, post, values, relpath, warnings):
        # The draft that waited for a date goes out once its file gives one, as
        # it would have on its first import. An edited one is a conflict, and
        # never gets here without --overwrite.
        if (
            post.published_at is None
            or post.status != Post.Status.DRAFT
            or values.draft
            or self.status != Post.Status.PUBLISHED
        ):
            return
        if not workflow.can(self.user, "publish", post):
            warnings.append(self._not_allowed(relpath, "publish"))
            return
        # What the old site published is published again as it was: the
        # pre-publish checks are for what people write here.
        workflow.publish(
            post, by=self.user, comment=f"import of {relpath}", check=False
        )

    def _not_allowed(self, relpath, name):
        return Problem(
            relpath,
            f"not allowed to {name}; the post stays as it is",
            None,
            "warning",
            "permission",
        )


def _undated(relpath):
    return Problem(
        relpath,
        "no date in the front matter or the path; imported as a draft "
        "that waits for a date",
        None,
        "warning",
        "undated",
    )
