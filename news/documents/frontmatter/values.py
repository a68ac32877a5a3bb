"""Front-matter values as plain Python: what the loaders build, what fields()
reads and what JSON can hold."""

from collections import abc
from datetime import date, datetime, time

from ruamel.yaml.comments import TaggedScalar


def kind_of(value) -> str:
    return "a mapping" if isinstance(value, dict) else "a list"


def as_text(value, key: str) -> str | None:
    if isinstance(value, dict | list | tuple):
        raise ValueError(f"'{key}' must be text, not {kind_of(value)}")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date | time):
        return value.isoformat()
    return None if value is None else str(value)


def plain(value):
    """Turn ruamel's round-trip types into plain Python values."""
    if isinstance(value, dict):
        return {plain_key(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | abc.Set):
        return (tuple if isinstance(value, tuple) else list)(map(plain, value))
    if isinstance(value, TaggedScalar):
        return str(value.value)
    for kind in (bool, int, float, str):
        if isinstance(value, kind):
            return kind(value)
    if isinstance(value, datetime):  # ruamel's TimeStamp subclass
        return datetime.fromisoformat(value.isoformat())
    return value


def plain_key(key):
    key = plain(key)
    return repr(key) if isinstance(key, dict | list | tuple) else key


def jsonable(value):
    if isinstance(value, dict):
        return {as_text(plain_key(k), ""): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    if isinstance(value, date | time):
        return value.isoformat()
    return value
