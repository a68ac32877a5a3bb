"""Social cards: the OpenGraph image of a post, 1200×630.

A link to a post shared on a social network or a chat shows its og:image. A
post with a banner or a body image shows a 1200×630 JPEG cut from it
(``crop``): scaled to cover the card, then cropped around the image's focal
point, as near it as the picture allows, so that the point that matters
stays in the preview. One without gets a 1200×630 PNG drawn with Pillow: its
title in the site's colours, with the site's name.

A crop is named by a hash of the image's sha256, its focal point and the
card's size: moving the focal point makes a new crop. An image that would
need scaling up more than twice (under 600×315, the size below which
networks show a small thumbnail rather than a large card) gets no crop: it
is shown whole, as its largest rendition, as are SVGs.

The drawn card is made once per version of what it shows (title, site
name, colours, font): its file name is a hash of them, so a new title makes
a new card and an unchanged post reuses the stored one. Cards and crops live
under ``social/`` in the media storage, like renditions.

Like renditions, cards are drawn on the task workers (``draw_card_task``,
``crop_card_task``), never on a page's request: a page that finds no card
queues one (once) and goes without og:image meanwhile, or with the picture
whole for a post with one; the task sends ``site_changed`` when it has
stored the card, so the article's fragments are made again with it. With the
immediate backend (no workers) they are made in place, for that very page.

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
from PIL import ImageDraw, ImageFont, ImageOps

from .. import signals
from ..models import Image, Post
from ..public import theme
from .images import STORAGE_ERRORS, is_vector

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
# Bump when the cropping changes, so that crops are made anew.
CROPPING = 1
# An image is scaled up at most this much to cover the card.
MAX_UPSCALE = 2
CROP_QUALITY = 85
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


def crop(image):
    """Return the SocialCard cut from ``image`` around its focal point if it
    is stored, else queue its making (at most once every QUEUED_SECONDS) and
    return None; None too for an image too small or a vector one (shown
    whole instead), or when the storage or the original cannot be read (the
    failure is logged). With the immediate backend it is made now."""
    if not croppable(image):
        return None
    name = crop_name(image)
    try:
        if not default_storage.exists(name):
            if not _in_place():
                if cache.add(f"newsdesk:social-queued:{name}", 1, QUEUED_SECONDS):
                    crop_card_task.enqueue(image.pk)
                return None
            store_crop(image)
        url = default_storage.url(name)
    except (*STORAGE_ERRORS, OSError) as exc:
        logger.warning("No social crop of image %s: %s", image.pk, exc)
        return None
    return SocialCard(url, WIDTH, HEIGHT, alt=image.alt)


def croppable(image):
    """Whether ``image`` gets a crop: a bitmap that needs scaling up at most
    MAX_UPSCALE times to cover the card."""
    if is_vector(image) or not image.width or not image.height:
        return False
    return _scale(image.width, image.height) <= MAX_UPSCALE


def _scale(width, height):
    return max(WIDTH / width, HEIGHT / height)


def crop_name(image):
    shown = [CROPPING, image.sha256, image.focal_x, image.focal_y, WIDTH, HEIGHT]
    digest = hashlib.sha256(repr(shown).encode()).hexdigest()
    return f"social/{digest[:2]}/{digest}.jpg"


def store_crop(image):
    """Cut and store the crop of ``image`` unless it is stored already;
    return whether it was made now."""
    name = crop_name(image)
    if default_storage.exists(name):
        return False
    with default_storage.open(image.file.name, "rb") as handle:
        source = PILImage.open(handle)
        source.load()
    data = cut(source, image.focal_x, image.focal_y)
    stored = default_storage.save(name, ContentFile(data))
    if stored != name:  # another worker stored it meanwhile
        default_storage.delete(stored)
    return True


@task()
def crop_card_task(pk):
    """Cut the social crop of image ``pk`` if it has none, on a worker, and
    move the site's version so that pages show it."""
    image = Image.objects.filter(pk=pk).first()
    if image is None or not croppable(image):
        return False
    made = store_crop(image)
    if made:
        signals.site_changed.send(sender=Post)
    return made


def cut(source, focal_x, focal_y):
    """Return the JPEG of a 1200×630 card cut from the Pillow image
    ``source``: scaled to cover the card, the crop's centre as near the focal
    point (``focal_x``, ``focal_y`` in percent) as the picture allows. The
    JPEG carries none of the original's metadata."""
    source = ImageOps.exif_transpose(source)
    if source.mode not in ("RGB", "L"):
        # Transparency shows on white, as on the site's pages.
        rgba = source.convert("RGBA")
        source = PILImage.new("RGB", rgba.size, "#ffffff")
        source.paste(rgba, mask=rgba.getchannel("A"))
    width, height = source.size
    scale = _scale(width, height)
    # The card's size measured in the source's pixels.
    box_width, box_height = WIDTH / scale, HEIGHT / scale
    left = _clamp(width * focal_x / 100 - box_width / 2, width - box_width)
    top = _clamp(height * focal_y / 100 - box_height / 2, height - box_height)
    box = (left, top, left + box_width, top + box_height)
    card = source.convert("RGB").resize(
        (WIDTH, HEIGHT), PILImage.Resampling.LANCZOS, box=box
    )
    out = io.BytesIO()
    card.save(out, "JPEG", quality=CROP_QUALITY, optimize=True, progressive=True)
    return out.getvalue()


def _clamp(start, highest):
    return min(max(start, 0.0), max(highest, 0.0))


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


def current_names():
    """Return the names of the cards and crops that pages may show now: the
    card of each published post's title, and the crop of each croppable image
    at its focal point. Any other file under ``social/`` is left from a title,
    focal point or theme since changed (news.media.orphans)."""
    font = font_path()
    titles = Post.objects.published().values_list("title", flat=True)
    names = {_name(title, font) for title in titles.iterator()}
    fields = ["sha256", "focal_x", "focal_y", "width", "height", "file"]
    for image in Image.objects.only(*fields).iterator():
        if croppable(image):
            names.add(crop_name(image))
    return names


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
