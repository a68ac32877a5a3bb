"""Make HTML from Markdown post bodies, and find the images they use.

The only place in the project where HTML is made from Markdown; pure, no Django.
Rendering is Python-Markdown, then nh3 (the security boundary), then one
html.parser pass over nh3's output that resolves images and marks external links.
"""

import bisect
import html
import posixpath
import re
import secrets
import textwrap
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote, urlsplit

import markdown
import nh3
from markdown.extensions.codehilite import CodeHilite
from markdown.extensions.md_in_html import HtmlBlockPreprocessor, HTMLExtractorExtra
from markdown.extensions.toc import slugify_unicode
from markdown.preprocessors import Preprocessor
from pygments.token import STANDARD_TYPES

from . import math


class MarkdownError(ValueError):
    """A body that cannot be rendered within the limits; the message says why."""


# The worst case that holds. Python-Markdown has quadratic paths (10,000 "["
# take 15 s; deep nesting recurses without end), so rendering checks a
# deadline between its steps: before each inline pattern, block processor and
# raw-HTML parser step. Each step scans the body at most once, so a render
# stops within RENDER_SECONDS plus one linear pass over at most MAX_BODY_CHARS.
RENDER_SECONDS = 3.0
MAX_BODY_CHARS = 2_000_000


@dataclass(frozen=True)
class ResolvedImage:
    """A stored image as the page should show it.

    ``srcset`` and ``webp_srcset`` list resized copies as ``"<url> <width>w"``
    candidates joined by ", "; ``sizes`` says how wide the image is shown.
    """

    url: str
    width: int | None
    height: int | None
    alt: str = ""
    srcset: str = ""
    webp_srcset: str = ""
    sizes: str = ""


@dataclass(frozen=True)
class ImageReference:
    src: str
    line: int
    kind: str  # "md" or "html"


# Two letters at least, so that "D:\a.png" reads as a Windows drive, not a scheme.
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")


def image_key(src: str) -> str | None:
    """Normalise an image reference as written to the key used to look it up.

    Return None for empty values, remote, data: and other scheme URLs. Leading
    ".." segments are kept: deciding what escapes the import root is the
    importer's job.
    """
    value = src.strip()
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1].strip()
    if value.startswith("{{"):
        value = _template_path(value)
    value = value.replace("\\", "/")
    if not value or value.startswith("//") or _SCHEME.match(value):
        return None
    # Split off ?query and #fragment before decoding, so "%23" stays in the name.
    value = unquote(re.split(r"[?#]", value, maxsplit=1)[0])
    # Editors on macOS save decomposed names; authors type composed ones.
    value = posixpath.normpath(unicodedata.normalize("NFC", value))
    return None if value in (".", "/") else value


# Liquid filters that make a site path into the page's URL for it.
_URL_FILTERS = {"relative_url", "absolute_url"}


def _template_path(value: str) -> str:
    """Return the site path a Liquid expression stands for, or ``value`` as it is.

    ``{{ site.baseurl }}/x.png`` (any run of plain variables before the path)
    and ``{{ "/x.png" | relative_url }}`` (or ``absolute_url``) are the site
    path ``/x.png``: what Jekyll makes of them, less the site's own address.
    One pass of ``find``, so the time is linear in the length.
    """
    at = 0  # offsets, not slices: copying the rest each time is quadratic
    while value.startswith("{{", at):
        end = value.find("}}", at)
        if end < 0:
            return value
        inner, at = value[at + 2 : end].strip(), end + 2
        if at == len(value):
            path = _filtered_literal(inner)
            if path is None or path.startswith("//") or _SCHEME.match(path):
                return value if path is None else path  # a web address
            return "/" + path.lstrip("/")
        if not inner.replace(".", "").replace("_", "").isalnum():
            return value
    return "/" + value[at:].lstrip("/")


def _filtered_literal(inner: str) -> str | None:
    """Return the string of ``"/x.png" | relative_url``, else None."""
    quote = inner[:1]
    if quote not in ("'", '"') or (end := inner.find(quote, 1)) < 0:
        return None
    name = inner[end + 1 :].strip().removeprefix("|").strip()
    return inner[1:end] if name in _URL_FILTERS else None


