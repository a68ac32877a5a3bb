"""What an article's sanitised body HTML becomes on its page.

Done when the page is shown, not when the Markdown is rendered or stored: the
post's Markdown is never changed (so the export round trip stays byte for
byte), and stored HTML needs no re-rendering when these rules change.

The input is news.documents.markdown.render()'s output: every attribute value
is double-quoted with ``<``, ``>`` and ``"`` escaped, and every ``<`` in text
is ``&lt;``, so a ``<tag`` matched here is a real tag. Nothing here adds markup
from the input: only fixed attributes, and it removes a heading.
"""

import html
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin

_LEADING_HEADING = re.compile(
    r"\A\s*<h(?P<level>[1-6])(?:\s[^>]*)?>(?P<text>.*?)</h(?P=level)>\s*", re.S
)
_HEADING_TAG = re.compile(r"<(?P<end>/?)h(?P<level>[1-6])(?=[\s>])")
_TAG = re.compile(r"<[^>]*>")
_FIRST_LAZY_IMAGE = re.compile(r'(<img\s[^>]*?)loading="lazy"')
# What site.css lets scroll sideways: code blocks, tables and display math.
_SCROLLING = re.compile(r'<(?P<tag>pre|table|math display="block")(?=[\s>])')
# A URL attribute inside a tag; values are double-quoted and escaped.
_URL_ATTRIBUTE = re.compile(r'\s(?P<name>src|srcset|href|poster)="(?P<value>[^"]*)"')


# A heading with the id the toc extension gave it (news.documents.markdown).
_ANCHORED = re.compile(
    r'<h(?P<level>[2-6]) id="(?P<id>[^"]*)">(?P<text>.*?)</h(?P=level)>', re.S
)


def article_body(body_html: str, *, title: str, eager_image: bool) -> str:
    """Return ``body_html`` as the article page shows it under ``title``.

    A leading heading that repeats the title is dropped (the page's <h1> shows
    it); each section heading gets a link to itself; code blocks and tables
    and display math take keyboard focus, so that readers can scroll them; and with
    ``eager_image`` (no banner above the body) the first image loads at once,
    with high priority, instead of lazily.
    """
    shown = without_title(body_html, title)
    shown = _ANCHORED.sub(_with_anchor, shown)
    shown = _SCROLLING.sub(r'<\g<tag> tabindex="0"', shown)
    if eager_image:
        shown = _FIRST_LAZY_IMAGE.sub(
            r'\1loading="eager" fetchpriority="high"', shown, count=1
        )
    return shown


def without_title(body_html: str, title: str) -> str:
    """Drop the body's leading heading if its text is ``title`` (ignoring case
    and spacing); promote the headings after it if they were below it, so the
    outline keeps its shape under the page's title."""
    match = _LEADING_HEADING.match(body_html)
    if match is None or _words(_TAG.sub("", match["text"])) != _words(title):
        return body_html
    rest = body_html[match.end() :]
    levels = [int(tag["level"]) for tag in _HEADING_TAG.finditer(rest)]
    shift = min(levels, default=0) - int(match["level"])
    if shift > 0:
        rest = _HEADING_TAG.sub(
            lambda tag: f"<{tag['end']}h{int(tag['level']) - shift}", rest
        )
    return rest


def _words(text: str) -> str:
    return " ".join(html.unescape(text).split()).casefold()


def with_absolute_urls(body_html: str, base: str) -> str:
    """Return ``body_html`` with every relative URL in it (images, their
    srcsets, video posters and links) made absolute against ``base``, for
    readers of the HTML away from the site: apps, newsletters, other sites.
    Links to a place in the post itself (``#fn:1``) stay as they are."""
    return _TAG.sub(lambda tag: _URL_ATTRIBUTE.sub(_absolute(base), tag[0]), body_html)


def _absolute(base: str) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        name, value = match["name"], html.unescape(match["value"])
        if name == "srcset":
            value = ", ".join(
                " ".join([_joined(base, url), *rest])
                for url, *rest in (c.split(" ") for c in value.split(", "))
            )
        elif not value.startswith("#"):
            value = _joined(base, value)
        return f' {name}="{html.escape(value)}"'

    return replace


def _joined(base: str, url: str) -> str:
    try:
        return urljoin(base, url)
    except ValueError:  # not a URL (an unclosed IPv6 host): left as it is
        return url


def _with_anchor(heading: re.Match[str]) -> str:
    # The id is already an escaped attribute value; the link's own mark is
    # hidden from screen readers, which hear what it does instead.
    level, anchor, text = heading["level"], heading["id"], heading["text"]
    link = (
        f'<a class="anchor" href="#{anchor}"><span aria-hidden="true">#</span>'
        '<span class="visually-hidden">Link to this section</span></a>'
    )
    return f'<h{level} id="{anchor}">{text} {link}</h{level}>'


@dataclass
class Heading:
    """One entry of an article's table of contents, with those under it."""

    level: int
    id: str
    text: str  # plain text
    children: list["Heading"] = field(default_factory=list)


def contents(body_html: str, *, title: str) -> list[Heading]:
    """Return the table of contents of ``body_html`` as the article shows it
    under ``title``: the top two levels of its section headings, nested."""
    found = [
        Heading(int(m["level"]), html.unescape(m["id"]), _text(m["text"]))
        for m in _ANCHORED.finditer(without_title(body_html, title))
        if m["id"]
    ]
    if not found:
        return []
    top = min(heading.level for heading in found)
    entries: list[Heading] = []
    for heading in found:
        if heading.level == top:
            entries.append(heading)
        elif heading.level == top + 1 and entries:
            entries[-1].children.append(heading)
    return entries


# Silent reading speeds: words a minute for alphabetic scripts, characters a
# minute for Chinese, Japanese and Korean, where a character is about a word.
WORDS_A_MINUTE = 230
CJK_CHARACTERS_A_MINUTE = 400
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*|\d+")


def reading_minutes(body_html: str) -> int:
    """Return about how many minutes the text of ``body_html`` takes to read
    (at least one)."""
    words, cjk = _counts(body_html)
    return max(1, math.ceil(words / WORDS_A_MINUTE + cjk / CJK_CHARACTERS_A_MINUTE))


def word_count(body_html: str) -> int:
    """Return the words of ``body_html``'s text, a CJK character counting as one."""
    return sum(_counts(body_html))


def _counts(body_html: str) -> tuple[int, int]:
    """Return the words and the CJK characters of the text of ``body_html``."""
    text = _text(body_html)
    cjk = sum(1 for char in text if _is_cjk(char))
    rest = "".join(" " if _is_cjk(char) else char for char in text) if cjk else text
    return len(_WORD.findall(rest)), cjk


# Where a fragment's text breaks: other tags (emphasis, links) sit inside words.
_BREAK = re.compile(
    r"</(?:p|li|h[1-6]|div|blockquote|pre|tr|td|th|dt|dd)>|<br\s*/?>", re.I
)


def plain_text(fragment: str) -> str:
    """Return the text of an HTML fragment as one line: a space where a block
    ends, nothing where an inline tag was."""
    text = _TAG.sub("", _BREAK.sub(" ", fragment))
    return " ".join(html.unescape(text).split())


def _is_cjk(char: str) -> bool:
    return unicodedata.east_asian_width(char) == "W" and char.isalpha()


def _text(fragment: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", fragment)).split())
