import io
from html.parser import HTMLParser
from unittest import mock

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import IntegrityError
from PIL import Image as PILImage

from news.documents.importer import Importer
from news.media import renditions
from news.models import Image, Post, PostImage, Rendition

from .factories import image_bytes, make_image, make_post, write_tree

pytestmark = pytest.mark.django_db


def opened(rendition):
    with default_storage.open(rendition.file.name) as handle:
        img = PILImage.open(io.BytesIO(handle.read()))
        img.load()
    return img


def test_makes_webp_and_jpeg_in_every_width_up_to_the_original():
    image = make_image(size=(1000, 500))
    made = renditions.ensure(image)
    assert {(r.format, r.width) for r in made} == {
        (fmt, width) for fmt in ("webp", "jpeg") for width in (320, 640, 960, 1000)
    }
    for rendition in made:
        img = opened(rendition)
        assert img.format == {"webp": "WEBP", "jpeg": "JPEG"}[rendition.format]
        assert img.size == (rendition.width, rendition.height)
        assert rendition.height == round(500 * rendition.width / 1000)
        assert rendition.file.name.startswith(f"renditions/{image.sha256[:2]}/")


def test_wide_images_stop_at_the_widest_rendition():
    image = make_image(size=(2400, 100))
    widths = {r.width for r in renditions.ensure(image)}
    assert widths == {320, 640, 960, 1280, 1920}


def test_small_images_get_their_own_width_only():
    image = make_image(size=(200, 100))
    assert {(r.format, r.width) for r in renditions.ensure(image)} == {
        ("webp", 200),
        ("jpeg", 200),
    }


def test_transparent_png_keeps_png_as_its_fallback():
    buffer = io.BytesIO()
    PILImage.new("RGBA", (400, 300), (0, 0, 0, 0)).save(buffer, "PNG")
    from news.media import images

    image, _ = images.store(buffer.getvalue())
    made = renditions.ensure(image)
    assert {r.format for r in made} == {"webp", "png"}
    assert opened(made[0]).mode == "RGBA"


def test_renditions_are_made_once():
    image = make_image(size=(700, 400))
    first = renditions.ensure(image)
    with mock.patch.object(renditions, "_encode") as encode:
        second = renditions.ensure(image)
        renditions.picture(image)
    encode.assert_not_called()
    assert [r.pk for r in second] == [r.pk for r in first]
    assert Rendition.objects.filter(image=image).count() == len(first)


def test_a_lost_race_keeps_the_winners_rendition_and_drops_its_own_file(settings):
    image = make_image(size=(500, 300))
    source = PILImage.new("RGB", (500, 300))
    # Another process saved its file and row between our check and our insert.
    winner = Rendition(image=image, width=320, height=192, format="webp")
    winner.file.name = "renditions/elsewhere/winner.webp"
    winner.save()
    [rendition] = renditions._made(image, source, [(320, "webp")]).values()
    assert rendition.pk == winner.pk
    assert not default_storage.exists(renditions.storage_name(image, 320, "webp"))
    assert Rendition.objects.filter(image=image).count() == 1


def test_an_existing_file_is_reused_not_duplicated():
    image = make_image(size=(500, 300))
    renditions.ensure(image)
    Rendition.objects.filter(image=image).delete()
    with mock.patch.object(renditions, "_encode") as encode:
        made = renditions.ensure(image)
    encode.assert_not_called()
    assert {r.file.name for r in made} == {
        renditions.storage_name(image, r.width, r.format) for r in made
    }


def test_picture_gives_srcsets_size_and_alt():
    image = make_image(size=(800, 400), alt="A chart")
    picture = renditions.picture(image)
    assert picture.width == 800 and picture.height == 400
    assert picture.alt == "A chart"
    assert picture.webp_srcset.endswith("-800.webp 800w")
    assert "-320.webp 320w" in picture.webp_srcset
    assert picture.srcset.endswith("-800.jpg 800w")
    assert picture.src.endswith("-800.jpg")
    assert picture.type == "image/jpeg"


def test_unreadable_image_is_shown_without_the_original():
    image = make_image(size=(800, 400))
    default_storage.delete(image.file.name)
    picture = renditions.picture(image)
    # The original keeps its metadata: with no rendition, no src at all.
    assert picture.src == ""
    assert picture.srcset == "" and picture.webp_srcset == ""