# A fence may follow indentation, blockquote markers and list markers ("- ```bash"),
# because the corpus puts fences inside list items.
# Each marker owns the blanks before it, so the prefix parses one way only: a
# pattern that let "> > > ..." split in many ways backtracked exponentially.
_FENCE_OPEN = re.compile(
    r"^(?P<prefix>(?:[ \t]*(?:>|(?:[-+*]|\d{1,9}[.)])(?=[ \t])))*[ \t]*)"
    r"(?P<fence>`{3,}|~{3,})(?P<info>.*)$"
)
_FENCE_CLOSE = re.compile(r"^[ \t>]*(?P<fence>`{3,}|~{3,})[ \t]*$")


def _fences(lines: list[str]) -> list[tuple[int, int, re.Match[str]]]:
    """Return (opening line, closing line, opening match) of each closed fence."""
    blocks = []
    unclosed: dict[str, int] = {}  # a fence at least this long cannot close
    i = 0
    while i < len(lines):
        opening = _FENCE_OPEN.match(lines[i])
        if opening and not (opening["fence"][0] == "`" and "`" in opening["info"]):
            fence = opening["fence"]
            if len(fence) < unclosed.get(fence[0], len(fence) + 1):
                for j in range(i + 1, len(lines)):
                    closing = _FENCE_CLOSE.match(lines[j])
                    if closing and closing["fence"].startswith(fence):
                        blocks.append((i, j, opening))
                        i = j
                        break
                else:
                    # Like Python-Markdown, an unclosed fence is plain text.
                    unclosed[fence[0]] = len(fence)
        i += 1
    return blocks


def _blank(text: str) -> str:
    return re.sub(r"[^\n]", " ", text)


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    """Blank out the (start, end) spans of text, keeping its line breaks."""
    parts, pos = [], 0
    for start, end in spans:
        parts += [text[pos:start], _blank(text[start:end])]
        pos = end
    return "".join(parts) + text[pos:]


# Both scans below are linear: a regex that searched on from every unclosed
# "<!--" or backtick run would take quadratic time on a hostile body.
def _comments(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    while (start := text.find("<!--", pos)) >= 0:
        if (end := text.find("-->", start + 4)) < 0:
            break
        spans.append((start, end + 3))
        pos = end + 3
    return spans


_BACKTICKS = re.compile(r"`+")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def _code_spans(text: str) -> list[tuple[int, int]]:
    """Return the code spans: a run of backticks not after a backslash, to the
    next run of as many, in the same paragraph."""
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(text)]
    by_length: dict[int, list[int]] = {}
    for index, (start, end) in enumerate(runs):
        by_length.setdefault(end - start, []).append(index)
    breaks = [m.start() for m in _BLANK_LINE.finditer(text)]
    spans, i = [], 0
    while i < len(runs):
        start, end = runs[i]
        same = by_length[end - start]
        j = bisect.bisect_right(same, i)
        if start and text[start - 1] == "\\" or j == len(same):
            i += 1
            continue
        close = runs[same[j]]
        if bisect.bisect_left(breaks, end) < bisect.bisect_left(breaks, close[0]):
            i += 1  # a blank line between: this run is plain text
            continue
        spans.append((start, close[1]))
        i = same[j] + 1
    return spans


# Names and unquoted values stop at "<": with "<" allowed, every "<img" in a
# run of unclosed tags scanned to the end of the body, a quadratic search.
_IMG_TAG = re.compile(
    r"""<img(?P<attrs>(?:[\s/]+[^\s"'>/=<]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'><]+))?)*)"""
    r"""[\s/]*>""",
    re.IGNORECASE,
)
_ATTR = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?""")
# Inline ![alt](src "title") and ![alt](<src>), or reference style ![alt][ref],
# ![alt][] and ![alt]. Alt text may hold one level of [brackets], the source one
# level of (parentheses); a bare source may contain spaces, as Python-Markdown allows.
_MD_IMAGE = re.compile(
    r"(?<!\\)!\[(?P<alt>(?:[^\[\]\\]|\\.|\[[^\[\]]*\])*)\]"
    r"(?:\([ \t]*(?:<(?P<angle>[^<>\n]*)>[^)\n]*"
    r"|(?P<bare>(?:[^()\\\n]|\\.|\([^()\n]*\))*))\)"
    r"|\s?\[(?P<ref>[^\]]*)\])?"
)
_TITLE = re.compile(r"""(?P<src>.*?)\s+(?:"[^"]*"|'[^']*')""")
_REF_DEF = re.compile(
    r"^[ ]{0,3}\[(?P<label>[^\[\]^][^\[\]]*)\]:[ \t]*\n?[ \t]*(?P<src>\S+)", re.M
)


