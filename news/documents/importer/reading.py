"""Reading ahead: the part of importing a file that needs no database.

Reading a file, hashing it, parsing its front matter, converting its body
(``markdown.convert()``, most of rendering) and checking its images take
most of an import's time, and need nothing but the files. ``read()`` does
them for one file. ``ahead()`` has helper processes do them for the next
files while the importer writes the current one, so that on a machine with
more than one CPU an import takes little longer than its database work.

A Read holds what went wrong as well as what was found, and the importer
raises it where it would have met it reading in process: a file that can no
longer be parsed but has not changed since it was imported is still
unchanged. What a helper could not do (a body too complex to convert in
time) is left for the importer to do, and fail at, in its place.

Helpers are forked (they inherit the source and the options as they are)
and only read: no database, no storage writes.
"""

import hashlib
import multiprocessing
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import tzinfo

from .. import frontmatter, markdown
from . import checks, kinds
from . import references as refs
from .report import ImportFailure

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# Files read ahead of the one being written, at most: memory stays flat.
WINDOW = 32


@dataclass
class Options:
    """What reading a file needs to know of the import."""

    tz: tzinfo
    field_map: dict
    include_layouts: set
    mdx: bool = False
    site_root: str = ""
    published: object = refs.published_url
    # Read ahead: convert each body and check the images it references
    # here, not where the importer renders and stores them.
    ahead: bool = False
    # Image checks already made in this run, by content hash.
    checked: dict = field(default_factory=dict)


@dataclass
class Read:
    relpath: str
    # Not a post file at all (kinds.not_a_post_file()): nothing was read.
    not_a_post_file: str = ""
    data: bytes = b""
    digest: str = ""
    unreadable: Exception | None = None  # the file could not be read
    parsed: bool = False  # parse() was done
    broken: Exception | None = None  # its front matter could not be read
    doc: frontmatter.Document | None = None
    not_a_post: str = ""  # why it is skipped (kinds.not_a_post())
    values: frontmatter.Fields | None = None
    converted: markdown.Converted | None = None
    references: dict | None = None  # refs.resolve()'s, when resolved ahead
    warnings: list = field(default_factory=list)  # what resolving them found
    images: dict = field(default_factory=dict)  # path -> refs.Checked


def read(source, relpath, options, *, whole=True):
    """Return the Read of the document at ``relpath`` of ``source``: the
    file, and unless not ``whole`` what parse() finds in it."""
    result = Read(relpath)
    if reason := kinds.not_a_post_file(relpath, mdx=options.mdx):
        result.not_a_post_file = reason
        return result
    try:
        data = source.read(relpath, MAX_DOCUMENT_BYTES)
        checks.check_file(relpath, data)
    except ImportFailure as exc:
        result.unreadable = exc
        return result
    result.data, result.digest = data, hashlib.sha256(data).hexdigest()
    if whole:
        parse(source, result, options)
    return result


def parse(source, result, options):
    """Parse the front matter of the file ``result`` read, into ``result``;
    reading ahead, also convert its body and check its images."""
    if result.parsed:
        return
    result.parsed = True
    try:
        result.doc = doc = frontmatter.parse(result.data, name=result.relpath)
        if reason := kinds.not_a_post(doc, include_layouts=options.include_layouts):
            result.not_a_post = reason
            return
        result.values = frontmatter.fields(
            doc, tz=options.tz, name=result.relpath, field_map=options.field_map
        )
    except frontmatter.FrontMatterError as exc:
        result.broken = exc
        return
    if not options.ahead:
        return
    # One that cannot be converted is left for the importer to render, and
    # fail, where it would have.
    with suppress(markdown.MarkdownError):
        result.converted = markdown.convert(doc.body.lstrip("\n"))
    result.references = refs.resolve(
        source,
        result.relpath,
        doc,
        result.values.banner,
        options.site_root,
        result.warnings,
        published=options.published,
    )
    result.images = refs.check(source, result.references, options.checked)


def ahead(source, relpaths, options, *, processes):
    """Yield the Read of each of ``relpaths`` of ``source`` in order, made by
    ``processes`` helper processes up to WINDOW files ahead. With none,
    each is only read, and parse() is left to the importer, which needs
    nothing more of a file that has not changed."""
    options.ahead = processes >= 1
    if not options.ahead:
        for relpath in relpaths:
            yield read(source, relpath, options, whole=False)
        return
    pending: deque = deque()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        processes, mp_context=context, initializer=_start, initargs=(source, options)
    ) as pool:
        try:
            for relpath in relpaths:
                pending.append((relpath, _submit(pool, relpath)))
                if len(pending) >= WINDOW:
                    yield _result(pending.popleft(), source, options)
            while pending:
                yield _result(pending.popleft(), source, options)
        finally:
            for _, future in pending:
                if future is not None:
                    future.cancel()


def _submit(pool, relpath):
    try:
        return pool.submit(_read, relpath)
    except BrokenProcessPool:
        return None


def _result(submitted, source, options):
    relpath, future = submitted
    if future is not None:
        try:
            return future.result()
        except BrokenProcessPool:
            pass
    # A helper died (killed, out of memory): this process reads what it had
    # not, and the rest.
    return read(source, relpath, options)


# The helper process's source and options, inherited when it was forked.
_helper: tuple = ()


def _start(source, options):
    global _helper
    _helper = (source, options)


def _read(relpath):
    source, options = _helper
    return read(source, relpath, options)
