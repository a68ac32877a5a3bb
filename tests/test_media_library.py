"""The media library in the admin: a grid of thumbnails that authors search
and filter, where each image is used, and replacing an image's file while
every post, author and category keeps showing it."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from news.media import images, library, renditions
from news.models import Author, Category, Image, Post, PostImage

from .factories import image_bytes, make_post, make_user

pytestmark = pytest.mark.django_db

LIBRARY = "/admin/news/image/library/"
SVG = (
    b"<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'>"
    b"<rect width='10' height='10'/></svg>"
)


@pytest.fixture
def author(client):
    user = make_user("ann", "Authors")
    client.force_login(user)
    return user


@pytest.fixture
def editor(client):
    """An editor allowed to change images (replacing a file changes what
    published posts show)."""
    user = make_user("edna", "Editors")
    user.user_permissions.add(Permission.objects.get(codename="change_image"))
    client.force_login(user)
    return user


def stored(alt, color=(200, 30, 30), size=(40, 30), data=None):
    image, _ = images.store(data or image_bytes(size=size, color=color), alt=alt)
    return image


def visible(response):
    """Return the text a person reads on the page (no tags, no addresses)."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def grid(response):
    """Return the labels of the library's tiles, in order."""
    html = response.content.decode()
    tiles = re.findall(r'<ul class="library-grid">(.*?)</ul>', html, re.S)
    if not tiles:
        return []
    return [
        re.sub(r"<[^>]+>", "", label).strip()
        for label in re.findall(r"<img [^>]*>(.*?)</a>", tiles[0], re.S)
    ]


def test_the_library_shows_every_image_by_its_alt_text_never_its_hash(
    client, author, media_root
):
    red = stored("A red harbour crane")
    blue = stored("A blue ferry", color=(20, 30, 200))
    bare = stored("", color=(20, 200, 30))
    response = client.get(LIBRARY)
    assert response.status_code == 200
    assert sorted(grid(response)) == [
        "A blue ferry",
        "A red harbour crane",
        "No alt text",
    ]
    html = response.content.decode()
    text = visible(response)
    for image in (red, blue, bare):
        assert image.sha256 not in text
        assert f"/admin/news/image/{image.pk}/change/" in html
    assert "40×30 PNG" in text


def test_the_thumbnail_is_a_rendition_once_made(client, author, media_root):
    image = stored("A wide photo", size=(900, 300))
    renditions.ensure(image)
    html = client.get(LIBRARY).content.decode()
    src = re.search(r'<ul class="library-grid">.*?<img src="([^"]+)"', html, re.S)[1]
    assert src.startswith("/media/renditions/") and src.endswith(".webp")


def test_search_finds_alt_text_and_caption(client, author, media_root):
    stored("A red harbour crane")
    ferry = stored("A blue ferry", color=(20, 30, 200))
    ferry.caption = "Morning crossing to the island"
    ferry.save()
    assert grid(client.get(LIBRARY, {"q": "crane"})) == ["A red harbour crane"]
    assert grid(client.get(LIBRARY, {"q": "island"})) == ["A blue ferry"]
    response = client.get(LIBRARY, {"q": "zeppelin"})
    assert grid(response) == []
    assert "No image matches." in response.content.decode()


def test_filters_used_and_unused_vector_and_raster(client, author, media_root):
    banner = stored("Banner")
    body = stored("In a body", color=(1, 2, 3))
    avatar = stored("An avatar", color=(4, 5, 6))
    stored("Unclaimed", color=(7, 8, 9))
    logo = stored("A logo", data=SVG)
    make_post(title="With banner", banner=banner)
    post = make_post(title="With body image")
    PostImage.objects.create(post=post, image=body, reference="b.png")
    Author.objects.create(name="Bea", slug="bea", avatar=avatar)
    assert sorted(grid(client.get(LIBRARY, {"use": "used"}))) == [
        "An avatar",
        "Banner",
        "In a body",
    ]
    assert sorted(grid(client.get(LIBRARY, {"use": "unused"}))) == [
        "A logo",
        "Unclaimed",
    ]
    assert grid(client.get(LIBRARY, {"kind": "vector"})) == ["A logo"]
    assert "A logo" not in grid(client.get(LIBRARY, {"kind": "raster"}))
    assert logo.file.name.endswith(".svg")


def test_the_library_is_paginated(client, author, media_root, monkeypatch):
    from news.editorial.admin import ImageAdmin

    monkeypatch.setattr(ImageAdmin, "library_page_size", 2)
    for n in range(5):
        stored(f"Picture {n}", color=(n, n, n))
    first = client.get(LIBRARY, {"q": "picture"})
    assert len(grid(first)) == 2
    assert "page 1 of 3" in first.content.decode()
    assert "q=picture&amp;page=2" in first.content.decode()
    last = client.get(LIBRARY, {"q": "picture", "page": 3})
    assert grid(last) == ["Picture 0"]