def _label(label: str) -> str:
    return " ".join(label.split()).lower()


def _html_src(attrs: str) -> str:
    for name, value in _ATTR.findall(attrs):
        if name.lower() == "src":  # the first src wins, as in browsers
            return html.unescape(value[1:-1] if value[:1] in "'\"" else value)
    return ""


def _markdown_src(match: re.Match[str], definitions: dict[str, str]) -> str:
    if match["angle"] is not None:
        return match["angle"]
    if match["bare"] is not None:
        titled = _TITLE.fullmatch(match["bare"].strip())
        return titled["src"] if titled else match["bare"].strip()
    return definitions.get(_label(match["ref"] or match["alt"]), "")


def image_references(text: str) -> list[ImageReference]:
    """Return every image reference in a Markdown body, in document order.

    Find inline and reference-style Markdown images and raw HTML <img> tags,
    skipping fenced code (also inside list items), inline code and HTML
    comments. Indented code blocks are not skipped: in list items the same
    indentation is ordinary content, and the corpus puts images there.
    """
    masked = _masked(text)
    definitions = {
        _label(m["label"]): m["src"].removeprefix("<").removesuffix(">")
        for m in _REF_DEF.finditer(masked)
    }
    found = [
        (m.start(), _html_src(m["attrs"]), "html") for m in _IMG_TAG.finditer(masked)
    ]
    found += [
        (m.start(), _markdown_src(m, definitions), "md")
        for m in _MD_IMAGE.finditer(masked)
    ]
    return _with_lines(masked, found)


# Where a browser would open a local file: in a link, an image or plain text.
_FILE_URL = re.compile(r"(?<![\w.+-])file:[^\s<>()\[\]\"']*", re.IGNORECASE)


def file_urls(text: str) -> list[ImageReference]:
    """Return every file: URL in a Markdown body outside code and comments."""
    masked = _masked(text)
    return _with_lines(
        masked, [(m.start(), m.group(), "url") for m in _FILE_URL.finditer(masked)]
    )


def _masked(text: str) -> str:
    """Return text with fenced code, HTML comments and code spans blanked out,
    keeping every offset and line break."""
    lines = text.split("\n")
    for first, last, _ in _fences(lines):
        lines[first : last + 1] = [""] * (last - first + 1)
    uncommented = "\n".join(lines)
    uncommented = _mask(uncommented, _comments(uncommented))
    return _mask(uncommented, _code_spans(uncommented))


def _with_lines(masked: str, found: list[tuple[int, str, str]]) -> list[ImageReference]:
    newlines = [i for i, char in enumerate(masked) if char == "\n"]
    return [
        ImageReference(src, bisect.bisect_left(newlines, offset) + 1, kind)
        for offset, src, kind in sorted(found, key=lambda item: item[0])
        if src
    ]


_CODEHILITE: dict[str, Any] = {
    "css_class": "highlight",
    "guess_lang": False,
    "use_pygments": True,
}


