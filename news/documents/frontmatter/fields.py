"""The field mapping: front matter read as the content model's fields, with
dates in several spellings, and a title from the first heading or the file
name when there is no front matter."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Any

from . import keymap
from .document import FIELD_KEYS, Document, FrontMatterError
from .handlers import handler_for
from .pathdates import path_date
from .values import as_text, jsonable, kind_of

_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july") + (
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTHS = {m: i for i, n in enumerate(_MONTH_NAMES, 1) for m in (n, n[:3])}
_MONTHS["sept"] = 9


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
    expires: datetime | None = None
    language: str | None = None
    translation_key: str | None = None
    # Docusaurus's inline author objects, and its single author's
    # author_title/author_url/author_image_url: name -> {"title", "url",
    # "image_url"}, as written.
    author_profiles: dict = field(default_factory=dict)


def fields(
    doc: Document,
    *,
    tz: tzinfo,
    name: str,
    field_map: dict[str, str] | None = None,
) -> Fields:
    """Map doc's front matter onto the content model; tz applies to naive dates.

    ``field_map`` maps more keys to fields (``{"heroImage": "banner"}``; see
    keymap.parse_map()), before the known ones. Without a date in the front
    matter, the date is the one the path ``name`` gives (see path_date()), if
    any.
    """
    chosen = keymap.choose(doc.meta, field_map)
    values = {f: CONVERT[f](None, f, tz) for f in FIELD_KEYS}
    for fld, path in chosen.items():
        key = ".".join(path)
        try:
            values[fld] = CONVERT[fld](keymap.get(doc.meta, path), path[-1], tz)
        except ValueError as exc:
            if len(path) > 1:
                exc = ValueError(str(exc).replace(f"'{path[-1]}'", f"'{key}'", 1))
            raise FrontMatterError(name, _key_line(doc, path[0]), str(exc)) from None
    if values["date"] is None and (day := path_date(name)):
        values["date"] = parse_date(day, tz=tz)
    if not values["title"] and not doc.meta:  # no front matter, or no keys
        values["title"] = heading(doc.body) or _stem(name)
    if not values["title"]:
        raise FrontMatterError(name, 1 if doc.format else None, "no title")
    rest = keymap.unused(doc.meta, chosen.values())
    extra = {as_text(k, ""): jsonable(v) for k, v in rest.items()}
    profiles = (
        author_profiles(keymap.get(doc.meta, chosen["authors"]), doc.meta)
        if "authors" in chosen
        else {}
    )
    return Fields(**values, extra=extra, author_profiles=profiles)


PROFILE_KEYS = ("title", "url", "image_url")


def author_profiles(value, meta: dict) -> dict[str, dict[str, str]]:
    """Return what the front matter says of its authors besides their names:
    Docusaurus's inline objects (``- name: Ana``, ``title: ...``, ``url``,
    ``image_url``) and its single author's ``author_title``, ``author_url``
    and ``author_image_url``; name -> {key: text}."""
    profiles = {}
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict) and (name := _object_name(item, ("name",))):
            details = {k: _text(item.get(k)) for k in PROFILE_KEYS}
            details["image_url"] = details["image_url"] or _text(item.get("imageURL"))
            profiles[name] = {k: v for k, v in details.items() if v}
    if isinstance(value, str) and value.strip():
        folded = {str(k).casefold(): v for k, v in meta.items()}
        details = {k: _text(folded.get(f"author_{k}")) for k in PROFILE_KEYS}
        if details := {k: v for k, v in details.items() if v}:
            profiles[value.strip()] = details
    return profiles


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _object_name(item: dict, keys: tuple[str, ...]) -> str | None:
    """Return the name an inline object gives (an author's ``name``, a tag's
    ``label``), or None."""
    for key in keys:
        if isinstance(value := item.get(key), str) and value.strip():
            return value.strip()
    return None


def parse_date(value: object, *, tz: tzinfo) -> datetime:
    """Read a front-matter date; a naive one is taken to be in tz."""
    if isinstance(value, datetime):
        when = value if value.tzinfo else value.replace(tzinfo=tz)
    elif isinstance(value, date):
        when = datetime.combine(value, time(), tzinfo=tz)
    else:
        try:
            when = _date_from_text(value.strip(), tz)  # type: ignore[attr-defined]
        except (AttributeError, ValueError, KeyError, OverflowError):
            raise ValueError(f"cannot read date {value!r} (use YYYY-MM-DD)") from None
    try:
        # Stored in UTC: a date at the calendar's edge may have no UTC time.
        when.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"date {value!r} is out of range") from None
    return when


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
        yy, mo, dd, hh, mi, ss = (int(n or 0) for n in ymdhms)
        micro = int((fraction or "0").ljust(6, "0"))
        return datetime(yy, mo, dd, hh, mi, ss, micro, tzinfo=tz)
    if m := _MONTH_FIRST.fullmatch(text):
        month, day, year = m.groups()
    elif m := _DAY_FIRST.fullmatch(text):
        day, month, year = m.groups()
    else:
        raise ValueError(text)
    return datetime(int(year), _MONTHS[month.lower()], int(day), tzinfo=tz)


def first(value):
    """Return the first item of a list, of its first list for a hierarchy
    (Hexo's [[parent, child]]), or value itself when it is no list."""
    while isinstance(value, list | tuple):
        value = value[0] if value else None
    return value


def name_list(
    value, key: str, *, split: bool = False, objects: tuple[str, ...] = ()
) -> list[str]:
    """Return the names ``value`` lists; an item that is a mapping names
    itself by the first of its keys ``objects`` (Docusaurus's inline authors
    and tags)."""
    if isinstance(value, dict) and _object_name(value, objects):
        value = [value]  # one inline object
    elif isinstance(value, dict):
        raise ValueError(f"'{key}' must be a list or text, not a mapping")
    if isinstance(value, str):
        # Only tags (and Jekyll's categories) are split. "gwei3, openEuler
        # Security Committee" stays one author: a team's name may hold a comma,
        # and several authors come as lists.
        value = split_names(value) if split else [value]
    elif not isinstance(value, list | tuple) and value is not None:
        value = [value]  # one number, date or flag: the text of it
    items = []
    for item in value or []:
        if isinstance(item, dict) and (name := _object_name(item, objects)):
            item = name
        elif isinstance(item, dict | list):
            raise ValueError(f"'{key}' must list text, but an item is {kind_of(item)}")
        if (text := (as_text(item, key) or "").strip()) and text not in items:
            items.append(text)
    return items


def split_names(text: str) -> list[str]:
    """Split a string of names: at commas if it has any ("a, b c"), else at
    spaces, as Jekyll reads ``tags: jekyll update``."""
    return text.split(",") if "," in text else text.split()


def _category(value, key: str, tz=None) -> str | None:
    # Jekyll's `categories: jekyll update` is two categories; the singular
    # `category` is one name, spaces and all.
    if isinstance(value, str) and key.lower() == "categories":
        value = split_names(value)
    return _stripped(first(value), key) or None


def flag(value, key: str) -> bool:
    if isinstance(value, dict | list):
        raise ValueError(f"'{key}' must be true or false, not {kind_of(value)}")
    return value is True or str(value).strip().lower() in ("true", "yes")


def draft_flag(value, key: str, tz=None) -> bool:
    if key.lower() != "published":
        return flag(value, key)
    # Jekyll says it the other way round: `published: false` is a draft. Hugo
    # may give `published` a date, which says nothing about being a draft.
    if isinstance(value, date | str):
        try:
            parse_date(value, tz=UTC)
        except ValueError:
            pass
        else:
            return False
    return not flag(value, key)


def _when(value, key: str, tz: tzinfo) -> datetime | None:
    return None if value is None or value == "" else parse_date(value, tz=tz)


def _stripped(value, key: str, tz=None) -> str:
    return (as_text(value, key) or "").strip()


_LINE_BREAKS = re.compile(r"[ \t]*[\r\n]+[ \t]*")


def _one_line(value, key: str, tz=None) -> str:
    # A title is one line: a browser's <input> drops line breaks, so a title
    # that kept one would change on every save in the admin.
    return _LINE_BREAKS.sub(" ", (as_text(value, key) or "").strip())


CONVERT: dict[str, Callable[[Any, str, tzinfo], Any]] = {
    "title": _one_line,
    "date": _when,
    "category": _category,
    "tags": lambda v, k, tz: name_list(v, k, split=True, objects=("label",)),
    # A reference, as written.
    "banner": lambda v, k, tz: as_text(first(v), k) or None,
    "authors": lambda v, k, tz: name_list(v, k, objects=("name",)),
    "summary": _stripped,
    "slug": lambda v, k, tz: _stripped(v, k) or None,
    "draft": draft_flag,
    "updated": _when,
    "aliases": lambda v, k, tz: name_list(v, k),
    "expires": _when,
    # As written: the importer says which of the site's languages it is.
    "language": lambda v, k, tz: _one_line(v, k) or None,
    "translation_key": lambda v, k, tz: _one_line(v, k) or None,
}


def _key_line(doc: Document, key: str) -> int | None:
    return handler_for(doc.format).key_line(doc, key) if doc.format else None


_ATX = re.compile(r" {0,3}#[ \t]+(.*?)(?:[ \t]+#+)?[ \t\r]*")
_SETEXT = re.compile(r" {0,3}=+[ \t\r]*")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})[^`]*")


def heading(body: str) -> str | None:
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