def test_the_library_is_for_staff_only(client, media_root):
    response = client.get(LIBRARY)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_an_image_page_lists_where_it_is_used_linked(client, author, media_root):
    image = stored("The quay at dawn")
    banner_post = make_post(title="Quay reopens", banner=image)
    body_post = make_post(title="Harbour history")
    PostImage.objects.create(post=body_post, image=image, reference="quay.png")
    writer = Author.objects.create(name="Writer", slug="writer", avatar=image)
    category = Category.objects.create(name="Harbour", slug="harbour", image=image)
    response = client.get(f"/admin/news/image/{image.pk}/change/")
    assert image.sha256 not in visible(response)
    html = response.content.decode()
    for link, label in [
        (f"/admin/news/post/{banner_post.pk}/change/", "Quay reopens</a> (banner)"),
        (
            f"/admin/news/post/{body_post.pk}/change/",
            "Harbour history</a> (in the body)",
        ),
        (f"/admin/news/author/{writer.pk}/change/", "Writer</a> (avatar)"),
        (f"/admin/news/category/{category.pk}/change/", "Harbour</a> (category image)"),
    ]:
        assert f'<a href="{link}">{label}' in html
    unused = stored("Unused", color=(9, 9, 9))
    html = client.get(f"/admin/news/image/{unused.pk}/change/").content.decode()
    assert "Not used anywhere." in html
    # An author may look, not replace.
    assert "Replace the file" not in html


def replace(client, image, data, name="new.png"):
    return client.post(
        f"/admin/news/image/{image.pk}/change/",
        {
            "alt": image.alt,
            "caption": "",
            "credit": "",
            "focal_x": 50,
            "focal_y": 50,
            "replacement": SimpleUploadedFile(name, data, content_type="image/png"),
        },
        follow=True,
    )


def test_replacing_the_file_keeps_every_reference(
    client, editor, media_root, django_capture_on_commit_callbacks
):
    image = stored("The old quay", size=(600, 400))
    body = "Before.\n\n![The old quay](quay.png)\n"
    post = make_post(title="Quay reopens", body=body, banner=image)
    PostImage.objects.create(post=post, image=image, reference="quay.png")
    renditions.make([image.pk])
    post.refresh_from_db()
    old_name, old_html = image.file.name, post.body_html
    assert "/media/renditions/" in old_html

    new_data = image_bytes(size=(800, 500), color=(10, 200, 10))
    with django_capture_on_commit_callbacks(execute=True):
        response = replace(client, image, new_data)
    assert "The file was replaced everywhere it is shown." in response.content.decode()

    assert Image.objects.count() == 1
    image.refresh_from_db()
    assert (image.width, image.height) == (800, 500)
    assert (media_root / image.file.name).read_bytes() == new_data
    assert not (media_root / old_name).exists()
    post.refresh_from_db()
    assert post.banner_id == image.pk
    assert post.image_links.get().image_id == image.pk
    # The post shows the new file's renditions, not the old ones.
    assert post.body_html != old_html
    assert image.sha256 in post.body_html
    assert images.sha256(image_bytes(size=(600, 400))) not in post.body_html
    for rendition in image.renditions.all():
        assert (media_root / rendition.file.name).exists()
    # And the public page shows it.
    page = client.get(post.get_absolute_url()).content.decode()
    assert image.sha256 in page
    src = re.search(r'<figure class="banner">.*?<img[^>]* src="([^"]+)"', page, re.S)[1]
    assert image.sha256 in src
    served = client.get(src)
    assert served.status_code == 200
    assert b"".join(served.streaming_content if served.streaming else [served.content])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (image_bytes("BMP"), "BMP images are not accepted"),
        (b"not an image", "not a recognised image"),
    ],
)
def test_a_refused_replacement_changes_nothing(
    client, editor, media_root, data, message
):
    image = stored("The old quay")
    before = image.file.name
    response = replace(client, image, data, name="bad.png")
    assert message in response.content.decode()
    image.refresh_from_db()
    assert image.file.name == before
    assert (media_root / before).exists()


def test_a_replacement_already_in_the_library_is_refused(client, editor, media_root):
    image = stored("The old quay")
    other_data = image_bytes(color=(1, 100, 1))
    stored("The new quay", data=other_data)
    response = replace(client, image, other_data)
    html = response.content.decode()
    assert "is already in the library, as “The new quay”" in html
    image.refresh_from_db()
    assert image.alt == "The old quay"
    assert Post.objects.count() == 0


def test_the_focal_point_keeps_its_place_in_cropped_pictures(
    client, editor, media_root
):
    image = stored("Two people on the quay", size=(600, 400))
    post = make_post(title="Quay reopens", banner=image)
    response = client.post(
        f"/admin/news/image/{image.pk}/change/",
        {"alt": image.alt, "caption": "", "credit": "", "focal_x": 22, "focal_y": 78},
    )
    assert response.status_code == 302
    image.refresh_from_db()
    assert (image.focal_x, image.focal_y) == (22, 78)
    page = client.get(post.get_absolute_url()).content.decode()
    banner = re.search(r'<figure class="banner">.*?<img([^>]*)>', page, re.S)[1]
    assert 'class="fx-2 fy-8"' in banner
    # A centred focal point adds nothing.
    image.focal_x = image.focal_y = 50
    image.save()
    post.save()
    page = client.get(post.get_absolute_url()).content.decode()
    banner = re.search(r'<figure class="banner">.*?<img([^>]*)>', page, re.S)[1]
    assert "fx-" not in banner


