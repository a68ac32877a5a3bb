"""YAML front matter between ``---`` lines: read with ruamel's round-trip
loader after a check of its shape and size, written back key by key in the
style each value was written in."""

import io
import re
from datetime import date

from ruamel.yaml import YAML
from ruamel.yaml import events as ev
from ruamel.yaml.comments import CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    FoldedScalarString,
    LiteralScalarString,
    SingleQuotedScalarString,
)

from .base import Delimited
from .document import (
    DATE_FIELDS,
    HOUSE_QUOTED,
    MAX_ALIASES,
    MAX_DEPTH,
    MAX_NODES,
    Document,
    FrontMatterError,
    Loaded,
    Position,
    delimited_parts,
)
from .values import plain


class YAMLHandler(Delimited):
    format = "yaml"
    delimiter = "---"

    def load(self, front: str, name: str) -> Loaded:
        return load_yaml(delimited_parts(front)[1], name)

    def dump(self, doc: Document, plan: dict) -> str:
        return _update_yaml(doc, plan)

    def key_line(self, doc: Document, key: str) -> int | None:
        found = load_yaml(delimited_parts(doc.front)[1], "").keys.get(key)
        return found.line if found else None


# -- reading ---------------------------------------------------------------------


class _Constructor(RoundTripConstructor):
    def construct_yaml_timestamp(self, node, values=None):
        try:
            return super().construct_yaml_timestamp(node, values)
        except ValueError:  # 2024-13-01: keep the text so fields() can say so
            return self.construct_scalar(node)


_Constructor.add_constructor(
    "tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp
)


def load_yaml(inner: str, name: str) -> Loaded:
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
    loaded.meta = {} if data is None else plain(data)
    return loaded


_CORE = "tag:yaml.org,2002:"
# Tags that only say what a plain value already is. Every other tag (local ones
# such as !include, !!python/..., !!binary, !!set) would ask for a value that
# cannot be written back as it was, or for code: refused, with the line.
_PLAIN_TAGS = (
    {"!"}
    | {_CORE + kind for kind in ("str", "int", "float", "bool", "null", "timestamp")}
    | {_CORE + "seq", _CORE + "map"}
)


def _is_null(event) -> bool:
    return (
        isinstance(event, ev.ScalarEvent)
        and event.style is None
        and event.tag in (None, _CORE + "null")
        and event.value in ("", "~", "null", "Null", "NULL")
    )


def _walk(inner: str, events, name: str, line) -> Loaded:
    """Check the YAML's shape and size before any object is built.

    Count aliases and the values they would expand to (this is what stops a
    "billion laughs" document), and note where each top-level value is.
    """
    loaded, sizes = Loaded({}), dict[str, int]()
    stack: list[list] = []  # [anchor, size, flow] per open collection
    aliases = child = key_line = 0
    key: str | None = None
    value: Position | None = None
    for event in events:
        if not isinstance(event, ev.NodeEvent | ev.CollectionEndEvent):
            continue
        here = line(event.start_mark.index)
        tag = getattr(event, "tag", None)
        if tag is not None and tag not in _PLAIN_TAGS:
            shown = tag.replace(_CORE, "!!")
            raise FrontMatterError(
                name,
                here,
                f"the tag {shown} is not allowed: front matter holds "
                "plain text, numbers, dates, lists and mappings",
            )
        if not stack and _is_null(event):
            continue  # "null" or "~" alone: a document with no keys
        if not stack and not isinstance(event, ev.MappingStartEvent):
            raise FrontMatterError(name, here, "front matter is not a mapping")
        if len(stack) == 1 and isinstance(event, ev.NodeEvent):
            child += 1
            if child % 2:
                key = event.value if isinstance(event, ev.ScalarEvent) else None
                key_line, value = here, None
            else:
                style = getattr(event, "style", None)
                value = Position(
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


# -- writing ---------------------------------------------------------------------


def house_entry(fld: str, key: str, value) -> str:
    if fld in DATE_FIELDS and isinstance(value, date):
        value = value.isoformat()
    if fld in HOUSE_QUOTED or (fld == "authors" and isinstance(value, str)):
        value = SingleQuotedScalarString(value)
    return dump_entry(key, value)


def dump_entry(key, value, *, indent: int = 2) -> str:
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


def _yaml_entry(key: str, fld: str | None, value, old: Position, lines: list) -> str:
    """Dump key: value in the style the file used for the old value."""
    if fld in DATE_FIELDS:
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
    return dump_entry(key, _styled(value, old.style), indent=indent)


def _update_yaml(doc: Document, plan: dict) -> str:
    lines, keys = ["---\n", "---\n"], {}
    if doc.format:
        loaded = load_yaml(delimited_parts(doc.front)[1], "")
        if loaded.flow_root:
            raise ValueError("cannot update front matter written as {...}")
        lines, keys = re.findall(r"[^\n]*\n|[^\n]+\Z", doc.front), loaded.keys
    close = len(lines) - 1  # the closing delimiter
    starts = sorted(v.line - 1 for v in keys.values())
    added, spans = [], []
    for (key, *_), (fld, exists, value) in plan.items():
        if (old := keys.get(key) if exists else None) is None:
            if value is not None:
                added.append(
                    house_entry(fld, key, value) if fld else dump_entry(key, value)
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
