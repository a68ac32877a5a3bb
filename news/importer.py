"""Front-matter Markdown files, directories and zip archives -> posts.

One importer serves the ``import_markdown`` command and the admin. Each file is
its own transaction: a file that fails leaves no rows and no stored files, and
the batch goes on. Files are read one at a time, so memory stays flat however
large the tree is.
"""

import hashlib
import os
import posixpath
import time
import zipfile
from dataclasses import asdict, dataclass, field
from functools import reduce
from operator import or_
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag

from . import frontmatter, images, markdown, renditions, revisions, workflow
from .models import (
    Author,
    Category,
    Post,
    PostAlias,
    PostAuthor,
    PostImage,
    SourceFile,
    TaggedPost,
)

MARKDOWN_SUFFIXES = (".md", ".markdown")
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_IMAGE_BYTES = 50 * 1024 * 1024
INDEX_STEMS = {"index", "readme"}


class ImportFailure(Exception):
    """A file that cannot be imported; the message says why."""

    def __init__(self, message, *, line=None):
        super().__init__(message)
        self.line = line


class _DryRunRollback(Exception):
    pass


@dataclass
class Problem:
    path: str
    message: str
    line: int | None = None
    level: str = "error"  # "error": the file failed; "warning": it imported anyway
    code: str = ""

    def __str__(self):
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.level}: {self.message}"


@dataclass
class Report:
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    conflicts: int = 0
    problems: list = field(default_factory=list)
    seconds: float = 0.0

    @property
    def files(self):
        return (
            self.created + self.updated + self.unchanged + self.failed + self.conflicts
        )

    @property
    def warnings(self):
        return sum(1 for p in self.problems if p.level == "warning")

    @property
    def ok(self):
        return self.failed == 0

    @property
    def rate(self):
        return self.files / self.seconds if self.seconds else 0.0

    def summary(self):
        prefix = "Dry run: would have " if self.dry_run else ""
        return (
            f"{prefix}{self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.conflicts} conflicts, "
            f"{self.failed} failed, "
            f"{self.warnings} warnings in {self.seconds:.2f}s ({self.rate:.1f} posts/s)"
        )

    def as_dict(self):
        return {
            "dry_run": self.dry_run,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "conflicts": self.conflicts,
            "failed": self.failed,
            "warnings": self.warnings,
            "seconds": round(self.seconds, 3),
            "posts_per_second": round(self.rate, 1),
            "problems": [asdict(p) for p in self.problems],
        }


# Sources: a directory or a zip archive, addressed by normalised POSIX paths
# relative to the import root.


def normalise(relpath):
    """Return ``relpath`` normalised, or None if it leaves the root."""
    path = posixpath.normpath(relpath.replace("\\", "/"))
    if path == ".." or path.startswith(("../", "/")) or path == ".":
        return None
    if len(path) > 1 and path[1] == ":":  # a Windows drive
        return None
    return path


class DirectorySource:
    def __init__(self, root):
        self.root = Path(root).resolve()
        self.label = str(root)

    def documents(self):
        # Walk folder by folder, so memory does not grow with the tree.
        for folder, dirs, files in os.walk(self.root):
            dirs.sort()
            for name in sorted(files):
                if name.lower().endswith(MARKDOWN_SUFFIXES):
                    yield (Path(folder) / name).relative_to(self.root).as_posix()

    def exists(self, relpath):
        path = self.root / relpath
        if not path.is_file():
            return False
        # A symlink that points out of the root is treated as outside.
        return path.resolve().is_relative_to(self.root)

    def read(self, relpath, limit):
        path = self.root / relpath
        if path.stat().st_size > limit:
            raise too_large(limit)
        return path.read_bytes()

    def close(self):
        pass


def too_large(limit):
    return ImportFailure(f"file is larger than {limit // (1024 * 1024)} MB")


