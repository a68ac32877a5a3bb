"""TOML front matter between ``+++`` lines (Hugo, Zola): read with tomllib,
written back with tomlkit, which keeps comments and layout."""

import json
import re
import tomllib
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError

from .base import Delimited, _line_of
from .document import Document, FrontMatterError, Loaded, delimited_parts


class TOMLHandler(Delimited):
    format = "toml"
    delimiter = "+++"

    def load(self, front: str, name: str) -> Loaded:
        try:
            return Loaded(tomllib.loads(delimited_parts(front)[1]))
        except tomllib.TOMLDecodeError as exc:
            text = str(exc)
            at = re.search(r" \(at line (\d+), column \d+\)$", text)
            line = int(at[1]) + 1 if at else front.count("\n")
            message = text[: at.start()] if at else text
            raise FrontMatterError(name, line, f"cannot read TOML: {message}") from None
        except RecursionError:
            raise FrontMatterError(
                name, 1, "front matter is nested too deeply"
            ) from None

    def dump(self, doc: Document, plan: dict) -> str:
        head, inner, tail = delimited_parts(doc.front)
        document = tomlkit.parse(inner)
        for path, (_, _, value) in plan.items():
            # A key inside a table ([taxonomies] tags) is written there, and
            # the table keeps its place and layout.
            table: Any = document
            for part in path[:-1]:
                if part not in table:
                    table[part] = tomlkit.table()
                table = table[part]
            if value is None:
                table.pop(path[-1], None)
                continue
            try:
                table[path[-1]] = value
            except TOMLKitError as exc:  # TOML has no null, for one
                shown = ".".join(path)
                raise ValueError(f"cannot write {shown!r} as TOML: {exc}") from None
        return head + tomlkit.dumps(document) + tail

    def key_line(self, doc: Document, key: str) -> int | None:
        quoted, bare = re.escape(json.dumps(key)), re.escape(key)
        return _line_of(rf"(?m)^\s*({quoted}|'{bare}'|{bare})\s*=", doc.front)