# Python-Markdown's fenced_code sees fences in column 0 only; the corpus also
# has them in list items ("- ```bash"), which would render as inline code.
class _FencedCode(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        pos = 0
        for first, last, opening in _fences(lines):
            prefix = opening["prefix"]
            margin = re.compile(rf"^[ >]{{0,{len(prefix)}}}")
            code = "\n".join(margin.sub("", line) for line in lines[first + 1 : last])
            # Inside list items authors indent the code past the marker as well.
            code = textwrap.dedent(code) if prefix else code
            words = opening["info"].strip().strip("{}").split()
            lang = words[0].lstrip(".") if words else None
            block = CodeHilite(code, lang=lang, **_CODEHILITE).hilite(shebang=False)
            placeholder = self.md.htmlStash.store(block)
            out += lines[pos:first]
            # Keep the prefix so the list item or blockquote still holds the code.
            # Blank lines could end a list item; elsewhere they end the paragraph.
            if prefix and ">" not in prefix:
                out.append(prefix + placeholder)
            else:
                blank = re.sub(r"[^>\s]", "", prefix).rstrip()
                out += [blank, prefix + placeholder, blank]
            pos = last + 1
        return out + lines[pos:]


# Python-Markdown keeps everything up to </div> as raw HTML. The corpus was
# written for CommonMark, where Markdown inside <div align="center"> still renders.
# Only column 0: md_in_html garbles an indented tag's content.
_BLOCK_TAG = re.compile(
    r"^(<(?:div|center|p|details|summary|figure|section|article|aside|header"
    r"|footer)(?=[\s>])(?![^>]*\bmarkdown\s*=)[^>]*?)(?<!/)>",
    re.IGNORECASE,
)
_TABLE_RULE = re.compile(r"^[ \t]*\|?(?:[ \t]*:?-+:?[ \t]*\|)+(?:[ \t]*:?-+:?)?[ \t]*$")


class _CommonMarkBlocks(Preprocessor):
    """Parse two CommonMark habits of the corpus as the authors meant them."""

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        for line, following in zip(lines, lines[1:] + [""], strict=True):
            # In CommonMark a table may follow a paragraph line without a blank.
            if out and out[-1].strip() and "|" in line and _TABLE_RULE.match(following):
                out.append("")
            out.append(_BLOCK_TAG.sub(r'\1 markdown="1">', line, count=1))
        return out


class _Math(Preprocessor):
    """Take TeX math outside code out of the text (news.documents.math),
    before Markdown's inline patterns read its ``_`` and ``*`` as emphasis.

    Each formula leaves a token no author can type (it holds a random
    nonce); render() puts the formula's MathML, sanitised on its own, in its
    place once the body is sanitised. Raw ``<math>`` written in a body is
    still removed by the body's sanitiser.
    """

    def __init__(self, deadline: "_Deadline"):
        super().__init__()
        self.deadline = deadline
        self.found = Formulas(secrets.token_hex(8))

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        if "$" not in text:
            return lines
        parts, pos = [], 0
        for span in math.spans(_masked(text)):
            self.deadline.check()
            shown = math.mathml(span.tex, display=span.display)
            if shown is None:
                continue
            found = self.found
            token = f"mathml{found.nonce}x{len(found.formulas)}"
            found.formulas[token] = shown
            found.sources[token] = text[span.start : span.end]
            parts += [text[pos : span.start], token]
            pos = span.end
        return "".join([*parts, text[pos:]]).split("\n")


@dataclass
class Formulas:
    """The formulas _Math took out of a body: each token's MathML, and the
    TeX it was written as."""

    nonce: str
    formulas: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)

    def restore(self, body: str) -> str:
        """Return ``body`` with each formula's sanitised MathML in place; in
        an indented code block, which no mask finds, with the TeX as written."""
        if not self.formulas:
            return body
        tokens = re.compile(f"mathml{self.nonce}x\\d+")
        parts = _PRE.split(body)
        for i, part in enumerate(parts):
            if i % 2:  # inside <pre>
                parts[i] = tokens.sub(
                    lambda m: html.escape(self.sources[m[0]], quote=False), part
                )
            else:
                parts[i] = tokens.sub(lambda m: self.mathml(m[0]), part)
        return "".join(parts)

    def mathml(self, token: str) -> str:
        return nh3.clean(
            self.formulas[token], attribute_filter=_filter_math, **_MATH_OPTIONS
        )


_PRE = re.compile(r"(<pre[\s>].*?</pre>)", re.S)


_FOOTNOTE_REF = r"\[\^([^\]\[]*)\]"