def test_a_focal_point_outside_the_picture_is_refused(client, editor, media_root):
    image = stored("The quay")
    response = client.post(
        f"/admin/news/image/{image.pk}/change/",
        {"alt": image.alt, "caption": "", "credit": "", "focal_x": 120, "focal_y": 50},
    )
    assert response.status_code == 200
    assert "less than or equal to 100" in response.content.decode()
    image.refresh_from_db()
    assert image.focal_x == 50


def test_the_banner_is_chosen_beside_its_thumbnail(client, author, media_root):
    from news.models import PostAuthor

    quay = stored("The quay at dawn", size=(600, 400))
    renditions.ensure(quay)
    stored("A ferry", color=(1, 1, 200))
    post = make_post(title="Quay reopens", status=Post.Status.DRAFT, banner=quay)
    PostAuthor.objects.create(post=post, author=author.author)
    html = client.get(f"/admin/news/post/{post.pk}/change/").content.decode()
    select = re.search(r'<select name="banner".*?</select>', html, re.S)[0]
    chosen = re.search(r"<option[^>]*selected[^>]*>", select)[0]
    assert f'data-thumbnail="{library.thumbnail_url(quay)}"' in chosen
    assert "/media/renditions/" in chosen
    labels = re.findall(r"<option[^>]*>([^<]*)</option>", select)
    assert sorted(label.split(" (")[0] for label in labels[1:]) == [
        "A ferry",
        "The quay at dawn",
    ]
    assert quay.sha256 not in visible(client.get(f"/admin/news/post/{post.pk}/change/"))
    assert 'class="image-choice-preview"' in html
    assert 'href="/admin/news/image/library/"' in html


def test_the_image_list_and_an_image_page_never_show_its_hash(
    client, author, media_root
):
    image = stored("")
    listing = client.get("/admin/news/image/")
    assert listing.status_code == 200
    assert "No alt text" in visible(listing)
    assert image.sha256 not in visible(listing)
    page = client.get(f"/admin/news/image/{image.pk}/change/")
    assert "Image with no alt text" in visible(page)
    assert image.sha256 not in visible(page)


def test_staff_without_image_permission_are_refused_the_library(client, media_root):
    client.force_login(make_user("guest"))
    stored("A private picture")
    response = client.get(LIBRARY)
    assert response.status_code == 403
    assert "A private picture" not in response.content.decode()


def test_an_uploaded_image_is_found_by_its_original_file_name(
    client, editor, media_root
):
    response = client.post(
        "/admin/news/image/add/",
        {
            "upload": SimpleUploadedFile(
                "harbour-crane.png", image_bytes(), content_type="image/png"
            ),
            "alt": "A machine on the quay",
        },
    )
    assert response.status_code == 302
    stored("Something else", color=(3, 3, 3))
    assert grid(client.get(LIBRARY, {"q": "harbour-crane"})) == [
        "A machine on the quay"
    ]
    # Without alt text, the library names it by the file name it came as.
    Image.objects.filter(original_name="harbour-crane.png").update(alt="")
    assert grid(client.get(LIBRARY, {"q": "crane"})) == ["harbour-crane.png"]


CHOICES = "/admin/news/image/library/choices/"


def test_the_banner_dialog_finds_images_by_words_never_by_hash(
    client, author, media_root
):
    quay = stored("The quay at dawn", size=(300, 200))
    renditions.ensure(quay)
    ferry = stored("A ferry", color=(1, 1, 200))
    stored("", color=(9, 9, 9))
    everything = client.get(CHOICES).json()["images"]
    assert [i["label"] for i in everything] == [
        "No alt text",
        "A ferry",
        "The quay at dawn",
    ]
    found = client.get(CHOICES, {"q": "quay"}).json()["images"]
    assert found == [
        {
            "id": quay.pk,
            "label": "The quay at dawn",
            "kind": "300×200 PNG",
            "src": library.thumbnail_url(quay),
        }
    ]
    assert found[0]["src"].startswith("/media/renditions/")
    # What the dialog shows a person is the label and kind, never a hash or a
    # file name (the thumbnail's address is only the picture's source).
    shown = [i["label"] + i["kind"] for i in client.get(CHOICES).json()["images"]]
    for image in (quay, ferry):
        assert not any(image.sha256 in text for text in shown)
    assert {key for i in everything for key in i} == {"id", "label", "kind", "src"}
    assert client.get(CHOICES, {"q": "nothing like it"}).json() == {"images": []}


def test_the_banner_dialog_is_refused_without_image_permission(client, media_root):
    client.force_login(make_user("guest"))
    stored("A private picture")
    response = client.get(CHOICES)
    assert response.status_code == 403
    assert "A private picture" not in response.content.decode()
    client.logout()
    assert client.get(CHOICES).status_code == 302
