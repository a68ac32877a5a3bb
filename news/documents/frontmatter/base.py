"""The shape of a front-matter format handler, as in python-frontmatter: a
handler detects its format, splits the front-matter block off the text, loads
it, and dumps changed values back into it. Unlike python-frontmatter's, dump()
rewrites only the changed keys and keeps every other byte."""

import json
import re

from .document import MAX_FRONT_BYTES, Document, FrontMatterError, Loaded, sized


class Handler:
    format: str

    def detect(self, text: str) -> bool:
        """Return whether ``text`` opens with this format's front matter."""
        raise NotImplementedError

    def split(self, text: str, name: str) -> str:
        """Return the front-matter block that opens ``text``, delimiters included."""
        raise NotImplementedError

    def load(self, front: str, name: str) -> Loaded:
        """Read the block that split() returned."""
        raise NotImplementedError

    def dump(self, doc: Document, plan: dict) -> str:
        """Return ``doc``'s block with ``plan`` applied: key path as written
        (``("title",)``; ``("taxonomies", "tags")`` inside a table, for TOML
        only) -> (field or None, whether the key exists, new value or None to
        remove)."""
        raise NotImplementedError

    def key_line(self, doc: Document, key: str) -> int | None:
        """Return the file line on which ``key`` is written, if it can be found."""
        return _line_of(rf"{re.escape(json.dumps(key))}\s*:", doc.front)


class Delimited(Handler):
    """A format between two delimiter lines, such as ``---`` or ``+++``."""

    delimiter: str

    def detect(self, text: str) -> bool:
        return text.split("\n", 1)[0].rstrip(" \t\r") == self.delimiter

    def split(self, text: str, name: str) -> str:
        pos = text.find("\n") + 1 or len(text) + 1
        while pos < len(text) and pos <= MAX_FRONT_BYTES:
            end = text.find("\n", pos) + 1 or len(text)
            if text[pos:end].rstrip(" \t\r\n") == self.delimiter:
                return sized(text[:end], name)
            pos = end
        sized(text[:pos], name)
        message = f"front matter has no closing '{self.delimiter}'"
        raise FrontMatterError(name, 1, message)


def _line_of(pattern: str, front: str) -> int | None:
    found = re.search(pattern, front)
    return front.count("\n", 0, found.start()) + 1 if found else None
