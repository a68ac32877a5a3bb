"""Media in S3-compatible object storage: moto in server mode on 127.0.0.1,
spoken to over HTTP by django-storages and boto3."""

import re
import urllib.request

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError

from news.documents.exporter import DirectoryWriter, export, posts_for_export
from news.documents.importer import Importer
from news.models import Image, Post, Rendition

from .factories import image_bytes, read_tree, write_tree
from .services import MotoServer, start_moto, use_s3

pytestmark = pytest.mark.django_db

COLORS = [(200, 30, 30), (30, 200, 30), (30, 30, 200), (200, 200, 30)]


def document(n):
    return f"---\ntitle: Story {n}\ndate: 2024-05-0{n}\n---\n\n![photo](img/{n}.png)\n"


def story_tree(root, count=1):
    return write_tree(
        root,
        {
            **{f"story-{n}.md": document(n) for n in range(1, count + 1)},
            **{
                f"img/{n}.png": image_bytes(color=COLORS[n - 1])
                for n in range(1, count + 1)
            },
        },
    )


def img_src(client, slug):
    response = client.get(f"/news/{slug}/")
    assert response.status_code == 200
    return re.search(r'<img [^>]*src="([^"]+)"', response.content.decode())[1]


def srcset_urls(client, slug):
    page = client.get(f"/news/{slug}/").content.decode()
    srcsets = re.findall(r' srcset="([^"]+)"', page)
    assert srcsets, "the page has no srcset"
    return [c.split(" ")[0] for srcset in srcsets for c in srcset.split(", ")]


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def test_imported_images_are_served_from_the_bucket(
    client, tmp_path, s3_server, s3_storage
):
    tree = story_tree(tmp_path / "site")
    report = Importer().run([tree])
    assert (report.created, report.failed) == (1, 0), report.problems
    src = img_src(client, "story-1")
    # Readers get renditions; the original is in the bucket, for export.
    assert src.startswith(f"{s3_server.url}/{s3_storage}/renditions/")
    assert fetch(src)[:4] == b"\x89PNG"
    for url in srcset_urls(client, "story-1"):
        assert url.startswith(f"{s3_server.url}/{s3_storage}/renditions/")
        assert fetch(url)
    head = s3_server.client().head_object(
        Bucket=s3_storage, Key=Image.objects.get().file.name
    )
    assert head["CacheControl"] == "public, max-age=31536000, immutable"


def test_image_urls_use_the_cdn_domain(
    client, tmp_path, s3_server, settings, monkeypatch
):
    bucket = s3_server.create_bucket()
    use_s3(
        s3_server,
        bucket,
        settings,
        monkeypatch,
        AWS_S3_CUSTOM_DOMAIN="cdn.news.example",
    )
    Importer().run([story_tree(tmp_path / "site")])
    name = Image.objects.get().file.name
    shown = img_src(client, "story-1")
    largest = Rendition.objects.filter(format="png").get()
    assert shown == f"https://cdn.news.example/{largest.file.name}"
    assert default_storage.exists(name)


def test_export_reads_back_the_same_bytes_from_the_bucket(tmp_path, s3_storage):
    tree = story_tree(tmp_path / "site", count=2)
    Importer().run([tree])
    export(posts_for_export(), DirectoryWriter(tmp_path / "out"))
    assert read_tree(tmp_path / "out") == read_tree(tree)


def test_copy_media_moves_a_local_site_to_the_bucket(
    client, tmp_path, media_root, s3_server, settings, monkeypatch
):
    Importer().run([story_tree(tmp_path / "site", count=2)])
    assert img_src(client, "story-1").startswith("/media/renditions/")

    bucket = s3_server.create_bucket()
    use_s3(s3_server, bucket, settings, monkeypatch)
    call_command("copy_media", from_dir=str(media_root), stdout=(out := _Output()))
    # Two images, and a WebP and a PNG rendition of each.
    assert "6 copied, 0 already there, 0 missing from the source; " in out.text
    assert "stored HTML of 2 posts updated" in out.text
    for slug, n in [("story-1", 1), ("story-2", 2)]:
        src = img_src(client, slug)
        assert src.startswith(f"{s3_server.url}/{bucket}/renditions/")
        name = Image.objects.get(posts__slug=slug).file.name
        original = f"{s3_server.url}/{bucket}/{name}"
        assert fetch(original) == (tmp_path / f"site/img/{n}.png").read_bytes()
        for url in srcset_urls(client, slug):
            assert url.startswith(f"{s3_server.url}/{bucket}/renditions/")
            assert fetch(url)[:4] in (b"RIFF", b"\x89PNG")

    call_command("copy_media", from_dir=str(media_root), stdout=(again := _Output()))
    assert "0 copied, 6 already there" in again.text
    assert "stored HTML of 0 posts updated" in again.text