class _Deadline:
    def __init__(self, seconds: float):
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.at:
            raise MarkdownError(
                f"the body is too complex to render in {self.seconds:g} s; "
                "look for long runs of unclosed brackets, tags or nesting"
            )

    def guard(self, step: Callable[..., Any]) -> Callable[..., Any]:
        def checked(*args: Any, **kwargs: Any) -> Any:
            self.check()
            return step(*args, **kwargs)

        return checked


class _CheckedExtractor(HTMLExtractorExtra):
    deadline: _Deadline

    def updatepos(self, i: int, j: int) -> int:
        # html.parser calls this after every tag, comment and text run.
        self.deadline.check()
        return super().updatepos(i, j)


class _HtmlBlocks(HtmlBlockPreprocessor):
    """md_in_html's raw-HTML pass, with the deadline checked at every step."""

    def __init__(self, md: markdown.Markdown, deadline: _Deadline):
        super().__init__(md)
        self.deadline = deadline

    def run(self, lines: list[str]) -> list[str]:
        parser = _CheckedExtractor(self.md)
        parser.deadline = self.deadline
        parser.feed("\n".join(lines))
        parser.close()
        return "".join(parser.cleandoc).split("\n")


def _markdown(deadline: _Deadline, formulas: _Math) -> markdown.Markdown:
    # A new instance per call: Markdown objects keep per-document state.
    md = markdown.Markdown(
        extensions=["tables", "footnotes", "codehilite", "toc", "sane_lists"]
        + ["attr_list", "md_in_html"],
        extension_configs={
            "codehilite": _CODEHILITE,
            "tables": {"use_align_attribute": True},
            "toc": {"slugify": slugify_unicode},
        },
        output_format="html",
    )
    md.preprocessors.register(_FencedCode(md), "newsdesk_fenced_code", 26)
    formulas.md = md
    md.preprocessors.register(formulas, "newsdesk_math", 25)
    md.preprocessors.register(_CommonMarkBlocks(md), "newsdesk_commonmark", 21)
    md.preprocessors.register(_HtmlBlocks(md, deadline), "html_block", 20)
    # The footnote pattern searched on from every "[^" for a "]", a quadratic
    # search inside one step, where no deadline can stop it; a label holds no "[".
    md.inlinePatterns["footnote"].compiled_re = re.compile(_FOOTNOTE_REF, re.DOTALL)
    for pattern in md.inlinePatterns:
        pattern.handleMatch = deadline.guard(pattern.handleMatch)  # type: ignore[method-assign]
    for block in md.parser.blockprocessors:
        block.test = deadline.guard(block.test)  # type: ignore[method-assign]
        block.run = deadline.guard(block.run)  # type: ignore[method-assign]
    return md


_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# fmt: off
_TAGS = _HEADINGS | {
    "p", "br", "hr", "a", "img", "ul", "ol", "li", "blockquote", "pre", "code",
    "span", "div", "em", "strong", "b", "i", "u", "s", "del", "ins", "sub", "sup",
    "small", "mark", "kbd", "abbr", "table", "thead", "tbody", "tfoot", "tr", "th",
    "td", "caption", "colgroup", "col", "figure", "figcaption", "details",
    "summary", "dl", "dt", "dd", "video", "audio", "source",
}
# fmt: on
# id is for heading anchors (toc) and footnotes (li, sup).
_ATTRIBUTES = {tag: {"id"} for tag in _HEADINGS | {"li", "sup"}} | {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "details": {"open"},
    "video": {"src", "poster", "controls", "width", "height"},
    "audio": {"src", "controls"},
    "source": {"src", "type"},
}
_NH3_OPTIONS: dict[str, Any] = {
    "tags": _TAGS,
    # Drop the content as well: inside these it is code or fallback, not prose.
    "clean_content_tags": {"script", "style", "template", "noscript", "iframe"}
    | {"textarea", "xmp", "noembed", "noframes", "title"},
    "attributes": _ATTRIBUTES,
    "tag_attribute_values": {
        tag: {"align": {"left", "center", "right", "justify"}}
        for tag in {"div", "p", "td", "th"} | _HEADINGS
    },
    "allowed_classes": {
        "div": {"highlight", "footnote", "toc"},
        "span": {name for name in STANDARD_TYPES.values() if name} | {"hll"},
        "a": {"footnote-ref", "footnote-backref"},
    },
    "url_schemes": {"http", "https", "mailto"},
    "strip_comments": True,
    "link_rel": None,  # the finisher adds rel to external links only
}
# Formulas are sanitised on their own, as MathML only: no HTML inside them.
_MATH_OPTIONS: dict[str, Any] = {
    "tags": math.TAGS,
    "clean_content_tags": _NH3_OPTIONS["clean_content_tags"],
    "attributes": math.ATTRIBUTES,
    "url_schemes": set(),
    "link_rel": None,
}


