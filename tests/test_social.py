"""Social cards: the OpenGraph image of a post without a picture, drawn with
Pillow once per version of what it shows (news.media.social)."""

import io
import logging
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django_tasks import default_task_backend
from PIL import Image as PILImage

from news.editorial import previews
from news.media import renditions, social
from news.models import Post, PostImage

from .conftest import require_service
from .factories import make_image, make_post

pytestmark = pytest.mark.django_db

CJK_FONT = social.font_path()
HAS_CJK_FONT = CJK_FONT is not None and social._has_cjk_font(CJK_FONT)


def og_image(client, post):
    content = client.get(post.get_absolute_url()).content.decode()
    found = re.search(r'<meta property="og:image" content="([^"]+)">', content)
    return found and found[1], content


def stored_cards(media_root):
    return sorted(p.relative_to(media_root) for p in media_root.glob("social/*/*.png"))


def test_a_post_without_a_picture_gets_a_drawn_card(client, media_root):
    post = make_post(title="Harbour reopens after the storm", slug="harbour")
    url, content = og_image(client, post)
    assert re.fullmatch(
        r"http://testserver/media/social/[0-9a-f]{2}/[0-9a-f]{64}\.png", url
    )
    assert '<meta property="og:image:width" content="1200">' in content
    assert '<meta property="og:image:height" content="630">' in content
    assert (
        '<meta property="og:image:alt" content="Harbour reopens after the storm">'
        in content
    )
    assert '<meta name="twitter:card" content="summary_large_image">' in content
    [card] = stored_cards(media_root)
    assert url.endswith(str(card))
    drawn = PILImage.open(media_root / card)
    assert drawn.size == (1200, 630) and drawn.format == "PNG"
    # The site's colours: its blue behind, white title letters on it.
    assert drawn.convert("RGB").getpixel((5, 5)) == (0x0B, 0x57, 0xD0)
    assert (255, 255, 255) in {
        color for _, color in drawn.convert("RGB").getcolors(1 << 20)
    }
    # It is served like any media file.
    served = client.get(url.removeprefix("http://testserver"))
    assert served.status_code == 200 and served["Content-Type"] == "image/png"


def test_a_card_is_made_once_per_version_of_the_post(client, media_root, settings):
    post = make_post(title="Ferry timetable", slug="ferry")
    first, _ = og_image(client, post)
    drawn_at = (media_root / stored_cards(media_root)[0]).stat().st_mtime_ns
    post.summary = "A new summary changes the site, not the card."
    post.save()
    again, _ = og_image(client, post)
    assert again == first and len(stored_cards(media_root)) == 1
    assert (media_root / stored_cards(media_root)[0]).stat().st_mtime_ns == drawn_at
    post.title = "Ferry timetable for the summer"
    post.save()
    renamed, _ = og_image(client, post)
    assert renamed != first and len(stored_cards(media_root)) == 2


def test_a_banner_or_the_first_body_image_is_the_social_image(client, media_root):
    bannered = make_post(
        title="Bannered",
        slug="bannered",
        banner=make_image(size=(1600, 900), alt="The quay"),
    )
    url, content = og_image(client, bannered)
    assert "/media/renditions/" in url
    assert '<meta property="og:image:alt" content="The quay">' in content
    illustrated = make_post(
        title="Illustrated", slug="illustrated", body="![The pier](pier.png)"
    )
    PostImage.objects.create(
        post=illustrated,
        image=make_image(size=(1200, 800), alt="The pier"),
        reference="pier.png",
    )
    renditions.render(illustrated)
    illustrated.save()
    url, content = og_image(client, illustrated)
    assert "/media/renditions/" in url
    assert '<meta property="og:image:alt" content="The pier">' in content
    assert stored_cards(media_root) == []


def test_the_json_ld_names_the_same_image(client):
    post = make_post(title="Quiet day", slug="quiet")
    url, content = og_image(client, post)
    data = re.search(r'"@type": "NewsArticle".*?"image": \["([^"]+)"\]', content, re.S)
    assert data[1] == url


def test_a_preview_of_a_draft_draws_no_card(client, media_root):
    post = make_post(title="Secret plan", slug="secret", status=Post.Status.DRAFT)
    link = previews.create(post, by=None)
    response = client.get(link.get_absolute_url())
    assert response.status_code == 200
    assert "og:image" not in response.content.decode()
    assert stored_cards(media_root) == []


def test_cjk_titles_are_drawn_with_a_cjk_font():
    require_service(
        "A CJK font",
        HAS_CJK_FONT,
        "apt-get install fonts-wqy-microhei or fonts-noto-cjk",
    )
    # Missing glyphs all draw as the same box: two different titles would
    # give the same picture.
    assert social.draw("寄存器", CJK_FONT) != social.draw("分配图", CJK_FONT)
    card = PILImage.open(
        io.BytesIO(social.draw("寄存器分配：从活跃变量分析到图着色", CJK_FONT))
    )
    assert card.size == (1200, 630)


def test_without_any_font_file_the_card_is_drawn_with_a_warning(
    client, settings, caplog, media_root
):
    settings.NEWSDESK_SOCIAL_FONTS = ["/nonexistent/font.ttc"]
    post = make_post(title="寄存器分配", slug="cjk")
    with caplog.at_level(logging.WARNING, logger="news.media.social"):
        url, _ = og_image(client, post)
    assert url and len(stored_cards(media_root)) == 1
    assert "No CJK font for the social card" in caplog.text


def test_a_long_title_is_cut_to_four_lines_with_an_ellipsis():
    face = social._font(CJK_FONT, social.TITLE_SIZES[-1])
    lines = social._clip(social._wrap("word " * 200, face, 1040), face, 1040)
    assert len(lines) == social.MAX_LINES and lines[-1].endswith("…")
    assert all(face.getlength(line) <= 1040 for line in lines)


def test_the_cards_stay_in_the_media_root(client, media_root):
    post = make_post(title="../../../etc/passwd", slug="path")
    url, _ = og_image(client, post)
    [card] = stored_cards(media_root)
    assert (media_root / card).resolve().is_relative_to(Path(media_root).resolve())
    assert "passwd" not in url
    assert Path(django_settings.BASE_DIR).joinpath("etc").exists() is False


def test_cards_are_drawn_on_a_worker_not_on_the_page(client, settings, media_root):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}
    }
    default_task_backend.clear()
    post = make_post(title="Drawn later", slug="later")
    # The page goes without og:image and queues the drawing, once.
    url, content = og_image(client, post)
    assert url is None and '<meta name="twitter:card" content="summary">' in content
    assert stored_cards(media_root) == []
    post.summary = "Changed, so the article's fragments are made again."
    post.save()
    og_image(client, post)
    [queued] = default_task_backend.results
    assert queued.task.name == "draw_card_task" and queued.args == [post.pk]
    # The worker draws it and moves the site's version: the page shows it.
    assert social.draw_card_task.call(post.pk) is True
    url, _ = og_image(client, post)
    assert url and len(stored_cards(media_root)) == 1
    # Run again, it finds the card drawn.
    assert social.draw_card_task.call(post.pk) is False


def test_the_worker_draws_no_card_for_an_unpublished_post(media_root):
    post = make_post(title="Secret", slug="secret", status=Post.Status.DRAFT)
    assert social.draw_card_task.call(post.pk) is False
    assert social.draw_card_task.call(10**9) is False
    assert stored_cards(media_root) == []
