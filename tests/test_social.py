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
from news.media import images, library, renditions, social
from news.models import Post, PostImage
from tests.conftest import QUEUED_ONLY

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


def crops(media_root):
    return sorted(p.relative_to(media_root) for p in media_root.glob("social/*/*.jpg"))


def test_a_banner_or_the_first_body_image_is_cut_to_a_card(client, media_root):
    bannered = make_post(
        title="Bannered",
        slug="bannered",
        banner=make_image(size=(1600, 900), alt="The quay"),
    )
    url, content = og_image(client, bannered)
    assert re.fullmatch(
        r"http://testserver/media/social/[0-9a-f]{2}/[0-9a-f]{64}\.jpg", url
    )
    assert '<meta property="og:image:width" content="1200">' in content
    assert '<meta property="og:image:height" content="630">' in content
    assert '<meta property="og:image:alt" content="The quay">' in content
    [crop] = crops(media_root)
    assert url.endswith(str(crop))
    cut = PILImage.open(media_root / crop)
    assert cut.size == (1200, 630) and cut.format == "JPEG"
    served = client.get(url.removeprefix("http://testserver"))
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    illustrated = make_post(
        title="Illustrated", slug="illustrated", body="![The pier](pier.png)"
    )
    PostImage.objects.create(
        post=illustrated,
        image=make_image(size=(1200, 800), alt="The pier", color=(200, 30, 30)),
        reference="pier.png",
    )
    renditions.render(illustrated)
    illustrated.save()
    url, content = og_image(client, illustrated)
    assert "/media/social/" in url and url.endswith(".jpg")
    assert '<meta property="og:image:alt" content="The pier">' in content
    assert len(crops(media_root)) == 2 and stored_cards(media_root) == []


def cornered(size, corner, block=(0.5, 0.5), color=(220, 20, 20)):
    """An image in grey with a coloured block at ``corner`` ("tl", "br"),
    ``block`` its fractions of the width and height."""
    width, height = size
    img = PILImage.new("RGB", size, (128, 128, 128))
    across, down = round(width * block[0]), round(height * block[1])
    left = 0 if corner[1] == "l" else width - across
    top = 0 if corner[0] == "t" else height - down
    img.paste(color, (left, top, left + across, top + down))
    buffer = io.BytesIO()
    img.save(buffer, "PNG")
    image, _ = images.store(buffer.getvalue(), alt="Cornered")
    return image


def centre(media_root, url):
    path = media_root / url.split("/media/", 1)[1]
    return PILImage.open(path).convert("RGB").getpixel((600, 315))


def near(colour, wanted):
    return all(abs(a - b) <= 12 for a, b in zip(colour, wanted, strict=True))


# The crop moves across a picture wider than the card and down one taller
# (it spans the other way whole): the block reaches past the centre that way.
@pytest.mark.parametrize(
    ("size", "block", "corner", "focus"),
    [
        ((4000, 1000), (0.4, 0.6), "tl", (10, 10)),
        ((4000, 1000), (0.4, 0.6), "br", (90, 90)),
        ((1200, 2400), (0.6, 0.4), "tl", (10, 10)),
        ((1200, 2400), (0.6, 0.4), "br", (90, 90)),
    ],
)
def test_the_crop_follows_the_focal_point(
    client, media_root, size, block, corner, focus
):
    image = cornered(size, corner, block)
    post = make_post(title="Focus", slug="focus", banner=image)
    url, _ = og_image(client, post)
    # Centred, the crop shows grey in the middle.
    assert near(centre(media_root, url), (128, 128, 128))
    image.focal_x, image.focal_y = focus
    image.save()
    moved, content = og_image(client, post)
    assert moved != url and len(crops(media_root)) == 2
    assert '<meta property="og:image:width" content="1200">' in content
    assert near(centre(media_root, moved), (220, 20, 20))
    # The other corner's focus gives grey again: the crop is the image's.
    image.focal_x, image.focal_y = 100 - focus[0], 100 - focus[1]
    image.save()
    assert near(centre(media_root, og_image(client, post)[0]), (128, 128, 128))