class _MemberSource:
    """Members of an archive or an upload, by normalised path (``members``)."""

    def documents(self):
        for name in sorted(self.members):
            if name.lower().endswith(MARKDOWN_SUFFIXES):
                yield name

    def exists(self, relpath):
        return relpath in self.members

    def read(self, relpath, limit):
        member = self.members[relpath]
        if self._size(member) > limit:
            raise too_large(limit)
        # Read one byte more than allowed: a member can be larger than it says.
        data = self._read(member, limit + 1)
        if len(data) > limit:
            raise too_large(limit)
        return data

    def close(self):
        pass


class ZipSource(_MemberSource):
    def __init__(self, archive):
        self.zip = zipfile.ZipFile(archive)
        self.label = str(getattr(archive, "name", archive))
        self.members = {}
        self.escaping = []
        for info in self.zip.infolist():
            if info.is_dir():
                continue
            name = normalise(info.filename)
            if name is None:
                self.escaping.append(info.filename)
            else:
                self.members[name] = info

    def _size(self, info):
        return info.file_size

    def _read(self, info, size):
        with self.zip.open(info) as member:
            return member.read(size)

    def close(self):
        self.zip.close()


class UploadSource(_MemberSource):
    """Files uploaded together (Markdown and images), side by side in one folder."""

    def __init__(self, files):
        self.label = "upload"
        self.members = {}
        for upload in files:
            name = normalise(posixpath.basename(upload.name.replace("\\", "/")))
            if name:
                self.members[name] = upload

    def _size(self, upload):
        return upload.size

    def _read(self, upload, size):
        upload.seek(0)
        return upload.read(size)


def open_source(path):
    """Return the source for a directory, a zip archive or one Markdown file."""
    path = Path(path)
    if path.is_dir():
        return DirectorySource(path)
    if path.is_file() and path.suffix.lower() in MARKDOWN_SUFFIXES:
        return _SingleFile(path)
    if zipfile.is_zipfile(path):
        return ZipSource(path)
    raise ValueError(f"{path}: not a directory, a Markdown file or a zip archive")


class _SingleFile(DirectorySource):
    def __init__(self, path):
        super().__init__(Path(path).parent)
        self.label = str(path)
        self.only = Path(path).name

    def documents(self):
        yield self.only


@dataclass
class _Reference:
    src: str
    line: int | None
    key: str
    candidates: list  # where it may be, relative to the root, in lookup order
    path: str | None = None  # where it was found
    digest: str | None = None


