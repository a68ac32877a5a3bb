"""The document format: front-matter Markdown, read and written without loss.

parse() splits a file into front matter and body and reads the front matter
(YAML, TOML or JSON); serialize() gives back the exact bytes. fields() maps the
front matter onto the content model, update() rewrites only the keys that
changed, and compose() lays out a new post in the house style.

Pure: no models, no settings. Callers pass the time zone.
"""

import base64
import io
import json
import re
import tomllib
from collections import abc
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo

import tomlkit
from ruamel.yaml import YAML
from ruamel.yaml import events as ev
from ruamel.yaml.comments import CommentedSeq, TaggedScalar
from ruamel.yaml.constructor import DuplicateKeyError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    FoldedScalarString,
    LiteralScalarString,
    SingleQuotedScalarString,
)

# The field mapping table: canonical field -> front-matter keys, matched without
# regard to case. If a file has several, the earlier name wins and the others stay
# in Fields.extra. The first name is the one written for a new key, and the table
# order is the order compose() writes (the seed article's order).
FIELD_KEYS: dict[str, tuple[str, ...]] = {
    "title": ("title",),
    "date": ("date",),
    "category": ("category",),
    "tags": ("tags",),
    "banner": ("banner", "image", "cover", "featured_image"),
    "authors": ("author", "authors"),
    "summary": ("summary", "description", "excerpt"),
    "slug": ("slug",),
    "draft": ("draft",),
    "updated": ("lastmod", "updated"),
    "aliases": ("aliases",),
}

MAX_FRONT_BYTES = 64 * 1024
MAX_ALIASES = 100
MAX_NODES = 100_000  # values in the front matter once aliases are expanded
MAX_DEPTH = 64

BOM = b"\xef\xbb\xbf"
_DELIMITERS = {"---": "yaml", "+++": "toml"}
_LOOKUP = {
    k: (f, rank) for f, names in FIELD_KEYS.items() for rank, k in enumerate(names)
}
_DATE_FIELDS = ("date", "updated")
_LIST_FIELDS = ("tags", "authors", "aliases")
_HOUSE_QUOTED = ("title", "date", "banner", "summary", "updated")  # as in the seed
_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july")
_MONTH_NAMES += ("august", "september", "october", "november", "december")
_MONTHS = {m: i for i, n in enumerate(_MONTH_NAMES, 1) for m in (n, n[:3])} | {
    "sept": 9
}
_QUOTE_ADVICE = {
    "'": "unescaped ' inside a single-quoted value; write '' or use double quotes",
    '"': 'unescaped " inside a double-quoted value; write \\" or use single quotes',
}


class FrontMatterError(ValueError):
    """A file's front matter cannot be read; says where and why."""

    def __init__(self, name: str, line: int | None, message: str):
        self.name, self.line, self.message = name, line, message
        where = f"{name}:{line}" if line is not None else name
        super().__init__(f"{where}: {message}")

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


@dataclass(frozen=True)
class Fields:
    title: str
    date: datetime | None
    category: str | None
    tags: list[str]
    authors: list[str]
    summary: str
    banner: str | None
    slug: str | None
    draft: bool
    updated: datetime | None
    aliases: list[str]
    extra: dict


# -- reading and writing bytes ---------------------------------------------------


def parse(data: bytes, *, name: str = "<string>") -> Document:
    """Split data into front matter and body, and read the front matter."""
    bom = data.startswith(BOM)
    raw = data[len(BOM) :] if bom else data
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        offset = exc.start + len(BOM) * bom
        raise FrontMatterError(
            name, line, f"not valid UTF-8 at byte {offset}"
        ) from None
    newline = "\n"
    if "\r\n" in text and text.count("\n") == text.count("\r\n"):
        newline, text = "\r\n", text.replace("\r\n", "\n")
    fmt, front = _split(text, name)
    meta = _load(fmt, front, name).meta if fmt else {}
    return Document(front, text[len(front) :], fmt, meta, bom, newline)


def serialize(doc: Document) -> bytes:
    """Return the bytes of doc: the exact inverse of parse()."""
    text = doc.front + doc.body
    if doc.newline == "\r\n":
        text = text.replace("\n", "\r\n")
    return BOM * doc.bom + text.encode("utf-8")


