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
from tomlkit.exceptions import TOMLKitError

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
_RANK = {k: (f, i) for f, keys in FIELD_KEYS.items() for i, k in enumerate(keys)}
_DATE_FIELDS = ("date", "updated")
_LIST_FIELDS = ("tags", "authors", "aliases")
_HOUSE_QUOTED = ("title", "date", "banner", "summary", "updated")  # as the seed does
_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july")
_MONTH_NAMES += ("august", "september", "october", "november", "december")
_MONTHS = {m: i for i, n in enumerate(_MONTH_NAMES, 1) for m in (n, n[:3])}
_MONTHS["sept"] = 9


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


# -- bytes ---------------------------------------------------------------------------


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
    fmt = {"---": "yaml", "+++": "toml"}.get(delimiter)
    if fmt:
        pos = len(first) + 1
        while pos < len(text) and pos <= MAX_FRONT_BYTES:
            end = text.find("\n", pos) + 1 or len(text)
            if text[pos:end].rstrip(" \t\r\n") == delimiter:
                return fmt, _sized(text[:end], name)
            pos = end
        _sized(text[:pos], name)
        raise FrontMatterError(name, 1, f"front matter has no closing '{delimiter}'")
    if text.startswith("{"):
        end = _load_json(text, name)[1]
        rest_of_line = re.compile(r"[ \t\r]*(\n|$)").match(text, end)
        return "json", _sized(text[: rest_of_line.end() if rest_of_line else end], name)
    return None, ""


def _sized(front: str, name: str) -> str:
    if len(front.encode("utf-8")) > MAX_FRONT_BYTES:
        raise FrontMatterError(name, 1, "front matter is larger than 64 KiB")
    return front


def _parts(front: str) -> tuple[str, str, str]:
    """Split a delimited block into opening line, inner text and closing line."""
    start, end = front.index("\n") + 1, front.rfind("\n", 0, len(front) - 1) + 1
    return front[:start], front[start:end], front[end:]


# -- reading front matter --------------------------------------------------------


@dataclass
class _Value:
    """Where a top-level YAML value sits and how it was written."""

    line: int  # file line of its key
    last: int  # file line of its last character
    style: str | None  # scalar style: None (plain), "'", '"', "|" or ">"
    flow: bool | None  # collection style; None for a scalar
    item_styles: list = field(default_factory=list)


@dataclass
class _Loaded:
    meta: dict
    keys: dict[str, _Value] = field(default_factory=dict)
    flow_root: bool = False


def _load(fmt: str, front: str, name: str) -> _Loaded:
    if fmt == "json":
        return _Loaded(_load_json(front, name)[0])
    inner = _parts(front)[1]
    if fmt == "yaml":
        return _load_yaml(inner, name)
    try:
        return _Loaded(tomllib.loads(inner))
    except tomllib.TOMLDecodeError as exc:
        text, at = str(exc), re.search(r" \(at line (\d+), column \d+\)$", str(exc))
        line = int(at[1]) + 1 if at else front.count("\n")
        message = text[: at.start()] if at else text
        raise FrontMatterError(name, line, f"cannot read TOML: {message}") from None
    except RecursionError:
        raise FrontMatterError(name, 1, "front matter is nested too deeply") from None


def _load_json(text: str, name: str) -> tuple[dict, int]:
    def unique(pairs):
        if len(mapping := dict(pairs)) < len(pairs):
            dup = next(k for i, (k, _) in enumerate(pairs) if k in dict(pairs[:i]))
            raise FrontMatterError(name, None, f"duplicate key {dup!r}")
        return mapping

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
        except ValueError:  # 2024-13-01: keep the text so fields() can say so
            return self.construct_scalar(node)


_Constructor.add_constructor(
    "tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp
)


def _load_yaml(inner: str, name: str) -> _Loaded:
    def line(index: int) -> int:  # the opening delimiter is line 1
        return inner.count("\n", 0, index) + 2

    yaml = YAML(typ="rt")  # round-trip: builds no arbitrary objects, like "safe"
    yaml.Constructor = _Constructor
    try:
        loaded = _walk(inner, yaml.parse(inner), name, line)
        data = yaml.load(inner)
    except DuplicateKeyError as exc:
        key = re.match(r'found duplicate key "(.*?)"', exc.problem or "")
        message = f"duplicate key {key[1]!r}" if key else "duplicate key"
        raise FrontMatterError(name, line(exc.problem_mark.index), message) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = line(mark.index) if mark else None
        found = _diagnose(inner, at) or (at, f"cannot read YAML: {exc.problem}")
        raise FrontMatterError(name, *found) from None
    except ReaderError as exc:
        message = f"character {chr(exc.character)!r} is not allowed in YAML"
        raise FrontMatterError(name, line(exc.position), message) from None
    except YAMLError as exc:
        raise FrontMatterError(name, None, f"cannot read YAML: {exc}") from None
    loaded.meta = {} if data is None else _plain(data)
    return loaded