def test_the_crop_stays_inside_the_picture(media_root):
    # A focal point at the very corner: the crop is pushed back inside, with
    # no border added.
    # 4000×1260 is scaled by half: the card shows 2400×1260 of it, at most
    # x 1600 to 4000; the block starts at x 2000, y 630: 200, 315 in the card.
    image = cornered((4000, 1260), "br", color=(20, 20, 220))
    image.focal_x = image.focal_y = 100
    card = social.crop(image)
    cut = PILImage.open(media_root / card.url.split("/media/", 1)[1]).convert("RGB")
    assert near(cut.getpixel((1199, 629)), (20, 20, 220))
    assert near(cut.getpixel((0, 0)), (128, 128, 128))
    assert near(cut.getpixel((190, 300)), (128, 128, 128))
    assert near(cut.getpixel((210, 330)), (20, 20, 220))


def test_replacing_the_file_replaces_the_crop(
    client, media_root, django_capture_on_commit_callbacks
):
    image = cornered((4000, 1000), "tl", (0.4, 0.6))
    post = make_post(title="Replaced", slug="replaced", banner=image)
    url, _ = og_image(client, post)
    [old] = crops(media_root)
    buffer = io.BytesIO()
    PILImage.new("RGB", (2000, 1000), (20, 160, 20)).save(buffer, "PNG")
    with django_capture_on_commit_callbacks(execute=True):
        library.replace(image, buffer.getvalue(), name="green.png")
    new, _ = og_image(client, post)
    assert new != url and crops(media_root) == [Path(new.split("/media/", 1)[1])]
    assert near(centre(media_root, new), (20, 160, 20))
    assert not (media_root / old).exists()


def test_a_small_image_is_scaled_up_at_most_twice(client, media_root):
    # 700×400 needs 1.7×: scaled up and cut.
    scaled = make_post(
        title="Scaled", slug="scaled", banner=make_image(size=(700, 400))
    )
    url, content = og_image(client, scaled)
    assert url.endswith(".jpg") and '"og:image:width" content="1200"' in content
    # 400×300 would need 3×: shown whole, as its rendition, as before.
    small = make_post(title="Small", slug="small", banner=make_image(size=(400, 300)))
    url, content = og_image(client, small)
    assert "/media/renditions/" in url or "/media/images/" in url
    assert '<meta property="og:image:width" content="400">' in content
    assert len(crops(media_root)) == 1


def test_the_crop_carries_no_metadata_and_keeps_orientation(media_root):
    img = PILImage.new("RGB", (1260, 4000), (200, 40, 40))
    img.paste((40, 40, 200), (0, 0, 1260, 2000))  # the top half blue
    exif = img.getexif()
    # Stored sideways: shown, 4000×1260 with the blue half on the right, where
    # the focal point is.
    exif[0x0112] = 6
    exif[0x010F] = "PhoneMaker"
    buffer = io.BytesIO()
    img.save(buffer, "JPEG", exif=exif, quality=95)
    image, _ = images.store(buffer.getvalue(), alt="Sideways")
    image.focal_x, image.focal_y = 100, 50
    card = social.crop(image)
    cut = PILImage.open(media_root / card.url.split("/media/", 1)[1])
    assert not cut.getexif()
    assert near(cut.convert("RGB").getpixel((600, 315)), (40, 40, 200))


def test_a_preview_of_a_draft_cuts_no_crop(client, media_root):
    post = make_post(
        title="Secret",
        slug="secret-banner",
        status=Post.Status.DRAFT,
        banner=make_image(size=(1600, 900)),
    )
    link = previews.create(post, by=None)
    content = client.get(link.get_absolute_url()).content.decode()
    assert "/media/renditions/" in content and crops(media_root) == []


def test_crops_are_cut_on_a_worker_not_on_the_page(client, settings, media_root):
    settings.TASKS = QUEUED_ONLY
    default_task_backend.clear()
    image = make_image(size=(1600, 900), alt="The quay")
    post = make_post(title="Cut later", slug="cut-later", banner=image)
    # Meanwhile the page shows the picture whole (here the original, as the
    # renditions are not made either) and queues the crop, once.
    url, content = og_image(client, post)
    assert "/media/images/" in url and crops(media_root) == []
    assert '<meta property="og:image:width" content="1600">' in content
    post.summary = "Changed, so the article's fragments are made again."
    post.save()
    og_image(client, post)
    [queued] = [
        result
        for result in default_task_backend.results
        if result.task.name == "crop_card_task"
    ]
    assert queued.args == [image.pk]
    assert social.crop_card_task.call(image.pk) is True
    url, content = og_image(client, post)
    assert "/media/social/" in url and len(crops(media_root)) == 1
    assert '<meta property="og:image:height" content="630">' in content
    assert social.crop_card_task.call(image.pk) is False
    assert social.crop_card_task.call(10**9) is False


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
    settings.TASKS = QUEUED_ONLY
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
