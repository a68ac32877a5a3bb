"""Posts -> front-matter Markdown files and images: the inverse of the importer.

A post that came from a file goes back to the same relative path. If nothing
changed since the import, the file comes back byte for byte; if the post was
edited, only the changed front-matter keys are rewritten. A post written in the
admin gets a canonical ``<slug>/index.md`` with its images beside it.
"""

import posixpath
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.db.models import Prefetch

from ..models import Post, PostAuthor
from ..slugs import normalise
from . import frontmatter
from .values import document_values, export_path, written_values


@dataclass
class ExportReport:
    posts: int = 0
    images: int = 0
    rewritten: int = 0
    paths: list = field(default_factory=list)

    def summary(self):
        return (
            f"{self.posts} posts ({self.rewritten} with edited front matter) "
            f"and {self.images} images exported"
        )


class DirectoryWriter:
    def __init__(self, out):
        self.out = Path(out).resolve()

    def write(self, relpath, data):
        path = self.out / relpath
        if not path.resolve().is_relative_to(self.out):
            raise ValueError(f"{relpath}: would be written outside {self.out}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    def close(self):
        pass


class ZipWriter:
    def __init__(self, fileobj):
        self.zip = zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED)

    def write(self, relpath, data):
        self.zip.writestr(relpath, data)

    def close(self):
        self.zip.close()


def posts_for_export(*, status=None, since=None, tag=None):
    """Return the posts to export, with what export reads prefetched."""
    posts = Post.objects.select_related(
        "category", "banner", "source"
    ).prefetch_related(
        "tags",
        "aliases",
        "image_links__image",
        Prefetch("bylines", queryset=PostAuthor.objects.select_related("author")),
    )
    if status:
        posts = posts.filter(status=status)
    if since:
        posts = posts.filter(updated_at__gte=since)
    if tag:
        posts = posts.filter(tags__name__iexact=tag).distinct()
    return posts.order_by("pk")


def export(posts, writer):
    """Write ``posts`` and their images through ``writer``; return a report."""
    report = ExportReport()
    written = set()
    for post in posts.iterator(chunk_size=200):
        relpath, data, rewritten, files = document_for(post)
        writer.write(relpath, data)
        report.posts += 1
        report.rewritten += rewritten
        report.paths.append(relpath)
        for path, image in files:
            if path in written:
                continue
            written.add(path)
            with image.file.open("rb") as fh:
                writer.write(path, fh.read())
            report.images += 1
    writer.close()
    return report


def document_for(post):
    """Return ``(relpath, bytes, rewritten, [(image path, Image)])`` for ``post``."""
    source = getattr(post, "source", None)
    relpath = export_path(post)
    folder = posixpath.dirname(relpath)
    files = {}
    for link in post.image_links.all():
        path = link.path or posixpath.join(folder, link.reference.lstrip("/"))
        # An image from a site root outside the import root ("../static/x.png")
        # goes under the site root's name, inside the export.
        while path.startswith("../"):
            path = path[3:]
        path = normalise(path)
        if path:
            files[path] = link.image
    banner_path = None
    if post.banner_id:
        banner_path = next(
            (p for p, i in files.items() if i.pk == post.banner_id), None
        )
        if banner_path is None:
            banner_path = posixpath.join(
                folder, "images", posixpath.basename(post.banner.file.name)
            )
            files[banner_path] = post.banner
    current = document_values(post)
    written = written_values(current, post)
    if banner_path:
        written["banner"] = posixpath.relpath(banner_path, folder or ".")

    if source is None:
        doc = frontmatter.compose(written, post.body)
        return relpath, frontmatter.serialize(doc), False, list(files.items())

    # Authors the file named by a key of its authors.yml go back as keys.
    written["authors"] = [source.author_keys.get(n, n) for n in written["authors"]]
    doc = frontmatter.Document(
        front=source.front,
        body=post.body,
        format=source.format or None,
        meta={},
        bom=source.bom,
        newline=source.newline,
    )
    changes = changed_values(source.snapshot, current, written)
    if not changes:
        return relpath, frontmatter.serialize(doc), False, list(files.items())
    doc = frontmatter.parse(frontmatter.serialize(doc), name=relpath)
    doc = frontmatter.update(doc, changes, field_map=source.field_map)
    return relpath, frontmatter.serialize(doc), True, list(files.items())


def changed_values(snapshot, current, written):
    """Return the front-matter changes between the import snapshot and the
    ``current`` values, taking what to write from ``written``."""
    changes = {}
    for name, value in current.items():
        # A snapshot from before a field existed cannot say it changed.
        if name == "extra" or name not in snapshot or snapshot[name] == value:
            continue
        changes[name] = written.get(name)
    old_extra = snapshot.get("extra", {})
    extra = {k: v for k, v in current["extra"].items() if old_extra.get(k) != v}
    extra.update({k: None for k in old_extra if k not in current["extra"]})
    if extra:
        changes["extra"] = extra
    return changes
