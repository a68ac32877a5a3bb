"""Social cards: the OpenGraph image of a post with no picture of its own.

A link to a post shared on a social network or a chat shows its og:image. A
post with a banner or a body image shows that (news.templatetags.news); one
without gets a 1200×630 PNG drawn with Pillow: its title in the site's
colours, with the site's name. The card is made once per version of what it
shows (title, site name, colours, font): its file name is a hash of them, so
a new title makes a new card and an unchanged post reuses the stored one.
Cards live under ``social/`` in the media storage, like renditions.

Like renditions, cards are drawn on the task workers (``draw_card_task``),
never on a page's request: a page that finds no card queues one (once) and
goes without og:image meanwhile; the task sends ``site_changed`` when it has
stored the card, so the article's fragments are made again with it.

Titles in Chinese, Japanese or Korean need a CJK font: the first found of
NEWSDESK_SOCIAL_FONTS (Debian's fonts-wqy-microhei or fonts-noto-cjk by
default). Without one the card is drawn with whatever font there is, and a
warning is logged, since CJK characters would show as boxes.
"""

import functools
import hashlib
import io
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django_tasks import task
from django_tasks.backends.immediate import ImmediateBackend
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont

from .. import signals
from ..models import Post
from ..public import theme
from .images import STORAGE_ERRORS

logger = logging.getLogger(__name__)

WIDTH, HEIGHT = 1200, 630
MARGIN = 80
# The site's colours (static/css/site.css): its link blue, and white text,
# 6.5:1 on it. A theme's accent colour (news.public.theme), checked to
# contrast 4.5:1 with white, takes the blue's place.
BACKGROUND = "#0b57d0"
FOREGROUND = "#ffffff"
ACCENT = "#d3e3fd"
# Largest first; the title takes the largest size that fits in MAX_LINES.
TITLE_SIZES = (76, 68, 60, 52, 46)
MAX_LINES = 4
# Bump when the drawing changes, so that cards are made anew.
DRAWING = 1
# A page queues a missing card at most this often.
QUEUED_SECONDS = 300

_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")
# A line may break after any CJK character, or between words.
_TOKENS = re.compile(
    r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef][、。，！？：；）」』]*|\S+?(?=[\u2e80-\u9fff\uac00-\ud7af]|\s|$)\s*|\s+"
)


@dataclass(frozen=True)
class SocialCard:
    url: str
    width: int
    height: int
    alt: str


def card(post):
    """Return the SocialCard of ``post`` if it is drawn, else queue its
    drawing (at most once every QUEUED_SECONDS) and return None; None too
    when the storage cannot be reached (the failure is logged)."""
    name = _name(post.title, font_path())
    try:
        if not default_storage.exists(name):
            if not _in_place():
                _queue_once(post, name)
                return None
            # Without a worker the card is drawn now, for this very page:
            # nothing shown before lacks it, so the site's version stays.
            if not post.is_published:
                return None
            store(post)
        url = default_storage.url(name)
    except STORAGE_ERRORS as exc:
        logger.warning("No social card for post %s: %s", post.pk, exc)
        return None
    return SocialCard(url, WIDTH, HEIGHT, alt=post.title)


def _queue_once(post, name):
    """Queue the drawing of ``post``'s card unless a page did lately."""
    if cache.add(f"newsdesk:social-queued:{name}", 1, QUEUED_SECONDS):
        draw_card_task.enqueue(post.pk)


def _in_place():
    # The immediate backend: tasks run in the process that queues them.
    return isinstance(draw_card_task.get_backend(), ImmediateBackend)


def store(post):
    """Draw and store the card of ``post`` unless it is stored already;
    return whether it was drawn now."""
    font = font_path()
    name = _name(post.title, font)
    if default_storage.exists(name):
        return False
    stored = default_storage.save(name, ContentFile(draw(post.title, font)))
    if stored != name:  # another worker stored it meanwhile
        default_storage.delete(stored)
    return True


@task()
def draw_card_task(pk):
    """Draw the social card of post ``pk`` if it is published and has none,
    on a worker, and move the site's version so that pages show it."""
    post = Post.objects.filter(pk=pk).first()
    if post is None or not post.is_published:
        return False
    drawn = store(post)
    if drawn:
        signals.site_changed.send(sender=Post)
    return drawn


def _colours():
    """The card's background, text and accent colours, and the site's name."""
    site = theme.current()
    if site.accent:
        # The light tint is made for the blue; on another colour, white.
        return site.accent, FOREGROUND, FOREGROUND, site.name
    return BACKGROUND, FOREGROUND, ACCENT, site.name


def _name(title, font):
    shown = [DRAWING, title, *_colours()]
    digest = hashlib.sha256(repr([*shown, str(font)]).encode()).hexdigest()
    return f"social/{digest[:2]}/{digest}.png"


def font_path():
    """Return the first font of NEWSDESK_SOCIAL_FONTS that exists, or None."""
    return _first_font(tuple(settings.NEWSDESK_SOCIAL_FONTS))


@functools.cache
def _first_font(candidates):
    for candidate in candidates:
        if Path(candidate).is_file():
            return Path(candidate)
    return None


def _font(path, size):
    if path is not None:
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


def draw(title, font=None):
    """Return the PNG of a card showing ``title``, drawn with the font file
    ``font`` (Pillow's own font when None)."""
    if (font is None or not _has_cjk_font(font)) and _CJK.search(title):
        logger.warning(
            "No CJK font for the social card of %r: install fonts-wqy-microhei "
            "or fonts-noto-cjk, or set NEWSDESK_SOCIAL_FONTS",
            title,
        )
    background, foreground, accent, site_name = _colours()
    image = PILImage.new("RGB", (WIDTH, HEIGHT), background)
    canvas = ImageDraw.Draw(image)
    site = _font(font, 36)
    canvas.text((MARGIN, MARGIN - 10), site_name, accent, site)
    canvas.rectangle(
        (MARGIN, HEIGHT - MARGIN - 8, MARGIN + 120, HEIGHT - MARGIN), accent
    )
    width = WIDTH - 2 * MARGIN
    for size in TITLE_SIZES:
        face = _font(font, size)
        lines = _wrap(title, face, width)
        if len(lines) <= MAX_LINES:
            break
    lines = _clip(lines, face, width)
    line_height = int(size * 1.25)
    top = (HEIGHT - line_height * len(lines)) // 2
    for n, line in enumerate(lines):
        canvas.text((MARGIN, top + n * line_height), line, foreground, face)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def _has_cjk_font(path):
    # Font files do not say which scripts they cover without parsing their
    # tables; the known CJK families say so in their names.
    return any(word in path.name.lower() for word in ("wqy", "cjk"))


def _wrap(title, face, width):
    """Break ``title`` into lines no wider than ``width``: between words, or
    after any CJK character."""
    lines, line = [], ""
    for token in _TOKENS.findall(" ".join(title.split())):
        candidate = line + token
        if line and face.getlength(candidate.rstrip()) > width:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line = candidate
        # A word wider than the card on its own is cut where it overflows.
        while face.getlength(line.rstrip()) > width and len(line) > 1:
            cut = len(line) - 1
            while cut > 1 and face.getlength(line[:cut]) > width:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def _clip(lines, face, width):
    """Keep MAX_LINES lines, ending the last with an ellipsis if any were cut."""
    if len(lines) <= MAX_LINES:
        return lines
    last = lines[MAX_LINES - 1]
    while last and face.getlength(last + "…") > width:
        last = last[:-1]
    return [*lines[: MAX_LINES - 1], last.rstrip() + "…"]
