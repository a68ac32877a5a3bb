"""Where each of the content model's fields is in a front matter: under one of
its known keys (the field table), in a table a generator nests it in (Zola's
``[taxonomies]`` and ``[extra]``), or under a key the operator maps to it
(``--map heroImage=banner``, ``--map params.cover=banner``).

A key is found as a path: ``("title",)`` at the top, ``("taxonomies", "tags")``
inside a table. The same paths say where export writes a field back.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from .document import FIELD_KEYS

KeyPath = tuple[str, ...]

# Tables in which a generator nests fields, each field with the key a new value
# is written under: Zola's taxonomies are lists named by their plural, and its
# [extra] holds what a theme adds (a banner, an author).
NESTED: dict[str, dict[str, str]] = {
    "taxonomies": {"tags": "tags", "category": "categories"},
    "extra": {"banner": "banner", "authors": "author"},
}
# Tables whose values are lists, whatever one value is.
LIST_TABLES = frozenset(["taxonomies"])

RANK = {k.lower(): (f, i) for f, keys in FIELD_KEYS.items() for i, k in enumerate(keys)}
# Hugo's publishDate is when a page goes public; beside it, `date` is only the
# date shown. So publishDate is read first, though `date` is the name written.
RANK["publishdate"] = ("date", -1)


def field_named(name: str) -> str | None:
    """Return the field ``name`` means: a field's name (``banner``, ``authors``)
    or any key the field table knows for it (``heroImage``, ``author``)."""
    folded = name.strip().casefold()
    if folded in FIELD_KEYS:
        return folded
    fld, _ = RANK.get(folded, ("", 0))
    return fld or None


def parse_map(entries: Iterable[str]) -> dict[str, str]:
    """Read ``KEY=FIELD`` entries (``heroImage=banner``; a dotted KEY names a
    key inside a table: ``params.cover=banner``) into ``{KEY: field}``; raise
    ValueError naming the entry that cannot be read."""
    mapping: dict[str, str] = {}
    for entry in entries:
        key, sep, name = entry.partition("=")
        key, name = key.strip(), name.strip()
        if not sep or not key or not name:
            raise ValueError(f"{entry!r} is not KEY=FIELD (e.g. heroImage=banner)")
        if any(not part for part in key.split(".")):
            raise ValueError(f"{entry!r}: the key {key!r} has an empty part")
        fld = field_named(name)
        if fld is None:
            known = ", ".join(sorted(FIELD_KEYS))
            raise ValueError(f"{entry!r}: unknown field {name!r} (fields: {known})")
        mapping[key] = fld
    return mapping


def read_map_file(text: str, name: str) -> dict[str, str]:
    """Read a mapping file: one ``KEY=FIELD`` a line; blank lines and lines
    starting with ``#`` are left out. Raise ValueError naming the line (in
    the file ``name``, if given)."""
    mapping: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip() and not line.lstrip().startswith("#"):
            try:
                mapping |= parse_map([line])
            except ValueError as exc:
                where = f"{name}:{number}" if name else f"line {number}"
                raise ValueError(f"{where}: {exc}") from None
    return mapping


def find(meta: Mapping, key: str) -> KeyPath | None:
    """Return the path of ``key`` (a mapped key, dotted for a table's key) in
    ``meta``, matched without regard to case, or None."""
    if (found := _member(meta, key)) is not None:
        return (found,)
    path: list[str] = []
    here: Any = meta
    for part in key.split("."):
        if not isinstance(here, Mapping) or (found := _member(here, part)) is None:
            return None
        path.append(found)
        here = here[found]
    return tuple(path)


def _member(table: Mapping, key: str) -> str | None:
    folded = key.casefold()
    if key in table:
        return key
    return next(
        (k for k in table if isinstance(k, str) and k.casefold() == folded), None
    )


def get(meta: Mapping, path: KeyPath) -> Any:
    """Return the value at ``path`` in ``meta``, or None."""
    here: Any = meta
    for part in path:
        if not isinstance(here, Mapping) or part not in here:
            return None
        here = here[part]
    return here


def choose(meta: Mapping, field_map: Mapping[str, str] | None = None) -> dict:
    """Return, per field, the path of the key the front matter gives it in:
    a mapped key first, then a known key at the top (the earlier in the field
    table), then a known key inside a table of NESTED."""
    chosen: dict[str, tuple[KeyPath, tuple[int, int]]] = {}

    def offer(fld: str, path: KeyPath, rank: tuple[int, int]) -> None:
        if fld not in chosen or rank < chosen[fld][1]:
            chosen[fld] = (path, rank)

    mapped = set()
    for order, (key, fld) in enumerate((field_map or {}).items()):
        if (path := find(meta, key)) is not None and path not in mapped:
            mapped.add(path)
            offer(fld, path, (0, order))
    for key, value in meta.items():
        if not isinstance(key, str) or (key,) in mapped:
            continue
        fld, rank = RANK.get(key.lower(), ("", 0))
        if fld:
            offer(fld, (key,), (1, rank))
        nested = NESTED.get(key.lower())
        if nested and isinstance(value, Mapping):
            for sub in value:
                sub_fld, sub_rank = RANK.get(str(sub).lower(), ("", 0))
                if sub_fld in nested and (key, sub) not in mapped:
                    offer(sub_fld, (key, sub), (2, sub_rank))
    return {fld: path for fld, (path, _) in chosen.items()}


def new_path(meta: Mapping, fld: str) -> KeyPath:
    """Return where a field the front matter does not have yet is written: in
    the table a generator nests it in, if the front matter has that table
    (Zola refuses unknown keys at the top), else under its first name."""
    tables = {
        table: key
        for table in NESTED
        if (key := _member(meta, table)) is not None and isinstance(meta[key], Mapping)
    }
    for table, key in tables.items():
        if fld in NESTED[table]:
            return (key, NESTED[table][fld])
    if tables and fld == "summary":
        return ("description",)  # Zola's name, and the only one it allows
    return (FIELD_KEYS[fld][0],)


def unused(meta: Mapping, used: Iterable[KeyPath]) -> dict:
    """Return ``meta`` without the keys at the ``used`` paths; a table that
    this leaves empty is left out too."""
    rest = dict(meta)
    for path in used:
        rest = _without(rest, path)
    return rest


def _without(table: Mapping, path: KeyPath) -> dict:
    head, tail = path[0], path[1:]
    copy = dict(table)
    if head not in table:
        return copy
    if tail:
        if not isinstance(table[head], Mapping):
            return copy
        if inner := _without(table[head], tail):
            copy[head] = inner
            return copy
    del copy[head]
    return copy
