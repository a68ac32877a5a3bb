"""Renditions are made on the task workers: an import stores originals and
queues them, pages show a plain original at its size until they land, and
then every page and fragment shows the srcset. Making them again changes
nothing; a worker killed mid-write leaves nothing behind once run again.

The queue here is django-tasks' dummy backend, which keeps what is queued and
runs nothing, so each test runs the queued work when it chooses to, as a
worker would. tests/test_workers.py runs real workers.
"""

import io
import re
import subprocess
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django_tasks import default_task_backend
from PIL import ExifTags
from PIL import Image as PILImage

from news.documents.importer import Importer
from news.media import renditions, storage
from news.models import Image, Post, Rendition
from tests.conftest import QUEUED_ONLY

from .factories import image_bytes, write_tree

pytestmark = pytest.mark.django_db

# The home page of a fresh site: its state, the page's posts and what their
# cards show (news.public.fragments.with_cards: categories, authors, banner
# renditions, body images), whatever the images; and the menus (2), as in
# tests/test_views.py's LIST_PAGES.
QUERIES_OF_THE_HOME_PAGE = 8


@pytest.fixture
def queue(settings):
    """Queue tasks without running them; return the backend that keeps them."""
    settings.TASKS = QUEUED_ONLY
    default_task_backend.clear()
    return default_task_backend


@pytest.fixture
def fragments(settings):
    settings.NEWSDESK_FRAGMENT_CACHE = True


def story(n, banner=True):
    head = f"---\ntitle: Story {n}\ndate: 2024-03-{n:02}\n"
    if banner:
        head += f"banner: img/banner-{n}.png\n"
    return head + f"---\n\nText {n}.\n\n![A chart {n}](img/chart-{n}.png)\n"


def site(root, stories=3):
    files = {}
    for n in range(1, stories + 1):
        files[f"story-{n}.md"] = story(n)
        files[f"img/banner-{n}.png"] = image_bytes(size=(900, 500), color=(n, 9, 9))
        files[f"img/chart-{n}.png"] = image_bytes(size=(700, 400), color=(9, n, 9))
    return write_tree(root, files)


def run_queued(backend):
    """Run what was queued, as a worker would; return how many tasks ran."""
    ran = 0
    for result in list(backend.results):
        result.task.call(*result.args, **result.kwargs)
        ran += 1
    backend.clear()
    return ran


def rendition_files():
    names = set()
    folders = ["renditions"]
    while folders:
        folder = folders.pop()
        if not default_storage.exists(folder):
            continue
        subfolders, files = default_storage.listdir(folder)
        folders += [f"{folder}/{name}" for name in subfolders]
        names.update(f"{folder}/{name}" for name in files)
    return names


def test_an_import_stores_originals_and_queues_the_renditions(tmp_path, queue):
    report = Importer().run([site(tmp_path / "site")])
    assert report.created == 3
    assert not Rendition.objects.exists()
    assert rendition_files() == set()
    [queued] = queue.results
    assert queued.task.name == "make_renditions_task"
    assert sorted(queued.args[0]) == sorted(Image.objects.values_list("pk", flat=True))


def test_until_renditions_exist_pages_show_the_original_at_its_size(
    client, tmp_path, queue, monkeypatch
):
    Importer().run([site(tmp_path / "site")])
    post = Post.objects.get(slug="story-1")
    chart = post.images.get(width=700)

    def no_renditions_here(*args, **kwargs):
        raise AssertionError("a rendition was made on the request path")

    monkeypatch.setattr(renditions, "ensure", no_renditions_here)
    home = client.get("/").content.decode()
    article = client.get(post.get_absolute_url()).content.decode()
    assert not Rendition.objects.exists()
    for n in (1, 2, 3):
        banner = Post.objects.get(slug=f"story-{n}").banner
        assert re.search(
            rf'<img [^>]*src="{banner.file.url}" width="900" height="500"', home
        )
    body = re.search(r'<img [^>]*alt="A chart 1"[^>]*>', article)[0]
    assert f'src="{chart.file.url}"' in body
    assert 'width="700" height="400"' in body
    assert "srcset" not in body
    # The page queued what it met without renditions (once), for a worker;
    # the article also queued its social card's crop.
    made = [r for r in queue.results if r.task.name == "make_renditions_task"]
    assert {pk for r in made for pk in r.args[0]} >= {chart.pk}


def test_the_first_view_of_a_list_after_an_import_makes_nothing(
    client, tmp_path, queue, monkeypatch, django_assert_num_queries
):
    Importer().run([site(tmp_path / "site", stories=6)])
    queue.clear()

    def no_renditions_here(*args, **kwargs):
        raise AssertionError("a rendition was made on the request path")

    monkeypatch.setattr(renditions, "ensure", no_renditions_here)
    # The same queries as a list whose renditions exist: none per image.
    with django_assert_num_queries(QUERIES_OF_THE_HOME_PAGE):
        response = client.get("/")
    assert response.status_code == 200
    assert response.content.decode().count('width="900" height="500"') == 6
    assert not Rendition.objects.exists()

    monkeypatch.undo()
    run_queued(queue)
    with django_assert_num_queries(QUERIES_OF_THE_HOME_PAGE):
        response = client.get("/")
    assert response.content.decode().count("-320.webp 320w") == 6


