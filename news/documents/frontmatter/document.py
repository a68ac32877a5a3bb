"""What every part of the format shares: the parsed document, its errors and
limits, the field table, and where a front-matter block's parts are."""

from dataclasses import dataclass, field

# The field mapping table: canonical field -> front-matter keys, matched without
# regard to case. If a file has several, the earlier name wins and the others stay
# in Fields.extra. The first name is the one written for a new key, and the table
# order is the order compose() writes (the seed article's order).
FIELD_KEYS: dict[str, tuple[str, ...]] = {
    "title": ("title",),
    "date": ("date", "publishdate", "pubdate"),
    "category": ("category", "categories"),  # Hugo, Jekyll, Hexo: the first
    "tags": ("tags",),
    # Astro's heroImage; Hugo's images list, whose first is the social image.
    "banner": ("banner", "image", "cover", "featured_image", "heroimage", "images"),
    "authors": ("author", "authors"),
    "summary": ("summary", "description", "excerpt"),
    "slug": ("slug",),
    "draft": ("draft", "published"),
    "updated": ("lastmod", "updated", "updateddate"),
    "expires": ("expirydate", "unpublishdate"),  # Hugo's
    "aliases": ("aliases",),
    "language": ("lang", "language", "locale"),
    # Hugo's: pages that share it translate each other.
    "translation_key": ("translationKey", "translation_key"),
}
DATE_FIELDS = ("date", "updated", "expires")
LIST_FIELDS = ("tags", "authors", "aliases")
# Quoted as the seed does its dates.
HOUSE_QUOTED = ("title", "date", "banner", "summary", "updated", "expires")

MAX_FRONT_BYTES = 64 * 1024
MAX_ALIASES = 100
MAX_NODES = 100_000  # values in the front matter once aliases are expanded
MAX_DEPTH = 64

BOM = b"\xef\xbb\xbf"


class FrontMatterError(ValueError):
    """A file's front matter cannot be read; says where and why."""

    def __init__(self, name: str, line: int | None, message: str):
        self.name, self.line, self.message = name, line, message
        super().__init__(f"{name}{'' if line is None else f':{line}'}: {message}")

    def __reduce__(self):
        return type(self), (self.name, self.line, self.message)


@dataclass(frozen=True)
class Document:
    front: str
    body: str
    format: str | None
    meta: dict
    bom: bool = False
    newline: str = "\n"


@dataclass
class Position:
    """Where a top-level YAML value sits and how it was written."""

    line: int  # file line of its key
    last: int  # file line of its last character
    style: str | None  # scalar style: None (plain), "'", '"', "|" or ">"
    flow: bool | None  # collection style; None for a scalar
    item_styles: list = field(default_factory=list)


@dataclass
class Loaded:
    meta: dict
    # None for a key that is not a scalar; its position still bounds the others.
    keys: dict[str | None, Position] = field(default_factory=dict)
    flow_root: bool = False


def sized(front: str, name: str) -> str:
    if len(front.encode("utf-8")) > MAX_FRONT_BYTES:
        raise FrontMatterError(name, 1, "front matter is larger than 64 KiB")
    return front


def delimited_parts(front: str) -> tuple[str, str, str]:
    """Split a delimited block into opening line, inner text and closing line."""
    start, end = front.index("\n") + 1, front.rfind("\n", 0, len(front) - 1) + 1
    return front[:start], front[start:end], front[end:]