def _split(text: str, name: str) -> tuple[str | None, str]:
    first = text.split("\n", 1)[0]
    delimiter = first.rstrip(" \t\r")
    fmt = _DELIMITERS.get(delimiter)
    if fmt:
        pos = len(first) + 1
        while pos < len(text) and pos <= MAX_FRONT_BYTES:
            end = text.find("\n", pos) + 1 or len(text)
            if text[pos:end].rstrip(" \t\r\n") == delimiter:
                return fmt, _checked_size(text[:end], name)
            pos = end
        if pos > MAX_FRONT_BYTES:
            _checked_size(text[:pos], name)
        raise FrontMatterError(name, 1, f"front matter has no closing '{delimiter}'")
    if text.startswith("{"):
        _, end = _load_json(text, name)
        tail = re.compile(r"[ \t\r]*(?:\n|$)").match(text, end)
        return "json", _checked_size(text[: tail.end() if tail else end], name)
    return None, ""


def _checked_size(front: str, name: str) -> str:
    if len(front.encode("utf-8")) > MAX_FRONT_BYTES:
        raise FrontMatterError(name, 1, "front matter is larger than 64 KiB")
    return front


# -- reading front matter --------------------------------------------------------


@dataclass
class _Value:
    """Where a top-level YAML value sits and how it was written."""

    line: int  # file line of its key
    last: int  # file line of its last character
    style: str | None  # scalar style: None (plain), "'", '"', "|" or ">"
    flow: bool | None  # collection style, None for a scalar
    item_styles: list = field(default_factory=list)


@dataclass
class _Loaded:
    meta: dict
    keys: dict[str, _Value] = field(default_factory=dict)
    flow_root: bool = False


def _load(fmt: str, front: str, name: str) -> _Loaded:
    if fmt == "json":
        return _Loaded(_load_json(front, name)[0])
    head, inner, _ = _parts(front)
    if fmt == "toml":
        try:
            return _Loaded(tomllib.loads(inner))
        except tomllib.TOMLDecodeError as exc:
            where = re.search(r" \(at line (\d+), column \d+\)$", str(exc))
            line = int(where[1]) + 1 if where else front.count("\n")
            message = str(exc)[: where.start()] if where else str(exc)
            raise FrontMatterError(name, line, f"cannot read TOML: {message}") from None
        except RecursionError:
            raise FrontMatterError(
                name, 1, "front matter is nested too deeply"
            ) from None
    return _load_yaml(inner, name)


def _parts(front: str) -> tuple[str, str, str]:
    """Split a delimited block into opening line, inner text and closing line."""
    start = front.index("\n") + 1
    end = front.rfind("\n", 0, len(front) - 1) + 1
    return front[:start], front[start:end], front[end:]


def _load_json(text: str, name: str) -> tuple[dict, int]:
    def unique(pairs):
        seen = dict(pairs)
        if len(seen) < len(pairs):
            dup = next(k for i, (k, _) in enumerate(pairs) if k in dict(pairs[:i]))
            raise FrontMatterError(name, None, f"duplicate key {dup!r}")
        return seen

    try:
        return json.JSONDecoder(object_pairs_hook=unique).raw_decode(text)
    except json.JSONDecodeError as exc:
        raise FrontMatterError(
            name, exc.lineno, f"cannot read JSON: {exc.msg}"
        ) from None
    except RecursionError:
        raise FrontMatterError(name, 1, "front matter is nested too deeply") from None


class _Constructor(RoundTripConstructor):
    def construct_yaml_timestamp(self, node, values=None):
        try:
            return super().construct_yaml_timestamp(node, values)
        except ValueError:  # 2024-13-01: keep the text; fields() says what is wrong
            return self.construct_scalar(node)


_Constructor.add_constructor(
    "tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp
)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    return yaml