def test_copy_media_reports_files_missing_from_the_source(
    tmp_path, media_root, s3_server, settings, monkeypatch
):
    Importer().run([story_tree(tmp_path / "site")])
    (media_root / Image.objects.get().file.name).unlink()
    use_s3(s3_server, s3_server.create_bucket(), settings, monkeypatch)
    with pytest.raises(CommandError, match="1 file\\(s\\) are missing from"):
        call_command("copy_media", from_dir=str(media_root), stderr=_Output())


def test_copy_media_refuses_to_copy_a_directory_onto_itself(media_root):
    media_root.mkdir(parents=True, exist_ok=True)
    with pytest.raises(CommandError, match="already is"):
        call_command("copy_media", from_dir=str(media_root))


class _Output:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass


@pytest.fixture
def flaky_s3(tmp_path, settings, monkeypatch):
    """An S3 server of this test's own, to stop and start again."""
    server = start_moto(tmp_path)
    bucket = server.create_bucket()
    use_s3(server, bucket, settings, monkeypatch)
    yield server, bucket
    server.stop()


def test_storage_failing_mid_import_fails_those_files_and_a_rerun_completes(
    tmp_path, flaky_s3
):
    server, bucket = flaky_s3
    tree = story_tree(tmp_path / "site", count=4)

    def stop_after_second(relpath):
        if relpath == "story-2.md":
            server.stop()

    report = Importer(progress=stop_after_second).run([tree])
    assert (report.created, report.failed) == (2, 2)
    failures = [str(p) for p in report.problems if p.level == "error"]
    assert len(failures) == 2
    for name, message in zip(["story-3.md", "story-4.md"], failures, strict=True):
        assert message.startswith(f"{name}: error: the media storage could not store")
    assert sorted(Post.objects.values_list("slug", flat=True)) == [
        "story-1",
        "story-2",
    ]
    assert Image.objects.count() == 2

    assert server.start(), "the S3 server did not come back"
    server.create_bucket(bucket)  # moto keeps nothing across a restart
    again = Importer().run([tree])
    assert (again.created, again.unchanged, again.failed) == (2, 2, 0)
    assert Post.objects.count() == 4
    for post in Post.objects.filter(slug__in=["story-3", "story-4"]):
        assert default_storage.exists(post.images.get().file.name)


def test_storage_failing_while_making_renditions_fails_that_file(tmp_path, flaky_s3):
    server, _ = flaky_s3
    tree = story_tree(tmp_path / "site")
    assert Importer().run([tree]).created == 1
    # As a post whose image was stored before bodies had renditions.
    Rendition.objects.all().delete()
    (tree / "story-1.md").write_text(document(1) + "\nEdited.\n")
    server.stop()
    report = Importer().run([tree])
    assert (report.updated, report.failed) == (0, 1)
    # The stored image is checked before it is reused; either step may be
    # the one that finds the storage down.
    assert re.match(
        r"story-1\.md: error: the media storage could not "
        r"(make renditions of|store) images/",
        str(report.problems[0]),
    )
    with pytest.raises(CommandError, match="could not make renditions of images/"):
        call_command("rerender_posts", "--now")


def test_moto_server_is_its_own_process(s3_server):
    # Tests reach the S3 server over HTTP, not through an in-process mock.
    assert isinstance(s3_server, MotoServer)
    assert s3_server.process.pid and s3_server.process.poll() is None
    assert fetch(f"{s3_server.url}/moto-api/")


def test_a_page_renders_when_the_bucket_fails_making_its_renditions(
    client, tmp_path, flaky_s3, caplog
):
    server, _ = flaky_s3
    tree = write_tree(
        tmp_path / "site",
        {
            "story.md": "---\ntitle: Story\ndate: 2024-01-02\nbanner: img/1.png\n---\n\nText.\n",
            "img/1.png": image_bytes(color=COLORS[0]),
        },
    )
    assert Importer().run([tree]).created == 1
    # As a banner whose renditions are not made yet.
    Rendition.objects.all().delete()
    server.stop()
    with caplog.at_level("WARNING"):
        response = client.get("/news/story/")
    assert response.status_code == 200
    page = response.content.decode()
    # The page queued the renditions, which failed; until they exist readers
    # get the original, which holds no metadata, at its size.
    banner = re.search(r'<figure class="banner"><picture><img [^>]*>', page)[0]
    assert re.search(r' src="[^"]*/images/[^"]*\.png"', banner), banner
    assert 'width="12" height="8"' in banner
    assert not Rendition.objects.exists()
