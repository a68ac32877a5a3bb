"""Writing front matter: update() rewrites only the keys that changed, in the
style the file used; compose() lays out a new post in the house style."""

import copy
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from . import keymap
from .document import DATE_FIELDS, FIELD_KEYS, LIST_FIELDS, Document
from .fields import CONVERT, flag, heading, name_list, parse_date
from .handlers import handler_for
from .values import as_text, jsonable
from .yaml import dump_entry, house_entry


def update(
    doc: Document, changes: dict[str, Any], *, field_map: dict | None = None
) -> Document:
    """Return doc with the changed fields rewritten and every other byte kept.

    changes maps canonical fields to new values (None, "" or [] removes the key)
    and "extra" to a dict of raw keys to new values (None removes the key).
    Values equal to what fields() reads count as unchanged. ``field_map`` is
    the one the file was read with: a field goes back under the key it came
    from, inside its table if it came from one.
    """
    _check_names(changes)
    chosen = keymap.choose(doc.meta, field_map)
    # key path as written -> (field or None, key exists, value or None)
    plan: dict[keymap.KeyPath, tuple[str | None, bool, Any]] = {}
    for fld, new in changes.items():
        if fld == "extra":
            continue
        path = chosen.get(fld)
        old = keymap.get(doc.meta, path) if path else None
        key = path[-1] if path else fld
        if fld == "title" and doc.format is None:
            old = heading(doc.body)  # what fields() reads
        if not _same(fld, old, new, key):
            value = None if _empty(new) else _to_write(fld, new, old, key)
            path = path or keymap.new_path(doc.meta, fld)
            if path[0] in keymap.LIST_TABLES and isinstance(value, str):
                value = [value]  # a taxonomy is a list, whatever it holds
            plan[path] = (fld, path in chosen.values(), value)
    # Keys inside a table are compared one by one, as fields() left out the
    # ones it read as fields.
    used = {p for p in chosen.values() if len(p) > 1}
    for raw, new in (changes.get("extra") or {}).items():
        key = next((k for k in doc.meta if as_text(k, "") == raw), None)
        inside = {p[1:] for p in used if p[0] == key}
        if key is not None and inside and isinstance(doc.meta[key], dict):
            _plan_table(plan, (key,), doc.meta[key], new, inside)
        elif (key is None) != (new is None) or (
            key is not None and jsonable(doc.meta[key]) != jsonable(new)
        ):
            plan[(raw,) if key is None else (key,)] = (None, key is not None, new)
    if not plan:
        return doc
    handler = handler_for(doc.format or "yaml")
    if handler.format != "toml":
        plan = _whole_tables(doc.meta, plan)
    front = handler.dump(doc, plan)
    meta = handler.load(front, "<update>").meta
    return replace(doc, front=front, format=handler.format, meta=meta)


def _plan_table(plan: dict, prefix: tuple, old: dict, new, used: set) -> None:
    """Plan the changes to the table at ``prefix``, some of whose keys are
    fields (``used``: their paths within it): ``new`` is the rest of the
    table (None: none of it)."""
    new = new if isinstance(new, dict) else {}
    fields_here = {p[0] for p in used if len(p) == 1}
    for sub in [*old, *(k for k in new if k not in old)]:
        if sub in fields_here:
            continue
        deeper = {p[1:] for p in used if len(p) > 1 and p[0] == sub}
        if deeper and isinstance(old.get(sub), dict):
            _plan_table(plan, (*prefix, sub), old[sub], new.get(sub), deeper)
            continue
        value = new.get(sub)
        if sub not in old or jsonable(old[sub]) != jsonable(value):
            plan[(*prefix, sub)] = (None, sub in old, value)


def _whole_tables(meta: dict, plan: dict) -> dict:
    """Turn the changes inside tables into new values of the whole tables, for
    a format written a top-level key at a time (YAML, JSON)."""
    flat: dict = {}
    for path, (fld, exists, value) in plan.items():
        if len(path) == 1:
            flat[path] = (fld, exists, value)
            continue
        top = path[0]
        table = flat[(top,)][2] if (top,) in flat else copy.deepcopy(meta.get(top))
        if not isinstance(table, dict):
            table = {}
        _set(table, path[1:], value)
        flat[(top,)] = (None, top in meta, table or None)
    return flat


def _set(table: dict, path: tuple, value) -> None:
    for part in path[:-1]:
        if not isinstance(table.get(part), dict):
            table[part] = {}
        table = table[part]
    if value is None:
        table.pop(path[-1], None)
    else:
        table[path[-1]] = value


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