def _walk(inner: str, events, name: str, line) -> _Loaded:
    """Check the YAML's shape and size before any object is built.

    Count aliases and the values they would expand to (this is what stops a
    "billion laughs" document), and note where each top-level value is.
    """
    loaded, sizes, stack = _Loaded({}), {}, []  # stack: [anchor, size, flow]
    aliases = child = 0
    key = key_line = value = None
    for event in events:
        if not isinstance(event, ev.NodeEvent | ev.CollectionEndEvent):
            continue
        here = line(event.start_mark.index)
        if not stack and not isinstance(event, ev.MappingStartEvent):
            raise FrontMatterError(name, here, "front matter is not a mapping")
        if len(stack) == 1 and isinstance(event, ev.NodeEvent):
            child += 1
            if child % 2:
                key = event.value if isinstance(event, ev.ScalarEvent) else None
                key_line, value = here, None
            else:
                style = getattr(event, "style", None)
                value = _Value(
                    key_line, here, style, getattr(event, "flow_style", None)
                )
                loaded.keys.setdefault(key, value)
        elif value and len(stack) == 2 and isinstance(event, ev.ScalarEvent):
            value.item_styles.append(event.style)
        if isinstance(event, ev.CollectionStartEvent):
            loaded.flow_root |= not stack and bool(event.flow_style)
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
            anchor, size, flow = None, sizes[event.anchor], True
        elif isinstance(event, ev.ScalarEvent):
            anchor, size, flow = event.anchor, 1, True
        else:
            anchor, size, flow = stack.pop()
        if value and flow:  # a block collection's end mark is the next token's start
            end = event.end_mark.index
            while end - 1 > event.start_mark.index and inner[end - 1].isspace():
                end -= 1  # a block scalar's end mark is past its trailing blank lines
            value.last = line(max(end - 1, event.start_mark.index))
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
_QUOTED_VALUE = re.compile(r"\s*(?:\w[\w .-]*:\s+|-\s+)(['\"].*)")
_BLOCK_SCALAR = re.compile(r"(?:.*:|\s*-)\s+[|>][-+0-9]*\s*(?:#.*)?")
_QUOTE_ADVICE = {
    "'": "unescaped ' inside a single-quoted value; write '' or use double quotes",
    '"': 'unescaped " inside a double-quoted value; write \\" or use single quotes',
}


def _diagnose(inner: str, upto: int | None) -> tuple[int, str] | None:
    """Name the usual hand-editing mistake on or before the parser's error line."""
    previous, block, lines = "", None, inner.split("\n")
    for number, text in enumerate(lines[: upto - 1] if upto else lines, start=2):
        indent = len(text) - len(text.lstrip(" "))
        if block is not None and (not text.strip() or indent > block):
            continue  # inside a | or > block, anything goes
        block = None
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        quoted = _QUOTED_VALUE.match(text)
        if number == upto and "\t" in text:
            if "\t" in text[: len(text) - len(text.lstrip(" \t"))]:
                return number, "a TAB is used for indentation; indent with spaces"
            if not quoted:
                return number, "a TAB inside an unquoted value; put the value in quotes"
        if _NO_SPACE_AFTER_COLON.match(text):
            return number, "expected a space after ':'"
        after_key = previous.rstrip().endswith(":") or previous.lstrip().startswith("-")
        if _DASH_WITHOUT_SPACE.match(text) and after_key:
            return number, "expected a space after '-' in a list item"
        if quoted and _closes_early(quoted[1]):
            return number, _QUOTE_ADVICE[quoted[1][0]]
        block = indent if _BLOCK_SCALAR.fullmatch(text) else None
        previous = text
    return None