def test_pages_make_missing_renditions_on_first_use(client):
    post = make_post(title="With banner", banner=make_image(size=(700, 350)))
    assert not Rendition.objects.exists()
    content = client.get(post.get_absolute_url()).content.decode()
    assert Rendition.objects.filter(image=post.banner).count() == 6
    assert 'loading="eager"' in content and 'fetchpriority="high"' in content
    home = client.get("/").content.decode()
    # The only post is the home page's lead story, whose picture loads at once.
    assert 'class="lead-story"' in home and 'loading="eager"' in home
    assert "-320.webp 320w" in home
    assert Rendition.objects.filter(image=post.banner).count() == 6


# --- Body images ------------------------------------------------------------------


class BodyImages(HTMLParser):
    """Collect the <picture>, <source> and <img> tags of a page's article body."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.in_body = 0
        self.tags = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div" and "body" in (attrs.get("class") or "").split():
            self.in_body = 1
        elif self.in_body and tag == "div":
            self.in_body += 1
        elif self.in_body and tag in ("picture", "source", "img"):
            self.tags.append((tag, attrs))

    def handle_endtag(self, tag):
        if self.in_body and tag == "div":
            self.in_body -= 1
        elif self.in_body and tag == "picture":
            self.tags.append(("/picture", {}))


def body_images(html):
    finder = BodyImages()
    finder.feed(html)
    finder.close()
    return finder.tags


def candidates(srcset):
    """Return a srcset as [(storage name, width)], checking the URLs are media URLs."""
    found = []
    for candidate in srcset.split(", "):
        url, width = candidate.split(" ")
        assert url.startswith("/media/renditions/"), url
        found.append((url.removeprefix("/media/"), int(width.removesuffix("w"))))
    return found


def import_tree(root, files):
    report = Importer().run([write_tree(root, files)])
    assert report.failed == 0, report.problems
    return report


def article(slug="charts"):
    return f"---\ntitle: Charts\nslug: {slug}\ndate: 2024-01-02\n---\n\nSales went up:\n\n![Sales](chart.png)\n"


def test_an_imported_body_image_is_served_from_its_renditions(client, tmp_path):
    import_tree(
        tmp_path, {"post.md": article(), "chart.png": image_bytes(size=(1000, 500))}
    )
    image = Image.objects.get()
    response = client.get("/news/charts/")
    tags = body_images(response.content.decode())
    assert [tag for tag, _ in tags] == ["picture", "source", "img", "/picture"]
    (_, _), (_, source), (_, img), _ = tags
    sizes = "(min-width: 48rem) min(46rem, 1000px), min(100vw, 1000px)"
    assert source["type"] == "image/webp" and source["sizes"] == sizes
    assert img == {
        "src": f"/media/renditions/{image.sha256[:2]}/{image.sha256}-1000.png",
        "alt": "Sales",
        "width": "1000",
        "height": "500",
        "srcset": img["srcset"],
        "sizes": sizes,
        # The article's first image, with no banner above it: it loads at once.
        "loading": "eager",
        "fetchpriority": "high",
        "decoding": "async",
    }
    for srcset, fmt in [(source["srcset"], "WEBP"), (img["srcset"], "PNG")]:
        listed = candidates(srcset)
        assert [width for _, width in listed] == [320, 640, 960, 1000]
        for name, width in listed:
            with default_storage.open(name) as handle:
                made = PILImage.open(io.BytesIO(handle.read()))
            assert (made.format, made.width) == (fmt, width)


def test_reimporting_makes_no_new_renditions(tmp_path):
    files = {"post.md": article(), "chart.png": image_bytes(size=(700, 300))}
    import_tree(tmp_path, files)
    made = set(Rendition.objects.values_list("pk", flat=True))
    assert len(made) == 6
    with mock.patch.object(renditions, "_encode") as encode:
        assert import_tree(tmp_path, files).unchanged == 1
        # An edited text re-renders the body with the renditions it has.
        edited = import_tree(tmp_path, {"post.md": article() + "\nMore.\n"})
    encode.assert_not_called()
    assert edited.updated == 1
    assert set(Rendition.objects.values_list("pk", flat=True)) == made
    assert "-700.webp 700w" in Post.objects.get().body_html


def test_an_image_used_twice_in_a_body_is_rendered_once(tmp_path):
    body = article() + "\nAgain: ![Sales](./chart.png)\n"
    with mock.patch.object(renditions, "_record", wraps=renditions._record) as make:
        import_tree(
            tmp_path, {"post.md": body, "chart.png": image_bytes(size=(400, 200))}
        )
    assert make.call_count == 4  # 320 and 400, WebP and PNG
    assert Post.objects.get().body_html.count("<picture>") == 2


def test_an_image_narrower_than_the_smallest_width_lists_only_itself(tmp_path):
    import_tree(
        tmp_path, {"post.md": article(), "chart.png": image_bytes(size=(200, 80))}
    )
    tags = body_images(
        Post.objects.get().body_html.join(['<div class="body">', "</div>"])
    )
    (_, _), (_, source), (_, img), _ = tags
    assert [width for _, width in candidates(source["srcset"])] == [200]
    assert [width for _, width in candidates(img["srcset"])] == [200]
    assert img["sizes"] == "(min-width: 48rem) min(46rem, 200px), min(100vw, 200px)"
    assert (img["width"], img["height"]) == ("200", "80")


def test_an_unreadable_image_file_is_shown_as_written_not_as_the_original():
    image = make_image(size=(800, 400))
    default_storage.delete(image.file.name)
    post = make_post(body="![Lost](lost.jpg)")
    PostImage.objects.create(post=post, image=image, reference="lost.jpg")
    renditions.render(post)
    assert "<picture>" not in post.body_html
    assert body_images(f'<div class="body">{post.body_html}</div>') == [
        (
            "img",
            {
                "alt": "Lost",
                "src": "lost.jpg",
                "loading": "lazy",
                "decoding": "async",
            },
        )
    ]
    assert not Rendition.objects.exists()


def test_rendering_a_body_loads_all_its_renditions_in_one_query(
    django_assert_num_queries,
):
    post = make_post(body="![a](a.jpg) ![b](b.jpg) ![c](c.jpg)")
    for n, key in enumerate(["a.jpg", "b.jpg", "c.jpg"]):
        image = make_image(size=(400 + n, 300), color=(n, 0, 0))
        renditions.ensure(image)
        PostImage.objects.create(post=post, image=image, reference=key)
    with django_assert_num_queries(2):  # the post's images, their renditions
        renditions.render(post)
    assert post.body_html.count("<picture>") == 3


def test_rerender_makes_the_renditions_that_older_posts_lack(capsys, tmp_path):
    import_tree(
        tmp_path, {"post.md": article(), "chart.png": image_bytes(size=(500, 250))}
    )
    # As a post imported before bodies had renditions.
    Rendition.objects.all().delete()
    Post.objects.update(body_html="<p>old</p>")
    call_command("rerender_posts")
    assert "Re-rendered 1 posts; 1 changed." in capsys.readouterr().out
    assert Rendition.objects.count() == 4
    assert "-500.webp 500w" in Post.objects.get().body_html
    with mock.patch.object(renditions, "_encode") as encode:
        call_command("rerender_posts")
    encode.assert_not_called()
    assert "Re-rendered 1 posts; 0 changed." in capsys.readouterr().out


def test_rerender_makes_the_renditions_of_an_image_two_posts_share_once(tmp_path):
    import_tree(
        tmp_path,
        {
            "a.md": article("a"),
            "b.md": article("b"),
            "chart.png": image_bytes(size=(500, 250)),
        },
    )
    Rendition.objects.all().delete()
    with mock.patch.object(renditions, "_record", wraps=renditions._record) as make:
        assert renditions.rerender(Post.objects.all()) == 0
    assert make.call_count == 4  # 320 and 500, WebP and PNG
    assert Rendition.objects.count() == 4


def test_a_file_failing_after_its_body_rendered_leaves_no_rendition_files(tmp_path):
    files = {"post.md": article(), "chart.png": image_bytes(size=(700, 300))}
    with mock.patch(
        "news.documents.importer.importer.set_tags", side_effect=IntegrityError("boom")
    ):
        report = Importer().run([write_tree(tmp_path, files)])
    assert report.failed == 1
    assert not Rendition.objects.exists() and not Image.objects.exists()
    for folder in ("images", "renditions"):
        if default_storage.exists(folder):
            assert stored_files(folder) == []


def stored_files(folder):
    folders, files = default_storage.listdir(folder)
    return files + [f for sub in folders for f in stored_files(f"{folder}/{sub}")]
