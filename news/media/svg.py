"""SVG images: accepted only when they can do nothing but draw.

An SVG is a document: it can hold scripts, event handlers, HTML in a
``foreignObject``, links and styles that fetch other files, and XML entities
that expand without bound. Rewriting one to take those out would change its
bytes, and an imported site must come back out byte for byte, so an SVG holding
any of them is refused, saying why, and one that holds none is stored as it is.

The file is parsed with defusedxml, which stops entity expansion and external
references before they happen. Pages still never inline an SVG, and the media
are served with a policy that blocks scripts (news.public.media), in case one
slips past this check.
"""

import re
from dataclasses import dataclass
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XHTML_NS = "http://www.w3.org/1999/xhtml"
XML_NS = "http://www.w3.org/XML/1998/namespace"
# Elements that run code or embed another document. ``handler`` and
# ``listener`` are SVG Tiny 1.2 and XML Events ways of running script.
FORBIDDEN = {
    "script": "a <script> element",
    "foreignobject": "a <foreignObject> element (HTML inside the SVG)",
    "handler": "a <handler> element (a script)",
    "listener": "a <listener> element (an event handler)",
    "iframe": "an <iframe> element",
    "embed": "an <embed> element",
    "object": "an <object> element",
}
# SMIL animations can set an attribute later: an href or an event handler set
# that way would dodge the attribute checks.
ANIMATIONS = {"animate", "set", "animatemotion", "animatetransform", "animatecolor"}
# Raster images embedded whole are common in exported diagrams and load nothing.
EMBEDDED_RASTER = re.compile(r"data:image/(?:png|jpeg|gif|webp)[;,]", re.I)
# What a style may embed whole: raster images and fonts load no other file
# (diagram tools embed their fonts so). An embedded SVG stays refused.
EMBEDDED_IN_STYLE = re.compile(
    r"data:(?:image/(?:png|jpeg|gif|webp)|font/[\w.+-]+"
    r"|application/(?:x-)?font-[\w.+-]+|application/vnd\.ms-fontobject)[;,]",
    re.I,
)
# Where a style names another file. CSS escapes are refused outright, as they
# could spell "url(" or "@import" so that no pattern sees it.
CSS_FETCHES = re.compile(r"@import|image-set\(|\bimage\(", re.I)
CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))""", re.I)
# CSS absolute units in px; % and font-relative units have no size of their own.
UNITS = {
    "": 1,
    "px": 1,
    "pt": 4 / 3,
    "pc": 16,
    "in": 96,
    "cm": 96 / 2.54,
    "mm": 96 / 25.4,
}
LENGTH = re.compile(r"\s*(\d*\.?\d+(?:e[-+]?\d+)?)\s*(px|pt|pc|mm|cm|in)?\s*", re.I)
# What a browser shows for an <img> of an SVG with no size of its own.
DEFAULT_SIZE = (300, 150)


class SVGRefused(ValueError):
    """The SVG is not well formed, or it holds something that is not a drawing."""


@dataclass(frozen=True)
class Size:
    width: int
    height: int


def looks_like_svg(data):
    """Return whether ``data`` is XML text rather than a raster image: no
    raster format starts with "<"."""
    return data.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<")


def inspect(data):
    """Return the Size ``data`` is shown at, or raise SVGRefused saying why
    it is not a safe SVG image."""
    checker = _Checker()
    parser = _Parser(checker)
    try:
        parser.feed(data)
        parser.close()
    except DefusedXmlException as exc:
        raise SVGRefused(
            "unsafe SVG: it declares a DTD or XML entities, which could expand "
            f"without bound or load other files ({type(exc).__name__})"
        ) from exc
    except ParseError as exc:
        raise SVGRefused(
            f"not a recognised image file: not well-formed XML ({exc})"
        ) from exc
    return _size(checker.root)


class _Parser(DefusedXMLParser):
    """defusedxml's parser, allowing a bare <!DOCTYPE svg ...> (old exporters
    write one; its external DTD is never loaded) but no internal subset, where
    entities and default attributes would be declared."""

    def __init__(self, target):
        super().__init__(target=target, forbid_dtd=True)

    def defused_start_doctype_decl(self, name, sysid, pubid, has_internal_subset):
        if has_internal_subset:
            super().defused_start_doctype_decl(name, sysid, pubid, has_internal_subset)


class _Checker:
    """The parser's target: checks each element as it starts and builds no
    tree, keeping only the root's attributes and the text of a <style> being
    read, so that memory stays flat however large the drawing."""

    def __init__(self):
        self.root = None  # the root element's attributes
        self.style = None  # the text of the <style> being read
        self.depth = 0  # elements open inside it

    def start(self, tag, attrib):
        if self.root is None:
            if tag != f"{{{SVG_NS}}}svg":
                raise SVGRefused(
                    "not a recognised image file: XML whose root is not an <svg> "
                    f'element in the SVG namespace (xmlns="{SVG_NS}")'
                )
            self.root = dict(attrib)
        problem = _element_problem(tag, attrib)
        if problem:
            raise SVGRefused(f"unsafe SVG: {problem}")
        if self.style is not None:
            self.depth += 1
        elif tag == f"{{{SVG_NS}}}style":
            self.style = []

    def end(self, tag):
        if self.style is None:
            return
        if self.depth:
            self.depth -= 1
            return
        # Every text node counts, not only the one before a child element.
        problem = _css_problem("".join(self.style))
        self.style = None
        if problem:
            raise SVGRefused(f"unsafe SVG: {problem} in a <style> element")

    def data(self, text):
        if self.style is not None:
            self.style.append(text)

    def pi(self, target, text=None):
        # ElementTree would drop it without a word.
        if target == "xml-stylesheet":
            raise SVGRefused("unsafe SVG: an <?xml-stylesheet?> loads another file")

    def close(self):
        return self.root


def _split(name):
    """Return ``(namespace, local name)`` of an ElementTree tag or attribute."""
    if name.startswith("{"):
        namespace, _, local = name[1:].partition("}")
        return namespace, local
    return "", name


def _element_problem(name, attrib):
    namespace, tag = _split(name)
    if namespace == XHTML_NS:
        return f"an HTML <{tag}> element"
    if tag.lower() in FORBIDDEN:
        return FORBIDDEN[tag.lower()]
    for attribute, value in attrib.items():
        problem = _attribute_problem(tag, attribute, value)
        if problem:
            return problem
    if tag.lower() in ANIMATIONS:
        target = attrib.get("attributeName", "").split(":")[-1].lower()
        if target == "href" or target.startswith("on"):
            return f'an animation (<{tag}>) that sets the attribute "{target}"'
    return None


def _attribute_problem(tag, name, value):
    namespace, local = _split(name)
    shown = f'{local}="{_short(value)}" on <{tag}>'
    if local.lower().startswith("on"):
        return f"an event attribute, {shown}"
    if namespace == XML_NS and local == "base":
        # It would make even "#fragment" references resolve in another file.
        return f"an xml:base, xml:{shown}"
    if local == "href" and namespace in ("", XLINK_NS):
        if namespace:
            shown = f"xlink:{shown}"
        target = value.strip()
        if target.startswith("#"):
            return None
        if tag == "image" and EMBEDDED_RASTER.match(target):
            return None
        return f"a reference outside the file, {shown}"
    if namespace:
        # Other vocabularies' attributes (Inkscape's, RDF's) mean nothing to
        # a browser, and hold such things as Windows paths.
        return None
    problem = _css_problem(value)
    if problem:
        return f"{problem}, {shown}"
    return None


def _css_problem(css):
    if not any(mark in css for mark in "\\(@"):
        return None  # most attributes: numbers, colours, path data
    if "\\" in css:
        return "a CSS escape (it could hide a reference to another file)"
    if found := CSS_FETCHES.search(css):
        return f"a style that loads another file ({found[0]})"
    for match in CSS_URL.finditer(css):
        target = next(group for group in match.groups() if group is not None)
        target = target.strip()
        if not target.startswith("#") and not EMBEDDED_IN_STYLE.match(target):
            return f"a style that loads another file (url({_short(target)}))"
    return None


def _short(text, limit=80):
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _length(value):
    match = LENGTH.fullmatch(value or "")
    if match is None:
        return None
    length = float(match[1]) * UNITS[(match[2] or "").lower()]
    return length if length > 0 else None


def _view_box(value):
    parts = re.split(r"[\s,]+", (value or "").strip())
    try:
        _, _, width, height = (float(part) for part in parts)
    except ValueError:
        return None
    return (width, height) if width > 0 and height > 0 else None


def _size(root):
    """Return the Size an SVG whose root has the attributes ``root`` is shown
    at by default."""
    width, height = _length(root.get("width")), _length(root.get("height"))
    box = _view_box(root.get("viewBox"))
    if box and not (width and height):
        # One side given: the other keeps the viewBox's proportions.
        if width:
            height = width * box[1] / box[0]
        elif height:
            width = height * box[0] / box[1]
        else:
            width, height = box
    width = width or DEFAULT_SIZE[0]
    height = height or DEFAULT_SIZE[1]
    return Size(max(1, round(width)), max(1, round(height)))
