"""Writing front matter: update() rewrites only the keys that changed, in the
style the file used; compose() lays out a new post in the house style."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from .document import DATE_FIELDS, FIELD_KEYS, LIST_FIELDS, Document
from .fields import CONVERT, choose_keys, flag, heading, name_list, parse_date
from .handlers import handler_for
from .values import as_text, jsonable
from .yaml import dump_entry, house_entry


def update(doc: Document, changes: dict[str, Any]) -> Document:
    """Return doc with the changed fields rewritten and every other byte kept.

    changes maps canonical fields to new values (None, "" or [] removes the key)
    and "extra" to a dict of raw keys to new values (None removes the key).
    Values equal to what fields() reads count as unchanged.
    """
    _check_names(changes)
    chosen = choose_keys(doc.meta)
    # key as written -> (field or None, key exists, value or None)
    plan: dict[str, tuple[str | None, bool, Any]] = {}
    for fld, new in changes.items():
        key = chosen.get(fld)
        old = doc.meta.get(key) if key else None
        if fld == "title" and doc.format is None:
            old = heading(doc.body)  # what fields() reads
        if fld != "extra" and not _same(fld, old, new, key or fld):
            value = None if _empty(new) else _to_write(fld, new, old, key or fld)
            plan[key or FIELD_KEYS[fld][0]] = (fld, key is not None, value)
    for raw, new in (changes.get("extra") or {}).items():
        key = next((k for k in doc.meta if as_text(k, "") == raw), None)
        if (key is None) != (new is None) or (
            key is not None and jsonable(doc.meta[key]) != jsonable(new)
        ):
            plan[raw] = (None, key is not None, new)
    if not plan:
        return doc
    handler = handler_for(doc.format or "yaml")
    front = handler.dump(doc, plan)
    meta = handler.load(front, "<update>").meta
    return replace(doc, front=front, format=handler.format, meta=meta)


def compose(values: dict[str, Any], body: str) -> Document:
    """Lay out a new post: house-style YAML front matter, a blank line, the body."""
    _check_names(values)
    parts = ["---\n"]
    for fld, keys in FIELD_KEYS.items():
        if not _empty(value := values.get(fld)) and (fld != "draft" or value):
            parts.append(house_entry(fld, keys[0], _to_write(fld, value, None)))
    for key, value in (values.get("extra") or {}).items():
        if value is not None:
            parts.append(dump_entry(key, value))
    front = "".join(parts) + "---\n"
    # Add the blank line only once, so export -> import -> export does not grow it.
    body = body if body.startswith("\n") else "\n" + body
    meta = handler_for("yaml").load(front, "<compose>").meta
    return Document(front, body, "yaml", meta)


def _check_names(values: dict) -> None:
    if unknown := set(values) - set(FIELD_KEYS) - {"extra"}:
        raise ValueError(f"unknown fields: {', '.join(sorted(unknown))}")


def _empty(value) -> bool:
    return value is None or value == "" or value == []


_NAIVE = timezone(timedelta(0), "naive")


def _same(fld: str, old, new, key: str) -> bool:
    """Return whether old, as written under key, reads as the value new."""
    try:
        if fld not in DATE_FIELDS:
            return CONVERT[fld](old, key, UTC) == CONVERT[fld](new, fld, UTC)
        if _date_text(old) == _date_text(new):
            return True
        # fields() reads a date-only value as midnight in the site's time zone,
        # so getting that midnight back is no change, whatever the zone.
        was = parse_date(old, tz=_NAIVE) if isinstance(new, datetime) else None
        return (
            was is not None
            and was.tzinfo is _NAIVE
            and was == new.replace(tzinfo=_NAIVE)
        )
    except ValueError:
        return False


def _date_text(value) -> str | None:
    if value is None or value == "":
        return None
    return value.isoformat() if isinstance(value, date) else str(value).strip()


def _to_write(fld: str, value, old, key: str = ""):
    if fld == "draft":
        # Under Jekyll's `published`, a draft is written `published: false`.
        return flag(value, fld) != (key.lower() == "published")
    if fld in ("category", "banner") and isinstance(old, list):
        return [value]  # the file listed it (categories, images): keep the shape
    if fld not in LIST_FIELDS:
        return value
    names = name_list(value, fld, split=fld == "tags")
    # One author is written as a plain string, unless the file used a list.
    single = fld == "authors" and len(names) == 1 and not isinstance(old, list)
    return names[0] if single else names
