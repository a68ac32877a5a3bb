"""The document format: front-matter Markdown, read and written without loss.

parse() splits a file into front matter and body and reads the front matter;
serialize() gives back the exact bytes. fields() maps the front matter onto the
content model, update() rewrites only the keys that changed, and compose() lays
out a new post in the house style.

Each format (YAML, TOML, JSON) has a handler in the shape of python-frontmatter's
(detect, split, load, dump: handlers.py). python-frontmatter itself re-dumps the
whole block with yaml.dump, which loses bytes; these handlers rewrite only the
keys that changed.

Pure: no models, no settings. Callers pass the time zone.
"""

from .document import BOM, FIELD_KEYS, Document, FrontMatterError
from .fields import Fields, fields, parse_date
from .handlers import detect
from .writing import compose, update

__all__ = [
    "FIELD_KEYS",
    "Document",
    "Fields",
    "FrontMatterError",
    "compose",
    "fields",
    "parse",
    "parse_date",
    "serialize",
    "update",
]


def parse(data: bytes, *, name: str = "<string>") -> Document:
    """Split data into front matter and body, and read the front matter."""
    bom = data.startswith(BOM)
    raw = data[len(BOM) :] if bom else data
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, offset = raw.count(b"\n", 0, exc.start) + 1, exc.start + len(BOM) * bom
        raise FrontMatterError(
            name, line, f"not valid UTF-8 at byte {offset}"
        ) from None
    newline = "\n"
    if "\r\n" in text and text.count("\n") == text.count("\r\n"):
        newline, text = "\r\n", text.replace("\r\n", "\n")
    handler = detect(text)
    if handler is None:
        return Document("", text, None, {}, bom, newline)
    front = handler.split(text, name)
    meta = handler.load(front, name).meta
    return Document(front, text[len(front) :], handler.format, meta, bom, newline)


def serialize(doc: Document) -> bytes:
    """Return the bytes of doc: the exact inverse of parse()."""
    text = doc.front + doc.body
    if doc.newline == "\r\n":
        text = text.replace("\n", "\r\n")
    return BOM * doc.bom + text.encode("utf-8")