def _filter_math(tag: str, name: str, value: str) -> str | None:
    return value if math.allowed_value(value) else None


_LENGTH = re.compile(r"\d{1,5}%?")


def _filter_attribute(tag: str, name: str, value: str) -> str | None:
    if name in ("width", "height"):
        return value if _LENGTH.fullmatch(value.strip()) else None
    if name == "id" and tag in ("li", "sup"):
        return value if value.startswith("fn") else None  # footnotes: fn:1, fnref:1
    return value


def _scheme(url: str) -> str | None:
    """Return the URL's scheme ("" if relative, "//" if protocol-relative)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return parts.scheme.lower() or ("//" if parts.netloc else "")


def _trusted(url: str) -> bool:
    """Say whether a URL from the resolver may be emitted: relative or http(s).

    Storage URLs are trusted, but a misconfigured storage must not become XSS.
    """
    return _scheme(url) in ("", "http", "https")


# One "<url> <width>w" candidate; a URL may not start or end with a comma.
_CANDIDATE = re.compile(r"(?P<url>[^\s,](?:\S*[^\s,])?) \d+w")


def _trusted_srcset(srcset: str) -> bool:
    """Say whether a srcset from the resolver may be emitted: every candidate
    well formed and trusted; one bad candidate drops the whole set."""
    return bool(srcset) and all(
        (match := _CANDIDATE.fullmatch(candidate)) and _trusted(match["url"])
        for candidate in srcset.split(", ")
    )


def _demoted(tag: str) -> str:
    """Return a body heading one level down: the page's title is its only <h1>,
    and posts often start their body with a `# ` heading of their own."""
    if tag in _HEADINGS and tag != "h6":
        return f"h{int(tag[1]) + 1}"
    return tag


def _start_tag(tag: str, attrs: dict[str, str | None]) -> str:
    rendered = (k if v is None else f'{k}="{html.escape(v)}"' for k, v in attrs.items())
    return f"<{' '.join([tag, *rendered])}>"


def _present(attrs: dict[str, str | None]) -> dict[str, str | None]:
    return {k: v for k, v in attrs.items() if v is not None}


_URL_ATTRIBUTES = {"href", "src", "poster"}
_SAFE_SCHEMES = {"", "//", "http", "https", "mailto"}


def _as_browsers_read(url: str) -> str:
    """Return a URL as a browser reads it: without tabs and line breaks, and
    with backslashes as slashes, so that "\\\\evil.example\\x.png" is seen
    for what it is, "//evil.example/x.png": another host."""
    return re.sub(r"[\t\n\r]", "", url).replace("\\", "/").strip()


class _Finisher(HTMLParser):
    """Resolve images and mark external links in nh3's normalised output."""

    def __init__(self, resolve_image: Callable[[str], ResolvedImage | None] | None):
        super().__init__(convert_charrefs=True)
        self.resolve_image = resolve_image
        self.out: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # Rebuild from allowed names only, whatever this parser made of the input.
        allowed = _ATTRIBUTES.get(tag, set()) | {"class", "align"}
        values = {k: v for k, v in attrs if k in allowed and (v or k != "class")}
        for name in _URL_ATTRIBUTES & values.keys():
            values[name] = _as_browsers_read(values[name] or "")
            if _scheme(values[name] or "") not in _SAFE_SCHEMES:
                del values[name]
        if tag == "img":
            self.out.append(self.image(values))
            return
        if tag == "a":
            values = self.link(values)
        self.out.append(_start_tag(_demoted(tag), values))

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        self.out.append(f"</{_demoted(tag)}>")

    def handle_data(self, data: str) -> None:
        self.out.append(html.escape(data, quote=False))

    def image(self, attrs: dict[str, str | None]) -> str:
        """Return the <img>, or a <picture> around it when a WebP set is known."""
        src = attrs.get("src")
        resolved = self.resolve_image(src) if src and self.resolve_image else None
        webp: dict[str, str | None] | None = None
        if resolved is not None and _trusted(resolved.url):
            attrs["src"] = resolved.url
            attrs["alt"] = attrs.get("alt") or resolved.alt
            for name in ("width", "height"):
                size = getattr(resolved, name)
                attrs[name] = None if size is None else str(size)
            sizes = resolved.sizes or None
            if _trusted_srcset(resolved.srcset):
                attrs |= {"srcset": resolved.srcset, "sizes": sizes}
            if _trusted_srcset(resolved.webp_srcset):
                webp = {"type": "image/webp", "srcset": resolved.webp_srcset}
                webp["sizes"] = sizes
        attrs["loading"] = "lazy"
        attrs["decoding"] = "async"
        img = _start_tag("img", _present(attrs))
        if webp is None:
            return img
        # <img> is void, so the whole <picture> can be written at once.
        return f"<picture>{_start_tag('source', _present(webp))}{img}</picture>"

    def link(self, attrs: dict[str, str | None]) -> dict[str, str | None]:
        href = attrs.get("href")
        # Unparsable URLs count as external: the safe side.
        if href and _scheme(href) in (None, "http", "https", "//"):
            attrs["rel"] = "noopener noreferrer"
        return attrs