def _closes_early(value: str) -> bool:
    """Tell whether a quoted value's closing quote has more text after it."""
    quote, escape, i = value[0], "''" if value[0] == "'" else "\\", 1
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
    if isinstance(value, list | tuple | abc.Set):
        return (tuple if isinstance(value, tuple) else list)(map(_plain, value))
    if isinstance(value, TaggedScalar):
        return str(value.value)
    for kind in (bool, int, float, str):
        if isinstance(value, kind):
            return kind(value)
    if isinstance(value, datetime):  # ruamel's TimeStamp subclass
        return datetime.fromisoformat(value.isoformat())
    return value


def _plain_key(key):
    key = _plain(key)
    return repr(key) if isinstance(key, dict | list | tuple) else key


# -- the field mapping -------------------------------------------------------------


def fields(doc: Document, *, tz: tzinfo, name: str) -> Fields:
    """Map doc's front matter onto the content model; tz applies to naive dates."""
    chosen = _choose_keys(doc.meta)
    values = {f: _CONVERT[f](None, f, tz) for f in FIELD_KEYS}
    for fld, key in chosen.items():
        try:
            values[fld] = _CONVERT[fld](doc.meta[key], key, tz)
        except ValueError as exc:
            raise FrontMatterError(name, _key_line(doc, key), str(exc)) from None
    if not values["title"] and doc.format is None:
        values["title"] = _heading(doc.body) or _stem(name)
    if not values["title"]:
        raise FrontMatterError(name, 1 if doc.format else None, "no title")
    used = set(chosen.values())
    extra = {_text(k, ""): _jsonable(v) for k, v in doc.meta.items() if k not in used}
    return Fields(**values, extra=extra)