class Importer:
    """Import posts from files, directories and zip archives.

    ``status`` applies to posts whose front matter does not say ``draft: true``;
    front matter can never publish past it. ``user`` is the person importing
    (None for the command line): posts are only published if they may publish.
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
    ):
        self.site_root_option = str(site_root)
        self.site_root = ""
        self.status = status
        self.default_author = author
        self.overwrite = overwrite
        self.dry_run = dry_run
        self.user = user
        self.tz = tz or timezone.get_default_timezone()
        self.progress = progress
        self.report = Report(dry_run=dry_run)
        self._categories = {}

    def run(self, sources):
        """Import every document in ``sources`` (paths, or source objects such as
        an UploadSource or a ZipSource over an uploaded file); return the report."""
        started = time.perf_counter()
        try:
            if self.dry_run:
                # Savepoints per file inside one transaction that is always
                # rolled back: the report sees the whole batch, nothing stays.
                with transaction.atomic():
                    self._run(sources)
                    raise _DryRunRollback
            else:
                self._run(sources)
        except _DryRunRollback:
            pass
        self.report.seconds = time.perf_counter() - started
        return self.report

    def _run(self, sources):
        for source in sources:
            if not hasattr(source, "documents"):
                source = open_source(source)
            try:
                self.site_root = site_root_within(source, self.site_root_option)
                for member in getattr(source, "escaping", ()):
                    self._problem(member, "zip member escapes the archive")
                    self.report.failed += 1
                for relpath in source.documents():
                    self.import_document(source, relpath)
                    if self.progress:
                        self.progress(relpath)
            finally:
                source.close()

    def _problem(self, path, message, *, line=None, level="error", code=""):
        self.report.problems.append(Problem(path, message, line, level, code))

    def import_document(self, source, relpath):
        stored = []
        try:
            with transaction.atomic():
                outcome = self._import(source, relpath, stored)
        except frontmatter.FrontMatterError as exc:
            self._fail(relpath, exc.message, exc.line, stored)
        except ImportFailure as exc:
            self._fail(relpath, str(exc), exc.line, stored)
        except IntegrityError as exc:
            self._fail(relpath, f"could not be saved: {exc}", None, stored)
        except images.StorageError as exc:
            self._fail(relpath, str(exc), None, stored)
        else:
            setattr(self.report, outcome, getattr(self.report, outcome) + 1)

    def _fail(self, relpath, message, line, stored):
        self.report.failed += 1
        self._problem(relpath, message, line=line)
        renditions.discard(stored)
        images.discard(stored)

    def _import(self, source, relpath, stored):
        data = source.read(relpath, MAX_DOCUMENT_BYTES)
        digest = hashlib.sha256(data).hexdigest()
        known = SourceFile.objects.filter(path=relpath).select_related("post").first()
        if known and known.digest == digest and self._images_unchanged(source, known):
            return "unchanged"

        doc = frontmatter.parse(data, name=relpath)
        values = frontmatter.fields(doc, tz=self.tz, name=relpath)
        if values.slug:
            slug = slugify(values.slug, allow_unicode=True)[:200]
            post = known.post if known else self._post_for_slug(slug)
        else:
            post = known.post if known else None
            slug = self._derived_slug(relpath, post)
        if not slug:
            raise ImportFailure("cannot make a slug; add `slug:` to the front matter")
        if known and not self.overwrite and fingerprint(post) != known.snapshot:
            self._problem(
                relpath,
                "the post was edited since it was imported; left alone "
                "(use --overwrite to replace it)",
                level="warning",
                code="conflict",
            )
            return "conflicts"
        creating = post is None
        if creating:
            post = Post()
        elif Post.objects.filter(slug=slug).exclude(pk=post.pk).exists():
            raise ImportFailure(f"slug {slug!r} is already used by another post")

        warnings = []
        references = self._resolve_images(source, relpath, doc, values, warnings)
        mapping = self._store_images(source, relpath, references, stored, warnings)
        old_slug = post.slug
        post.title = values.title
        post.slug = slug
        post.summary = values.summary
        post.body = doc.body.lstrip("\n")
        post.lastmod = values.updated
        post.extra = values.extra
        post.category = self._category(values.category) if values.category else None
        post.banner = mapping.get(markdown.image_key(values.banner or ""))
        if values.date:
            post.published_at = values.date
        post.refresh_html(mapping)
        if creating:
            self._create(post, values, relpath, warnings)
        else:
            post.save()
            post.image_links.all().delete()
        links = PostImage.objects.bulk_create(
            PostImage(post=post, image=image, reference=key, path=references[key].path)
            for key, image in mapping.items()
        )
        tags = set_tags(post, values.tags, creating=creating)
        authors = set_authors(
            post,
            values.authors or ([self.default_author] if self.default_author else []),
            creating=creating,
        )
        aliases = self._set_aliases(post, relpath, values.aliases, warnings, creating)
        if not creating:
            self._unpublish_if_draft(post, values, relpath, warnings)
            revisions.changed(post, old_slug)

        known = known or SourceFile(post=post)
        known.path = relpath
        # The blank lines between front matter and body belong to the layout,
        # not to the text an editor sees.
        known.front = doc.front + doc.body[: len(doc.body) - len(post.body)]
        known.format = doc.format or ""
        known.bom = doc.bom
        known.newline = doc.newline
        known.digest = digest
        known.image_digests = image_digests(references.values())
        known.snapshot = fingerprint(post, tags=tags, authors=authors, aliases=aliases)
        known.imported_at = timezone.now()
        known.save()
        revisions.record(
            post,
            by=self.user,
            reason=f"import of {relpath}",
            text=data.decode("utf-8-sig").replace("\r\n", "\n"),
            values=revisions.snapshot(post, tags=tags, authors=authors, links=links),
        )
        self.report.problems.extend(warnings)
        return "created" if creating else "updated"

    def _images_unchanged(self, source, known):
        for path, digest in known.image_digests.items():
            if not source.exists(path):
                if digest is not None:
                    return False
            elif digest is None or digest != images.sha256(
                source.read(path, MAX_IMAGE_BYTES)
            ):
                return False
        return True

    def _derived_slug(self, relpath, post):
        """Return a slug from the file name, numbered if another post has it.

        Translations often share a file name (en/blog/x.md, zh/blog/x.md), so
        only a slug the front matter states is a hard claim.
        """
        others = Post.objects.exclude(pk=post.pk) if post else Post.objects.all()
        return unique_slug(others, default_slug(relpath))

    def _post_for_slug(self, slug):
        post = Post.objects.filter(slug=slug).select_related("source").first()
        if post is not None and hasattr(post, "source"):
            raise ImportFailure(f"slug {slug!r} is already used by {post.source.path}")
        return post

    def _resolve_images(self, source, relpath, doc, values, warnings):
        """Find every image the document references and where it is in the tree."""
        body_offset = doc.front.count("\n")
        found = [
            (ref.src, ref.line + body_offset)
            for ref in markdown.image_references(doc.body)
        ]
        if values.banner:
            found.append((values.banner, key_line(doc.front, values.banner)))
        references = {}
        folder = posixpath.dirname(relpath)
        for src, line in found:
            key = markdown.image_key(src)
            if key is None:
                if src.strip().lower().startswith(("http:", "https:", "//")):
                    warnings.append(
                        Problem(
                            relpath,
                            f"remote image not fetched: {src}",
                            line,
                            "warning",
                            "remote",
                        )
                    )
                continue
            if key in references:
                continue
            if key.startswith("/"):
                bases = [self.site_root]
            else:
                bases = (
                    [folder, self.site_root] if folder != self.site_root else [folder]
                )
            candidates = [
                normalise(posixpath.join(base, key.lstrip("/"))) for base in bases
            ]
            ref = _Reference(src, line, key, [c for c in candidates if c])
            references[key] = ref
            ref.path = next((c for c in ref.candidates if source.exists(c)), None)
            if ref.path is None:
                if not ref.candidates:
                    message, code = f"image outside the import root: {src}", "outside"
                else:
                    message, code = f"image not found: {src}", "missing"
                warnings.append(Problem(relpath, message, line, "warning", code))
        return references

    def _store_images(self, source, relpath, references, stored, warnings):
        """Store the referenced images; return the mapping key -> Image."""
        mapping = {}
        found = {}  # path -> (digest, image or None)
        for ref in references.values():
            if ref.path is None:
                continue
            if ref.path not in found:
                found[ref.path] = self._store_image(
                    source, relpath, ref, stored, warnings
                )
            ref.digest, image = found[ref.path]
            if image is not None:
                mapping[ref.key] = image
        return mapping

    def _store_image(self, source, relpath, ref, stored, warnings):
        try:
            data = source.read(ref.path, MAX_IMAGE_BYTES)
            digest = images.sha256(data)
            if self.dry_run:
                images.inspect(data)
                return digest, None
            image, created = images.store(data)
        except (ImportFailure, images.InvalidImage) as exc:
            warnings.append(
                Problem(relpath, f"{ref.src}: {exc}", ref.line, "warning", "invalid")
            )
            return None, None
        if created:
            stored.append(image)
        return digest, image

    def _set_aliases(self, post, relpath, aliases, warnings, creating):
        if not creating:
            post.aliases.all().delete()
        paths = []
        for alias in aliases:
            path = "/" + alias.strip().strip("/") + "/"
            if PostAlias.objects.filter(path=path).exists():
                warnings.append(
                    Problem(
                        relpath,
                        f"alias {alias!r} already belongs to another post",
                        None,
                        "warning",
                        "alias",
                    )
                )
                continue
            PostAlias.objects.create(post=post, path=path)
            paths.append(path)
        return paths

    def _category(self, name):
        # A site has few categories: remember them for the run.
        key = name.casefold()
        if key not in self._categories:
            self._categories[key] = category_named(name)
        return self._categories[key]

    def _create(self, post, values, relpath, warnings):
        publish = not values.draft and self.status == Post.Status.PUBLISHED
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

    def _not_allowed(self, relpath, name):
        return Problem(
            relpath,
            f"not allowed to {name}; the post stays as it is",
            None,
            "warning",
            "permission",
        )


def fingerprint(post, **known):
    """Return what the importer remembers of a post, to notice later edits.

    ``known`` passes tags, authors and aliases the caller has just set.
    """
    if not known:
        post = (
            Post.objects.prefetch_related("tags", "aliases", "bylines__author")
            .select_related("category", "banner")
            .get(pk=post.pk)
        )
    return {
        **post.document_values(**known),
        "body": hashlib.sha256(post.body.encode()).hexdigest(),
    }


def site_root_within(source, site_root):
    """Return ``site_root`` relative to the source's root, or raise ValueError.

    An absolute path must lie inside a directory source; any other value is
    taken as relative to the import root and must stay inside it.
    """
    if not site_root.strip("/."):
        return ""
    if Path(site_root).is_absolute() and hasattr(source, "root"):
        try:
            return Path(site_root).resolve().relative_to(source.root).as_posix()
        except ValueError:
            raise ValueError(
                f"--site-root {site_root} is not inside the import root {source.root}"
            ) from None
    relative = normalise(site_root.lstrip("/"))
    if relative is None:
        raise ValueError(f"--site-root {site_root} leaves the import root")
    return relative


def image_digests(references):
    """Map each place an image was looked for to what was there (None: nothing)."""
    digests = {}
    for ref in references:
        for path in ref.candidates:
            digests[path] = ref.digest if path == ref.path else None
            if path == ref.path:
                break
    return digests


def default_slug(relpath):
    """Return the file's stem, or its folder's name for index.md and README.md."""
    stem = posixpath.splitext(posixpath.basename(relpath))[0].strip()
    if stem.lower() in INDEX_STEMS and posixpath.dirname(relpath):
        stem = posixpath.basename(posixpath.dirname(relpath))
    return stem


def key_line(front, value):
    """Return the file line on which ``value`` appears in the front matter."""
    for number, line in enumerate(front.splitlines(), start=1):
        if value in line:
            return number
    return None


def unique_slug(queryset, text, fallback=""):
    """Return a slug for ``text`` that no row of ``queryset`` has, numbering it."""
    base = slugify(text, allow_unicode=True)[:190] or fallback
    slug, n = base, 1
    while slug and queryset.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def category_named(name):
    category = Category.objects.filter(name__iexact=name).first()
    if category is None:
        category = Category.objects.create(
            name=name, slug=unique_slug(Category.objects.all(), name, "category")
        )
    return category


def author_named(name):
    author = Author.objects.filter(name=name).first()
    if author is None:
        author = Author.objects.create(
            name=name, slug=unique_slug(Author.objects.all(), name, "author")
        )
    return author


def set_authors(post, names, *, creating=False):
    """Give ``post`` these authors, in this order, creating unknown ones by name;
    return the Author objects."""
    names = list(dict.fromkeys(names))
    found = {a.name: a for a in Author.objects.filter(name__in=names)}
    authors = [found.get(name) or author_named(name) for name in names]
    if not creating:
        post.bylines.all().delete()
    PostAuthor.objects.bulk_create(
        PostAuthor(
            post=post,
            author=author,
            position=position,
            published_at=post.published_at,
        )
        for position, author in enumerate(authors)
    )
    return authors


def set_tags(post, names, *, creating=False):
    """Give ``post`` these tags, matched case-insensitively to existing ones;
    return the Tag objects."""
    wanted = {}
    for name in names:
        wanted.setdefault(name.casefold(), name)
    found = {}
    if wanted:
        match = reduce(or_, (Q(name__iexact=name) for name in wanted.values()))
        found = {tag.name.casefold(): tag for tag in Tag.objects.filter(match)}
    tags = [
        found.get(key) or Tag.objects.create(name=name) for key, name in wanted.items()
    ]
    if not creating:
        TaggedPost.objects.filter(content_object=post).delete()
    TaggedPost.objects.bulk_create(
        TaggedPost(content_object=post, tag=tag, published_at=post.published_at)
        for tag in tags
    )
    return tags
