"""The formats front matter may be written in, in the order they are tried."""

from .base import Handler
from .json import JSONHandler
from .toml import TOMLHandler
from .yaml import YAMLHandler

HANDLERS: tuple[Handler, ...] = (YAMLHandler(), TOMLHandler(), JSONHandler())
_BY_FORMAT = {handler.format: handler for handler in HANDLERS}


def detect(text: str) -> Handler | None:
    """Return the handler of the front matter that opens ``text``, if any."""
    return next((handler for handler in HANDLERS if handler.detect(text)), None)


def handler_for(fmt: str) -> Handler:
    """Return the handler of the format named ``fmt`` ("yaml", "toml", "json")."""
    return _BY_FORMAT[fmt]