def parse_date(value: object, *, tz: tzinfo) -> datetime:
    """Read a front-matter date; a naive one is taken to be in tz."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=tz)
    try:
        return _date_from_text(value.strip(), tz)
    except (AttributeError, ValueError, KeyError):
        raise ValueError(f"cannot read date {value!r} (use YYYY-MM-DD)") from None


_ISO_DATE = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt]|\s+)(\d{1,2}):(\d{2})"
    r"(?::(\d{2})(?:[.,](\d{1,6})\d*)?)?\s*(Z|z|([+-])(\d{2}):?(\d{2})?)?)?"
)
_MONTH_FIRST = re.compile(r"([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")
_DAY_FIRST = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})")


def _date_from_text(text: str, tz: tzinfo) -> datetime:
    if m := _ISO_DATE.fullmatch(text):
        *ymdhms, fraction, offset, sign, hours, minutes = m.groups()
        if offset:
            shift = timedelta(hours=int(hours or 0), minutes=int(minutes or 0))
            tz = timezone(-shift if sign == "-" else shift) if sign else UTC
        micro = int((fraction or "0").ljust(6, "0"))
        return datetime(*(int(n or 0) for n in ymdhms), micro, tzinfo=tz)
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
        fld, rank = _RANK.get(key.lower() if isinstance(key, str) else "", ("", 0))
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


def _names(value, key: str, *, split: bool = False) -> list[str]:
    if isinstance(value, dict):
        raise ValueError(f"'{key}' must be a list or text, not a mapping")
    if isinstance(value, str):
        # Only tags are split. "gwei3, openEuler Security Committee" stays one
        # author: a team's name may hold a comma, and several authors come as lists.
        value = value.split(",") if split else [value]
    items = []
    for item in value or []:
        if isinstance(item, dict | list):
            raise ValueError(f"'{key}' must list text, but an item is {_kind(item)}")
        if (text := (_text(item, key) or "").strip()) and text not in items:
            items.append(text)
    return items


def _flag(value, key: str) -> bool:
    if isinstance(value, dict | list):
        raise ValueError(f"'{key}' must be true or false, not {_kind(value)}")
    return value is True or str(value).strip().lower() in ("true", "yes")


def _when(value, key: str, tz: tzinfo) -> datetime | None:
    return None if value is None or value == "" else parse_date(value, tz=tz)


def _stripped(value, key: str, tz=None) -> str:
    return (_text(value, key) or "").strip()


_CONVERT = {
    "title": _stripped,
    "date": _when,
    "category": lambda v, k, tz: _stripped(v, k) or None,
    "tags": lambda v, k, tz: _names(v, k, split=True),
    "banner": lambda v, k, tz: _text(v, k) or None,  # a reference, as written
    "authors": lambda v, k, tz: _names(v, k),
    "summary": _stripped,
    "slug": lambda v, k, tz: _stripped(v, k) or None,
    "draft": lambda v, k, tz: _flag(v, k),
    "updated": _when,
    "aliases": lambda v, k, tz: _names(v, k),
}


def _jsonable(value):
    if isinstance(value, dict):
        return {_text(_plain_key(k), ""): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, bytes):  # YAML !!binary
        return base64.b64encode(value).decode("ascii")
    return value


def _key_line(doc: Document, key: str) -> int | None:
    if doc.format == "yaml":
        found = _load_yaml(_parts(doc.front)[1], "").keys.get(key)
        return found.line if found else None
    quoted, bare = re.escape(json.dumps(key)), re.escape(key)
    pattern = rf"{quoted}\s*:"  # JSON
    if doc.format == "toml":
        pattern = rf"(?m)^\s*({quoted}|'{bare}'|{bare})\s*="
    found = re.search(pattern, doc.front)
    return doc.front.count("\n", 0, found.start()) + 1 if found else None


_ATX = re.compile(r" {0,3}#[ \t]+(.*?)(?:[ \t]+#+)?[ \t\r]*")
_SETEXT = re.compile(r" {0,3}=+[ \t\r]*")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})[^`]*")


def _heading(body: str) -> str | None:
    """Return the first level-1 heading outside code fences."""
    fence, previous = "", ""
    for text in body.split("\n"):
        marker = _FENCE.fullmatch(text.rstrip())
        closes = (
            marker and marker[1].startswith(fence) and marker[0].strip() == marker[1]
        )
        if marker and (not fence or closes):
            fence, previous = "" if fence else marker[1], ""
            continue
        if fence:
            continue
        if (m := _ATX.fullmatch(text)) and m[1].strip():
            return m[1].strip()
        if _SETEXT.fullmatch(text) and previous.strip() and previous[:4] != "    ":
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
    Values equal to what fields() reads count as unchanged.
    """
    _check_names(changes)
    chosen = _choose_keys(doc.meta)
    plan = {}  # key as written -> (field or None, key exists, value or None)
    for fld, new in changes.items():
        key = chosen.get(fld)
        old = doc.meta.get(key) if key else None
        if fld == "title" and doc.format is None:
            old = _heading(doc.body)  # what fields() reads
        if fld != "extra" and not _same(fld, old, new):
            value = None if _empty(new) else _to_write(fld, new, old)
            plan[key or FIELD_KEYS[fld][0]] = (fld, key is not None, value)
    for raw, new in (changes.get("extra") or {}).items():
        key = next((k for k in doc.meta if _text(k, "") == raw), None)
        if (key is None) != (new is None) or (
            key is not None and _jsonable(doc.meta[key]) != _jsonable(new)
        ):
            plan[raw] = (None, key is not None, new)
    if not plan:
        return doc
    fmt = doc.format or "yaml"
    writer = {"toml": _update_toml, "json": _update_json}.get(fmt, _update_yaml)
    front = writer(doc, plan)
    meta = _load(fmt, front, "<update>").meta
    return replace(doc, front=front, format=fmt, meta=meta)


def compose(values: dict[str, object], body: str) -> Document:
    """Lay out a new post: house-style YAML front matter, a blank line, the body."""
    _check_names(values)
    parts = ["---\n"]
    for fld, keys in FIELD_KEYS.items():
        if not _empty(value := values.get(fld)) and (fld != "draft" or value):
            parts.append(_house_entry(fld, keys[0], _to_write(fld, value, None)))
    for key, value in (values.get("extra") or {}).items():
        if value is not None:
            parts.append(_dump(key, value))
    front = "".join(parts) + "---\n"
    # Add the blank line only once, so export -> import -> export does not grow it.
    body = body if body.startswith("\n") else "\n" + body
    return Document(front, body, "yaml", _load("yaml", front, "<compose>").meta)


def _check_names(values: dict) -> None:
    if unknown := set(values) - set(FIELD_KEYS) - {"extra"}:
        raise ValueError(f"unknown fields: {', '.join(sorted(unknown))}")


def _empty(value) -> bool:
    return value is None or value == "" or value == []


_NAIVE = timezone(timedelta(0), "naive")


