"""TeX math in post bodies, as MathML made on the server.

``$$...$$`` is display math (it may span lines) and ``$...$`` inline math, as
the openEuler posts write them. Browsers draw MathML themselves, so readers
need no JavaScript. Pure functions over text; news.documents.markdown finds
the spans outside code and puts the MathML in place, and its sanitiser keeps
only the MathML elements and attributes listed here.
"""

import re
from dataclasses import dataclass

import latex2mathml.converter
import latex2mathml.exceptions

# The longest formula converted; a longer one stays as text.
MAX_TEX_CHARS = 5_000

# Inline math as Pandoc reads it, so that prices and shell variables stay
# text: "$" then a non-space, and a non-space then "$" not followed by a
# digit or a letter ("$5 and $10", "$HOME/$USER" are not math). The content
# holds no "$" and display math none of "$$", so each "$" starts at most one
# scan to the next "$": linear whatever the body.
_SPAN = re.compile(
    r"(?<![\\$])\$\$(?P<display>(?:[^$]|\$(?!\$))+?)(?<!\\)\$\$"
    r"|(?<![\\$\w])\$(?=[^\s$])(?P<inline>[^$\n]+?)(?<=[^\s\\])\$(?![\w$])"
)

# latex2mathml's own errors, and the ones its parser lets out on malformed
# TeX (found by feeding it random token soup); anything else is a bug.
_TEX_ERRORS = (
    *(
        value
        for value in vars(latex2mathml.exceptions).values()
        if isinstance(value, type) and issubclass(value, Exception)
    ),
    StopIteration,
    ValueError,
    IndexError,
    KeyError,
    RecursionError,
)

# fmt: off
TAGS = {
    "math", "mrow", "mi", "mn", "mo", "mtext", "mspace", "ms", "mfrac", "msqrt",
    "mroot", "msub", "msup", "msubsup", "mover", "munder", "munderover",
    "mtable", "mtr", "mtd", "mstyle", "mpadded", "mphantom", "menclose",
    "merror", "semantics", "annotation",
}
# fmt: on
_COMMON = {"mathvariant", "mathsize", "mathcolor", "mathbackground"}
_COMMON |= {"displaystyle", "scriptlevel"}
# No href: MathML links would be links the sanitiser never checked.
ATTRIBUTES = {tag: _COMMON for tag in TAGS} | {
    "math": _COMMON | {"display", "xmlns"},
    "mo": _COMMON
    | {"stretchy", "fence", "separator", "lspace", "rspace", "largeop", "form"}
    | {"movablelimits", "minsize", "maxsize", "accent", "symmetric"},
    "mover": _COMMON | {"accent"},
    "munder": _COMMON | {"accentunder"},
    "munderover": _COMMON | {"accent", "accentunder"},
    "mfrac": _COMMON | {"linethickness"},
    "mspace": _COMMON | {"width", "height", "depth", "linebreak"},
    "mpadded": _COMMON | {"width", "height", "depth", "lspace", "voffset"},
    "mtable": _COMMON
    | {"columnalign", "rowalign", "rowspacing", "columnspacing", "columnlines"}
    | {"rowlines", "frame"},
    "mtr": _COMMON | {"columnalign", "rowalign"},
    "mtd": _COMMON | {"columnalign", "rowalign", "columnspan", "rowspan"},
    "menclose": _COMMON | {"notation"},
}
# Lengths, names, colours: no markup, no URL, no script.
_VALUE = re.compile(r"[\w.#%+\- ]{0,100}")


def allowed_value(value: str) -> bool:
    """Say whether a MathML attribute value may stay."""
    return _VALUE.fullmatch(value) is not None


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    tex: str
    display: bool


def spans(text: str) -> list[Span]:
    """Return the math spans of ``text`` in order (the caller blanks out
    code first, keeping offsets)."""
    return [
        Span(
            match.start(),
            match.end(),
            match["display"] if match["display"] is not None else match["inline"],
            match["display"] is not None,
        )
        for match in _SPAN.finditer(text)
    ]


def mathml(tex: str, *, display: bool) -> str | None:
    """Return ``tex`` as a MathML ``<math>`` element, or None when it is too
    long or is not TeX that can be converted (it is then shown as written)."""
    if not tex.strip() or len(tex) > MAX_TEX_CHARS:
        return None
    try:
        return latex2mathml.converter.convert(
            tex.strip(), display="block" if display else "inline"
        )
    except _TEX_ERRORS:
        return None
