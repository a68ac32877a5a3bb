"""JSON front matter: a JSON object at the very start of the file (Hugo)."""

import json
import re

from .base import Handler
from .document import Document, FrontMatterError, Loaded, sized
from .values import jsonable

_REST_OF_LINE = re.compile(r"[ \t\r]*(\n|$)")


class JSONHandler(Handler):
    format = "json"

    def detect(self, text: str) -> bool:
        return text.startswith("{")

    def split(self, text: str, name: str) -> str:
        end = load_json(text, name)[1]
        rest_of_line = _REST_OF_LINE.match(text, end)
        return sized(text[: rest_of_line.end() if rest_of_line else end], name)

    def load(self, front: str, name: str) -> Loaded:
        return Loaded(load_json(front, name)[0])

    def dump(self, doc: Document, plan: dict) -> str:
        meta, end = load_json(doc.front, "")
        for (key, *_), (_, _, value) in plan.items():
            if value is None:
                meta.pop(key, None)
            else:
                meta[key] = jsonable(value)
        indent = re.match(r"\{\n([ \t]*)", doc.front)
        ascii_only = "\\u" in doc.front[:end]
        text = json.dumps(meta, indent=indent and indent[1], ensure_ascii=ascii_only)
        return text + doc.front[end:]


def load_json(text: str, name: str) -> tuple[dict, int]:
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