def _same(fld: str, old, new) -> bool:
    try:
        if fld not in _DATE_FIELDS:
            return _CONVERT[fld](old, fld, UTC) == _CONVERT[fld](new, fld, UTC)
        if _date_text(old) == _date_text(new):
            return True
        # fields() reads a date-only value as midnight in the site's time zone,
        # so getting that midnight back is no change, whatever the zone.
        was = parse_date(old, tz=_NAIVE) if isinstance(new, datetime) else None
        return bool(was) and was.tzinfo is _NAIVE and was == new.replace(tzinfo=_NAIVE)
    except ValueError:
        return False


def _date_text(value) -> str | None:
    if value is None or value == "":
        return None
    return value.isoformat() if isinstance(value, date) else str(value).strip()


def _to_write(fld: str, value, old):
    if fld == "draft":
        return _flag(value, fld)
    if fld not in _LIST_FIELDS:
        return value
    names = _names(value, fld, split=fld == "tags")
    # One author is written as a plain string, unless the file used a list.
    single = fld == "authors" and len(names) == 1 and not isinstance(old, list)
    return names[0] if single else names


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
    r"\d{4}-\d{1,2}-\d{1,2}([Tt ][\d:.]+( ?(Z|[+-][\d:]+))?)?"
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
    return value if style in "|>" and "\n" not in value else _STYLES[style](value)


def _yaml_entry(key: str, fld: str | None, value, old: _Value, lines: list) -> str:
    """Dump key: value in the style the file used for the old value."""
    if fld in _DATE_FIELDS:
        value = value.isoformat() if isinstance(value, date) else value
        if old.style is None and _PLAIN_DATE.fullmatch(value) and key.isidentifier():
            return f"{key}: {value}\n"  # a date written plain stays plain
    if isinstance(value, list):
        style = old.item_styles[0] if old.item_styles else None
        value = CommentedSeq(_styled(v, style) for v in value)
        if old.flow:
            value.fa.set_flow_style()
    items = [ln for ln in lines[1:] if ln.lstrip(" ").startswith("- ")]
    indent = len(items[0]) - len(items[0].lstrip(" ")) if items else 2
    return _dump(key, _styled(value, old.style), indent=indent)


def _update_yaml(doc: Document, plan: dict) -> str:
    lines, keys = ["---\n", "---\n"], {}
    if doc.format:
        loaded = _load_yaml(_parts(doc.front)[1], "")
        if loaded.flow_root:
            raise ValueError("cannot update front matter written as {...}")
        lines, keys = re.findall(r"[^\n]*\n|[^\n]+\Z", doc.front), loaded.keys
    close = len(lines) - 1  # the closing delimiter
    starts = sorted(v.line - 1 for v in keys.values())
    added, spans = [], []
    for key, (fld, exists, value) in plan.items():
        if (old := keys.get(key) if exists else None) is None:
            if value is not None:
                added.append(
                    _house_entry(fld, key, value) if fld else _dump(key, value)
                )
            continue
        start = old.line - 1
        end = min((s for s in starts if s > start), default=close)
        floor = min(max(start, old.last - 1), end - 1) + 1
        # Blank lines and comments before the next key belong to what follows.
        while end > floor and (not lines[end - 1].strip() or lines[end - 1][0] == "#"):
            end -= 1
        if value is not None:
            value = _yaml_entry(key, fld, value, old, lines[start:end])
        spans.append((start, end, value or ""))
    lines[close:close] = added
    for start, end, entry in sorted(spans, reverse=True):
        lines[start:end] = [entry]
    return "".join(lines)


def _update_toml(doc: Document, plan: dict) -> str:
    head, inner, tail = _parts(doc.front)
    table = tomlkit.parse(inner)
    for key, (_, _, value) in plan.items():
        if value is None:
            table.pop(key, None)
            continue
        try:
            table[key] = value
        except TOMLKitError as exc:  # TOML has no null, for one
            raise ValueError(f"cannot write {key!r} as TOML: {exc}") from None
    return head + tomlkit.dumps(table) + tail


def _update_json(doc: Document, plan: dict) -> str:
    meta, end = _load_json(doc.front, "")
    for key, (_, _, value) in plan.items():
        if value is None:
            meta.pop(key, None)
        else:
            meta[key] = _jsonable(value)
    indent = re.match(r"\{\n([ \t]*)", doc.front)
    ascii_only = "\\u" in doc.front[:end]
    text = json.dumps(meta, indent=indent and indent[1], ensure_ascii=ascii_only)
    return text + doc.front[end:]