# Markdown uses STX/ETX as internal placeholders, other control characters are
# junk, and nh3 cannot encode lone surrogates.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


@dataclass(frozen=True)
class Converted:
    """A body made into sanitised HTML whose images are not resolved yet
    (``convert()``): the part of rendering that needs nothing but the text,
    and most of its time. ``render()`` finishes it."""

    text: str  # the Markdown it was made from
    html: str
    formulas: Formulas


def convert(text: str, *, seconds: float | None = None) -> Converted:
    """Make the Markdown ``text`` into sanitised HTML, images unresolved.

    Raise MarkdownError for a body longer than MAX_BODY_CHARS, nested too
    deeply, or taking longer than ``seconds`` (RENDER_SECONDS) to render.
    """
    if len(text) > MAX_BODY_CHARS:
        raise MarkdownError(
            f"the body is {len(text):,} characters long; the limit is "
            f"{MAX_BODY_CHARS:,}"
        )
    try:
        deadline = _Deadline(seconds or RENDER_SECONDS)
        formulas = _Math(deadline)
        md = _markdown(deadline, formulas)
        body = md.convert(_CONTROL.sub("", text))
    except RecursionError:
        raise MarkdownError("the body nests lists or quotes too deeply") from None
    clean = nh3.clean(body, attribute_filter=_filter_attribute, **_NH3_OPTIONS)
    return Converted(text, clean, formulas.found)


def render(
    text: str,
    *,
    resolve_image: Callable[[str], ResolvedImage | None] | None = None,
    seconds: float | None = None,
    converted: Converted | None = None,
) -> str:
    """Render untrusted Markdown to sanitised HTML.

    Raise MarkdownError for a body longer than MAX_BODY_CHARS, nested too
    deeply, or taking longer than ``seconds`` (RENDER_SECONDS) to render.

    Look up every <img> src, as written, with resolve_image; resolved images get
    the storage URL, their real size and the srcset and sizes the resolver gives
    (in a <picture> with a WebP <source> when it gives one), and all images
    load lazily.

    ``converted``, ``convert()``'s result for this very ``text`` (made ahead,
    elsewhere), saves converting it again; one made from another text is not
    used.
    """
    if converted is None or converted.text != text:
        converted = convert(text, seconds=seconds)
    finisher = _Finisher(resolve_image)
    finisher.feed(converted.html)
    finisher.close()
    return converted.formulas.restore("".join(finisher.out))