def test_when_renditions_land_cards_and_bodies_show_the_srcset(
    client, tmp_path, queue, fragments
):
    Importer().run([site(tmp_path / "site")])
    post = Post.objects.get(slug="story-2")
    before = client.get("/").content.decode()
    assert "-320.webp 320w" not in before
    assert "srcset" not in post.body_html

    assert run_queued(queue) >= 1
    assert Rendition.objects.count() == 6 * 2 * 3  # widths x formats x images
    post.refresh_from_db()
    assert "-320.webp 320w" in post.body_html
    # The receiver of renditions_made moved the site's version: the cached
    # cards are made again, with the banners' srcsets.
    after = client.get("/").content.decode()
    assert after.count("-320.webp 320w") == 3
    article = client.get(post.get_absolute_url()).content.decode()
    assert re.search(r'<img [^>]*alt="A chart 2"[^>]*srcset="[^"]*-320\.png', article)


def test_making_renditions_again_changes_nothing(tmp_path, queue):
    Importer().run([site(tmp_path / "site")])
    pks = list(Image.objects.values_list("pk", flat=True))
    assert renditions.make(pks) == 36
    files, rows = (
        rendition_files(),
        set(Rendition.objects.values_list("file", flat=True)),
    )
    html = list(Post.objects.order_by("pk").values_list("body_html", flat=True))
    assert files == rows and len(rows) == 36

    assert renditions.make(pks) == 0
    assert rendition_files() == files
    assert set(Rendition.objects.values_list("file", flat=True)) == rows
    assert list(Post.objects.order_by("pk").values_list("body_html", flat=True)) == (
        html
    )


def test_a_write_left_by_a_killed_worker_is_removed_when_the_task_runs_again(
    tmp_path, queue
):
    Importer().run([site(tmp_path / "site", stories=1)])
    image = Image.objects.get(width=700)
    gone = subprocess.Popen(["true"])
    gone.wait(timeout=30)
    name = renditions.storage_name(image, 320, Rendition.Format.WEBP)
    folder, base = name.rsplit("/", 1)
    host = storage._host()
    dead = f"{folder}/.tmp-{host}-{gone.pid}-0badcafe-{base}"
    alive = f"{folder}/.tmp-{host}-1-0badcafe-{base}"  # pid 1 never ends
    for left in (dead, alive):
        path = Path(default_storage.path(left))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half a file")

    renditions.make([image.pk])
    assert not default_storage.exists(dead)
    # Another process, still writing, keeps its file.
    assert default_storage.exists(alive)
    made = set(Rendition.objects.values_list("file", flat=True))
    assert rendition_files() == made | {alive}


def test_an_original_with_metadata_is_never_shown(client, tmp_path, queue):
    img = PILImage.new("RGB", (640, 480), (10, 200, 10))
    exif = img.getexif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    buffer = io.BytesIO()
    img.save(buffer, "JPEG", exif=exif)
    tree = write_tree(
        tmp_path / "site",
        {
            "story.md": "---\ntitle: Story\ndate: 2024-01-02\n---\n\n![Photo](p.jpg)\n",
            "p.jpg": buffer.getvalue(),
        },
    )
    Importer().run([tree])
    image = Image.objects.get()
    assert not image.plain
    page = client.get("/news/story/").content.decode()
    assert image.file.url not in page
    assert "/media/images/" not in page


def shared_banner_site(root, stories=4):
    """Stories that each show two images of their own and share one banner,
    as a site's imported reports do."""
    files = {"img/banner.png": image_bytes(size=(64, 48), color=(1, 2, 3))}
    for n in range(1, stories + 1):
        files[f"story-{n}.md"] = (
            f"---\ntitle: Story {n}\ndate: 2024-03-{n:02}\n"
            f"banner: img/banner.png\n---\n\n"
            f"![One {n}](img/one-{n}.png)\n\n![Two {n}](img/two-{n}.png)\n"
        )
        files[f"img/one-{n}.png"] = image_bytes(size=(64, 48), color=(n, 1, 1))
        files[f"img/two-{n}.png"] = image_bytes(size=(64, 48), color=(1, n, 2))
    return write_tree(root, files)


def test_an_import_queues_a_shared_banner_once(tmp_path, queue, monkeypatch):
    monkeypatch.setattr(renditions, "CHUNK_SIZE", 3)
    Importer().run([shared_banner_site(tmp_path / "site")])
    banner = Post.objects.get(slug="story-1").banner
    queued = [pk for result in queue.results for pk in result.args[0]]
    assert len(queue.results) > 1
    assert queued.count(banner.pk) == 1
    assert sorted(queued) == sorted(Image.objects.values_list("pk", flat=True))


def test_a_post_shown_by_images_of_several_tasks_is_rendered_once(
    tmp_path, queue, monkeypatch
):
    Importer().run([shared_banner_site(tmp_path / "site")])
    rendered = []
    real = renditions.render

    def counting(post, *args, **kwargs):
        rendered.append(post.slug)
        return real(post, *args, **kwargs)

    monkeypatch.setattr(renditions, "render", counting)
    # Each image on a task of its own, the banner first: the worst split.
    banner = Post.objects.get(slug="story-1").banner
    others = Image.objects.exclude(pk=banner.pk).order_by("pk")
    for pk in [banner.pk, *others.values_list("pk", flat=True)]:
        renditions.make([pk])

    assert sorted(rendered) == [f"story-{n}" for n in range(1, 5)]
    for post in Post.objects.all():
        assert post.body_html.count("-64.webp 64w") == 2, post.slug


def test_a_post_waits_for_all_its_images_before_it_is_rendered_again(tmp_path, queue):
    Importer().run([shared_banner_site(tmp_path / "site", stories=1)])
    post = Post.objects.get(slug="story-1")
    links = post.image_map()
    one, two = links["img/one-1.png"], links["img/two-1.png"]
    renditions.make([one.pk, post.banner_id])
    post.refresh_from_db()
    assert "srcset" not in post.body_html  # still the originals, as imported
    renditions.make([two.pk])
    post.refresh_from_db()
    assert post.body_html.count("-64.webp 64w") == 2