def _load_yaml(inner: str, name: str) -> _Loaded:
    def line(index: int) -> int:  # the opening delimiter is line 1
        return inner.count("\n", 0, index) + 2

    try:
        loaded = _walk_events(inner, name, line)
        data = _yaml().load(inner)
    except DuplicateKeyError as exc:
        dup = re.match(r'found duplicate key "(.*?)"', exc.problem or "")
        key = repr(dup[1]) if dup else ""
        raise FrontMatterError(
            name, line(exc.problem_mark.index), f"duplicate key {key}".strip()
        ) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = line(mark.index) if mark else None
        found = _diagnose(inner, at)
        if found:
            raise FrontMatterError(name, *found) from None
        raise FrontMatterError(name, at, f"cannot read YAML: {exc.problem}") from None
    except ReaderError as exc:
        message = f"character {chr(exc.character)!r} is not allowed in YAML"
        raise FrontMatterError(name, line(exc.position), message) from None
    except YAMLError as exc:
        raise FrontMatterError(name, None, f"cannot read YAML: {exc}") from None
    loaded.meta = _plain(data) if data is not None else {}
    return loaded


def _walk_events(inner: str, name: str, line) -> _Loaded:
    """Check the YAML's size and shape before any object is built.

    Count aliases and the values they would expand to (this is what stops a
    "billion laughs" document), and note where each top-level value is.
    """
    loaded = _Loaded({})
    sizes: dict[str, int] = {}
    stack: list[list] = []  # [anchor, values so far, flow style] per open collection
    aliases = child = 0
    key = value = None
    for event in YAML(typ="rt").parse(inner):
        if not isinstance(event, ev.NodeEvent | ev.CollectionEndEvent):
            continue
        here = line(event.start_mark.index)
        if not stack and not isinstance(event, ev.MappingStartEvent):
            raise FrontMatterError(name, here, "front matter is not a mapping")
        if len(stack) == 1 and isinstance(event, ev.NodeEvent):
            child += 1
            if child % 2:
                key, value = (
                    (event.value if isinstance(event, ev.ScalarEvent) else None),
                    None,
                )
                key_line = here
            else:
                value = _Value(key_line, here, getattr(event, "style", None), None)
                value.flow = getattr(event, "flow_style", None)
                if key is not None:
                    loaded.keys.setdefault(key, value)
        if value and len(stack) == 2 and isinstance(event, ev.ScalarEvent):
            value.item_styles.append(event.style)
        if isinstance(event, ev.CollectionStartEvent):
            loaded.flow_root = loaded.flow_root or (not stack and event.flow_style)
            stack.append([event.anchor, 1, event.flow_style])
            if len(stack) > MAX_DEPTH:
                raise FrontMatterError(name, here, "front matter is nested too deeply")
            continue
        if isinstance(event, ev.AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                raise FrontMatterError(name, here, f"more than {MAX_ALIASES} aliases")
            if event.anchor not in sizes:
                message = f"alias *{event.anchor} does not refer to a finished anchor"
                raise FrontMatterError(name, here, message)
            anchor, size, closes_text = None, sizes[event.anchor], True
        elif isinstance(event, ev.ScalarEvent):
            anchor, size, closes_text = event.anchor, 1, True
        else:  # a block collection ends where the next token starts: not useful
            anchor, size, closes_text = stack.pop()
        if value and closes_text:
            value.last = line(max(event.end_mark.index - 1, event.start_mark.index))
        if anchor:
            sizes[anchor] = size
        if stack:
            stack[-1][1] += size
            if stack[-1][1] > MAX_NODES:
                message = f"aliases expand to more than {MAX_NODES} values"
                raise FrontMatterError(name, here, message)
    return loaded


_NO_SPACE_AFTER_COLON = re.compile(r"\s*\w[\w .-]*:(?=[^\s/:])")
_DASH_WITHOUT_SPACE = re.compile(r"\s*-[^\s-]")
_VALUE = re.compile(r"\s*(?:\w[\w .-]*:\s+|-\s+)(?P<value>['\"].*)")
_BLOCK_SCALAR = re.compile(r"(?:.*:|\s*-)\s+[|>][-+0-9]*\s*(?:#.*)?")


def _diagnose(inner: str, upto: int | None) -> tuple[int, str] | None:
    """Name the usual hand-editing mistake on or before the parser's error line."""
    previous, block = "", None
    for number, text in enumerate(inner.split("\n"), start=2):
        if upto is not None and number > upto:
            break
        indent = len(text) - len(text.lstrip(" "))
        if block is not None and (not text.strip() or indent > block):
            continue
        block = None
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        if number == upto and "\t" in text:
            if "\t" in text[: len(text) - len(text.lstrip(" \t"))]:
                return number, "a TAB is used for indentation; indent with spaces"
            if not _VALUE.match(text):
                return number, "a TAB inside an unquoted value; put the value in quotes"
        if _NO_SPACE_AFTER_COLON.match(text):
            return number, "expected a space after ':'"
        after_key = previous.rstrip().endswith(":") or previous.lstrip().startswith("-")
        if _DASH_WITHOUT_SPACE.match(text) and after_key:
            return number, "expected a space after '-' in a list item"
        quoted = _VALUE.match(text)
        if quoted and _stray_quote(quoted["value"]):
            return number, _QUOTE_ADVICE[quoted["value"][0]]
        if _BLOCK_SCALAR.fullmatch(text):
            block = indent
        previous = text
    return None


def _stray_quote(value: str) -> bool:
    """Tell whether a quoted value closes before the end of its line."""
    quote, i = value[0], 1
    escape = "''" if quote == "'" else "\\"
    while i < len(value):
        if value.startswith(escape, i):
            i += 2
        elif value[i] == quote:
            rest = value[i + 1 :].strip()
            return bool(rest) and not rest.startswith("#")
        else:
            i += 1
    return False  # the value goes on to the next line


def _plain(value):
    """Turn ruamel's round-trip types into plain Python values."""
    if isinstance(value, dict):
        return {_plain_key(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | abc.Set):
        return [_plain(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    if isinstance(value, TaggedScalar):
        return str(value.value)
    for kind in (bool, int, float, str):
        if isinstance(value, kind):
            return kind(value)
    if isinstance(value, datetime):
        parts = value.timetuple()[:6]
        return datetime(*parts, value.microsecond, value.tzinfo, fold=value.fold)
    return value


def _plain_key(key):
    key = _plain(key)
    return repr(key) if isinstance(key, dict | list | tuple) else key


# -- the field mapping -------------------------------------------------------------


def fields(doc: Document, *, tz: tzinfo, name: str) -> Fields:
    """Map doc's front matter onto the content model; tz applies to naive dates."""
    chosen = _choose_keys(doc.meta)
    values = {}
    for fld, key in chosen.items():
        try:
            values[fld] = _CONVERT[fld](doc.meta[key], key, tz)
        except ValueError as exc:
            raise FrontMatterError(name, _key_line(doc, key, name), str(exc)) from None
    title = values.pop("title", "")
    if not title and doc.format is None:
        title = _heading(doc.body) or _stem(name)
    if not title:
        raise FrontMatterError(name, 1 if doc.format else None, "no title")
    used = set(chosen.values())
    extra = {_text(k, ""): _jsonable(v) for k, v in doc.meta.items() if k not in used}
    empty = {f: _CONVERT[f](None, f, tz) for f in FIELD_KEYS}
    return Fields(**(empty | values | {"title": title, "extra": extra}))


def parse_date(value: object, *, tz: tzinfo) -> datetime:
    """Read a front-matter date; a naive one is taken to be in tz."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=tz)
    try:
        return _date_from_text(value.strip(), tz)
    except (AttributeError, ValueError, KeyError, TypeError):
        raise ValueError(f"cannot read date {value!r} (use YYYY-MM-DD)") from None


_ISO_DATE = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt]|\s+)(\d{1,2}):(\d{2})"
    r"(?::(\d{2})(?:[.,](\d{1,6})\d*)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?)?"
)
_MONTH_FIRST = re.compile(r"([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")
_DAY_FIRST = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})")


def _date_from_text(text: str, tz: tzinfo) -> datetime:
    if m := _ISO_DATE.fullmatch(text):
        year, month, day, hour, minute, second, frac, offset = m.groups()
        if offset in ("Z", "z"):
            tz = UTC
        elif offset:
            sign = -1 if offset[0] == "-" else 1
            digits = offset[1:].replace(":", "")
            tz = timezone(
                sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
            )
        clock = [
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((frac or "0").ljust(6, "0")),
        ]
        return datetime(int(year), int(month), int(day), *clock, tzinfo=tz)
    if m := _MONTH_FIRST.fullmatch(text):
        month, day, year = m.groups()
    elif m := _DAY_FIRST.fullmatch(text):
        day, month, year = m.groups()
    else:
        raise ValueError(text)
    return datetime(int(year), _MONTHS[month.lower()], int(day), tzinfo=tz)


def _choose_keys(meta: dict) -> dict[str, str]:
    """Return, per canonical field, the key the front matter uses for it."""
    chosen: dict[str, tuple[str, int]] = {}
    for key in meta:
        fld, rank = (
            _LOOKUP.get(key.lower(), (None, 0)) if isinstance(key, str) else (None, 0)
        )
        if fld and (fld not in chosen or rank < chosen[fld][1]):
            chosen[fld] = (key, rank)
    return {fld: key for fld, (key, _) in chosen.items()}


def _kind(value) -> str:
    return "a mapping" if isinstance(value, dict) else "a list"


def _text(value, key: str) -> str | None:
    if isinstance(value, dict | list | tuple):
        raise ValueError(f"'{key}' must be text, not {_kind(value)}")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date | time):
        return value.isoformat()
    return None if value is None else str(value)


def _names(value, key: str, *, split: bool) -> list[str]:
    if isinstance(value, dict):
        raise ValueError(f"'{key}' must be a list or text, not a mapping")
    if isinstance(value, str):
        # Only tags are split: "gwei3, openEuler Security Committee" reads as one
        # author (a committee may have a comma in its name); authors come as lists.
        value = value.split(",") if split else [value]
    items = []
    for item in value or []:
        if isinstance(item, dict | list):
            raise ValueError(f"'{key}' must be a list of text, not of {_kind(item)}s")
        text = (_text(item, key) or "").strip()
        if text and text not in items:
            items.append(text)
    return items


def _flag(value, key: str) -> bool:
    if isinstance(value, dict | list):
        raise ValueError(f"'{key}' must be true or false, not {_kind(value)}")
    return value is True or (
        isinstance(value, str) and value.strip().lower() in ("true", "yes")
    )


def _optional_date(value, key, tz):
    return None if value is None or value == "" else parse_date(value, tz=tz)


_CONVERT = {
    "title": lambda v, k, tz: (_text(v, k) or "").strip(),
    "date": _optional_date,
    "category": lambda v, k, tz: (_text(v, k) or "").strip() or None,
    "tags": lambda v, k, tz: _names(v, k, split=True),
    "banner": lambda v, k, tz: _text(v, k) or None,
    "authors": lambda v, k, tz: _names(v, k, split=False),
    "summary": lambda v, k, tz: (_text(v, k) or "").strip(),
    "slug": lambda v, k, tz: (_text(v, k) or "").strip() or None,
    "draft": lambda v, k, tz: _flag(v, k),
    "updated": _optional_date,
    "aliases": lambda v, k, tz: _names(v, k, split=False),
}


def _jsonable(value):
    if isinstance(value, dict):
        return {_text(_plain_key(k), ""): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def _key_line(doc: Document, key: str, name: str) -> int | None:
    if doc.format == "yaml":
        found = _load_yaml(_parts(doc.front)[1], name).keys.get(key)
        return found.line if found else None
    quoted = re.escape(json.dumps(key))
    pattern = (
        rf"{quoted}\s*:"
        if doc.format == "json"
        else rf"(?m)^\s*({quoted}|'{re.escape(key)}'|{re.escape(key)})\s*="
    )
    found = re.search(pattern, doc.front)
    return doc.front.count("\n", 0, found.start()) + 1 if found else None


_ATX = re.compile(r" {0,3}#[ \t]+(.*?)(?:[ \t]+#+)?[ \t\r]*")
_SETEXT = re.compile(r" {0,3}=+[ \t\r]*")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")


def _heading(body: str) -> str | None:
    """Return the first level-1 heading outside code fences."""
    fence, previous = None, ""
    for text in body.split("\n"):
        opening = _FENCE.match(text)
        if fence or opening:
            closes = (
                fence
                and opening
                and opening[1].startswith(fence)
                and not text[opening.end() :].strip()
            )
            fence = None if closes else fence or opening[1]
            previous = ""
            continue
        if (m := _ATX.fullmatch(text)) and m[1].strip():
            return m[1].strip()
        if (
            _SETEXT.fullmatch(text)
            and previous.strip()
            and not previous.startswith("    ")
        ):
            return previous.strip()
        previous = text
    return None


def _stem(name: str) -> str:
    base = re.split(r"[\\/]", name)[-1]
    return (base[:-3] if base.lower().endswith(".md") else base).strip()


# -- writing front matter --------------------------------------------------------


def update(doc: Document, changes: dict[str, object]) -> Document:
    """Return doc with the changed fields rewritten and every other byte kept.

    changes maps canonical fields to new values (None, "" or [] removes the key)
    and "extra" to a dict of raw keys to new values (None removes the key).
    """
    unknown = set(changes) - set(FIELD_KEYS) - {"extra"}
    if unknown:
        raise ValueError(f"unknown fields: {', '.join(sorted(unknown))}")
    chosen = _choose_keys(doc.meta)
    plan: dict[
        str, tuple[str | None, bool, object]
    ] = {}  # key -> (field, exists, value)
    for fld, new in changes.items():
        if fld == "extra":
            continue
        key = chosen.get(fld)
        old = doc.meta.get(key) if key else None
        if not _same(fld, old, new):
            value = None if _empty(new) else _to_write(fld, new, old)
            plan[key or FIELD_KEYS[fld][0]] = (fld, key is not None, value)
    for raw, new in (changes.get("extra") or {}).items():
        key = next((k for k in doc.meta if _text(k, "") == raw), None)
        if key is None and new is None:
            continue
        if key is None or _jsonable(doc.meta[key]) != _jsonable(new):
            plan[raw] = (None, key is not None, new)
    if not plan:
        return doc
    if doc.format == "toml":
        front = _update_toml(doc, plan)
    elif doc.format == "json":
        front = _update_json(doc, plan)
    else:
        front = _update_yaml(doc, plan)
    fmt = doc.format or "yaml"
    return replace(
        doc, front=front, format=fmt, meta=_load(fmt, front, "<update>").meta
    )


def compose(values: dict[str, object], body: str) -> Document:
    """Lay out a new post: house-style YAML front matter, a blank line, the body."""
    unknown = set(values) - set(FIELD_KEYS) - {"extra"}
    if unknown:
        raise ValueError(f"unknown fields: {', '.join(sorted(unknown))}")
    parts = ["---\n"]
    for fld, names in FIELD_KEYS.items():
        value = values.get(fld)
        if not _empty(value) and (fld != "draft" or value):
            parts.append(_house_entry(fld, names[0], _to_write(fld, value, None)))
    for key, value in (values.get("extra") or {}).items():
        if value is not None:
            parts.append(_dump(key, value))
    front = "".join(parts) + "---\n"
    # Only add the blank line once, so export -> import -> export does not grow it.
    body = body if body.startswith("\n") else "\n" + body
    return Document(front, body, "yaml", _load("yaml", front, "<compose>").meta)


def _empty(value) -> bool:
    return value is None or value == "" or value == []


def _same(fld: str, old, new) -> bool:
    if fld in _DATE_FIELDS:
        return _same_date(old, new)
    try:
        return _CONVERT[fld](old, fld, UTC) == _CONVERT[fld](new, fld, UTC)
    except ValueError:
        return False


_NAIVE = timezone(timedelta(0), "naive")


def _same_date(old, new) -> bool:
    if _date_text(old) == _date_text(new):
        return True
    # fields() reads a date-only value as midnight in the site's time zone, so
    # getting that midnight back is no change, whatever the zone.
    if not isinstance(new, datetime) or new.time() != time() or _empty(old):
        return False
    try:
        was = parse_date(old, tz=_NAIVE)
    except ValueError:
        return False
    return was.tzinfo is _NAIVE and was.time() == time() and was.date() == new.date()


def _date_text(value) -> str | None:
    if value is None or value == "":
        return None
    return value.isoformat() if isinstance(value, date) else str(value).strip()


def _to_write(fld: str, value, old):
    if fld in _LIST_FIELDS:
        names = _names(value, fld, split=fld == "tags")
        # One author is written as a plain string unless the file used a list.
        return (
            names[0]
            if fld == "authors" and len(names) == 1 and not isinstance(old, list)
            else names
        )
    if fld == "draft":
        return _flag(value, fld)
    return value


def _house_entry(fld: str, key: str, value) -> str:
    if fld in _DATE_FIELDS and isinstance(value, date):
        value = value.isoformat()
    if fld in _HOUSE_QUOTED or (fld == "authors" and isinstance(value, str)):
        value = SingleQuotedScalarString(value)
    return _dump(key, value)


def _dump(key, value, *, indent: int = 2) -> str:
    yaml = YAML(typ="rt")
    yaml.width = 1 << 30  # never fold a long summary onto several lines
    yaml.indent(mapping=2, sequence=indent + 2, offset=indent)
    out = io.StringIO()
    yaml.dump({key: value}, out)
    return out.getvalue()


_PLAIN_DATE = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}"
    r"(?:[Tt ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?: ?(?:Z|[+-]\d{2}(?::?\d{2})?))?)?"
    r"|[A-Za-z]+\.? \d{1,2},? \d{4}|\d{1,2} [A-Za-z]+\.? \d{4}"
)
_STYLES = {
    "'": SingleQuotedScalarString,
    '"': DoubleQuotedScalarString,
    "|": LiteralScalarString,
    ">": FoldedScalarString,
}


def _styled(value, style: str | None):
    if not isinstance(value, str) or style not in _STYLES:
        return value
    if style in "|>" and "\n" not in value:
        return value
    return _STYLES[style](value)


def _yaml_entry(key: str, fld: str | None, value, old: _Value, lines: list[str]) -> str:
    """Dump key: value in the style the file used for the old value."""
    if fld in _DATE_FIELDS:
        value = value.isoformat() if isinstance(value, date) else value
        if (
            old.style is None
            and _PLAIN_DATE.fullmatch(value)
            and re.fullmatch(r"\w+", key)
        ):
            return f"{key}: {value}\n"
    items = [ln for ln in lines[1:] if ln.lstrip(" ").startswith("- ")]
    indent = len(items[0]) - len(items[0].lstrip(" ")) if items else 2
    if isinstance(value, list):
        item_style = old.item_styles[0] if old.item_styles else None
        value = CommentedSeq(_styled(v, item_style) for v in value)
        if old.flow:
            value.fa.set_flow_style()
    return _dump(key, _styled(value, old.style), indent=indent)


def _split_lines(text: str) -> list[str]:
    parts = text.split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def _update_yaml(doc: Document, plan: dict) -> str:
    if doc.format is None:
        lines, keys = ["---\n", "---\n"], {}
    else:
        loaded = _load_yaml(_parts(doc.front)[1], "<update>")
        if loaded.flow_root:
            raise ValueError(
                "cannot update front matter written as a flow mapping {...}"
            )
        lines, keys = _split_lines(doc.front), loaded.keys
    close = len(lines) - 1
    starts = sorted(v.line - 1 for v in keys.values())
    added, spans = [], []
    for key, (fld, exists, value) in plan.items():
        old = keys.get(key) if exists else None
        if old is None:
            if value is not None:
                added.append(
                    _house_entry(fld, key, value) if fld else _dump(key, value)
                )
            continue
        start = old.line - 1
        end = min((s for s in starts if s > start), default=close)
        floor = min(max(start, old.last - 1), end - 1) + 1
        # Blank lines and comments before the next key belong to what follows.
        while end > floor and (
            not lines[end - 1].strip() or lines[end - 1].startswith("#")
        ):
            end -= 1
        entry = (
            "" if value is None else _yaml_entry(key, fld, value, old, lines[start:end])
        )
        spans.append((start, end, entry))
    lines[close:close] = added
    for start, end, entry in sorted(spans, reverse=True):
        lines[start:end] = [entry]
    return "".join(lines)


def _update_toml(doc: Document, plan: dict) -> str:
    head, inner, tail = _parts(doc.front)
    table = tomlkit.parse(inner)
    for key, (_fld, _exists, value) in plan.items():
        if value is None:
            table.pop(key, None)
        else:
            table[key] = value
    return head + tomlkit.dumps(table) + tail


def _update_json(doc: Document, plan: dict) -> str:
    meta, end = _load_json(doc.front, "<update>")
    for key, (_fld, _exists, value) in plan.items():
        if value is None:
            meta.pop(key, None)
        else:
            meta[key] = _jsonable(value)
    lines = doc.front[:end].split("\n")
    indent = (
        lines[1][: len(lines[1]) - len(lines[1].lstrip(" \t"))]
        if len(lines) > 1
        else None
    )
    ascii_only = "\\u" in doc.front[:end]
    return json.dumps(meta, indent=indent, ensure_ascii=ascii_only) + doc.front[end:]
