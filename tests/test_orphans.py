"""purge_orphan_media: files that no row names, left by an import killed
between writing them and committing their rows."""

import os
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from news.documents.importer import Importer
from news.media import images
from news.models import Image, Rendition

from .factories import image_bytes, write_tree

pytestmark = pytest.mark.django_db

HOUR = 3600


def age(path, seconds):
    then = time.time() - seconds
    os.utime(path, (then, then))


def put(root, name, data, seconds_old):
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    age(path, seconds_old)
    return path


@pytest.fixture
def site(tmp_path, media_root, client):
    tree = write_tree(
        tmp_path / "site",
        {
            "story.md": "---\ntitle: Story\ndate: 2024-01-02\n---\n\n![photo](img/photo.png)\n",
            "img/photo.png": image_bytes(size=(400, 300)),
        },
    )
    assert Importer().run([tree]).created == 1
    kept = sorted(
        [i.file.name for i in Image.objects.all()]
        + [r.file.name for r in Rendition.objects.all()]
    )
    for name in kept:
        age(media_root / name, 5 * HOUR)  # old, but each named by a row
    lost = image_bytes(color=(1, 2, 3))
    digest = images.sha256(lost)
    orphans = [
        put(media_root, images.storage_name(digest, "PNG"), lost, 2 * HOUR),
        put(media_root, f"renditions/{digest[:2]}/{digest}-12.webp", b"x", 2 * HOUR),
        put(media_root, "images/ab/.tmp-0011-photo.png", b"partial", 2 * HOUR),
    ]
    fresh = put(media_root, "images/cd/" + "c" * 64 + ".png", b"new", 60)
    outside = [
        put(media_root, "notes.txt", b"mine", 9 * HOUR),
        put(media_root, "avatars/me.png", b"mine", 9 * HOUR),
    ]
    return {"kept": kept, "orphans": orphans, "fresh": fresh, "outside": outside}


def run(*args):
    out = StringIO()
    call_command("purge_orphan_media", *args, stdout=out)
    return out.getvalue()


def relative(paths, root):
    return sorted(p.relative_to(root).as_posix() for p in paths)


def test_a_dry_run_lists_the_orphans_and_removes_nothing(site, media_root):
    out = run("--dry-run")
    for name in relative(site["orphans"], media_root):
        assert f"would remove: {name} (" in out
    assert "3 orphan file(s)" in out
    for name in site["kept"]:
        assert name not in out
    assert all(p.exists() for p in site["orphans"])


def test_a_run_removes_only_old_files_no_row_names(site, media_root, client):
    out = run()
    assert "3 orphan file(s)" in out and "removed." in out
    assert not any(p.exists() for p in site["orphans"])
    assert all((media_root / name).is_file() for name in site["kept"])
    assert site["fresh"].exists()  # maybe an import's, still running
    assert all(p.exists() for p in site["outside"])
    page = client.get("/news/story/")
    assert page.status_code == 200
    assert "0 orphan file(s)" in run("--dry-run")


def test_older_than_zero_takes_fresh_files_too(site):
    run("--older-than", "0")
    assert not site["fresh"].exists()
    assert all(p.exists() for p in site["outside"])


def test_a_negative_age_is_a_usage_error(site):
    with pytest.raises(CommandError, match="--older-than must be 0 or more"):
        run("--older-than", "-5")


def test_the_removal_can_be_queued_as_a_task(site, media_root):
    # The suite's immediate backend runs the task as it is queued.
    out = run("--enqueue")
    assert "3 orphan file(s)" in out and "removed." in out
    assert not any(p.exists() for p in site["orphans"])
    assert site["fresh"].exists()
    # Running it again finds nothing left to do.
    assert "0 orphan file(s), 0 bytes, removed." in run("--enqueue")


def test_a_dry_run_cannot_be_queued(site):
    with pytest.raises(CommandError, match="--dry-run lists here"):
        run("--enqueue", "--dry-run")


def test_cards_and_crops_no_page_shows_any_more_are_orphans(media_root):
    from news.media import social

    from .factories import make_image, make_post

    image = make_image(size=(1600, 900))
    social.store_crop(image)
    old_crop = media_root / social.crop_name(image)
    image.focal_x, image.focal_y = 20, 30
    image.save()
    social.store_crop(image)
    crop = media_root / social.crop_name(image)
    post = make_post(title="First title", slug="story")
    social.store(post)
    old_card = media_root / social._name(post.title, social.font_path())
    post.title = "Second title"
    post.save()
    social.store(post)
    card = media_root / social._name(post.title, social.font_path())
    for path in (old_crop, crop, old_card, card):
        age(path, 2 * HOUR)
    out = run()
    assert "2 orphan file(s)" in out
    assert not old_crop.exists() and not old_card.exists()
    assert crop.exists() and card.exists()
    # The original the crops were cut from is named by its row.
    assert (media_root / image.file.name).exists()
