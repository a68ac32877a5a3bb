"""A fault test: the media disk fills up in the middle of an import. The files
that did not fit fail with a message and leave no short file behind; once
space is freed, the same import completes, and the export gives back every
source file byte for byte.

The disk is a real small file system: a tmpfs mounted as MEDIA_ROOT, which
needs root (as in CI, where NEWSDESK_REQUIRE_SERVICES makes a skip a failure).
"""

import io
import os
import random
import subprocess

import pytest
from PIL import Image as PILImage

from news.documents.exporter import DirectoryWriter, export, posts_for_export
from news.documents.importer import Importer

from .conftest import require_service
from .factories import read_tree, write_tree

pytestmark = pytest.mark.django_db

# Their originals alone (~120 KiB each) do not fit on the disk.
STORIES = 12


def mount(*args):
    return subprocess.run(
        ["mount", *args], capture_output=True, text=True, timeout=30, check=False
    )


@pytest.fixture
def small_disk(tmp_path, settings):
    """A 1 MiB tmpfs as the media storage; unmounted in teardown, always."""
    point = tmp_path / "disk"
    point.mkdir()
    if os.geteuid() != 0:
        require_service("a small disk", False, "mounting a tmpfs needs root")
    result = mount("-t", "tmpfs", "-o", "size=1m,mode=0755", "tmpfs", str(point))
    require_service("a small disk", result.returncode == 0, result.stderr.strip())
    try:
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                **settings.STORAGES["default"],
                "OPTIONS": {"location": point, "base_url": "/media/"},
            },
        }
        settings.MEDIA_ROOT = point
        yield point
    finally:
        if subprocess.run(["umount", str(point)], check=False).returncode:
            subprocess.run(["umount", "-l", str(point)], check=False)


def noise_png(seed):
    """A PNG of random pixels, which no compression makes smaller (~120 KiB)."""
    rng = random.Random(seed)
    data = bytes(rng.getrandbits(8) for _ in range(200 * 200 * 3))
    img = PILImage.frombytes("RGB", (200, 200), data)
    buffer = io.BytesIO()
    img.save(buffer, "PNG")
    return buffer.getvalue()


def story_tree(root):
    files = {}
    for n in range(1, STORIES + 1):
        files[f"story-{n}.md"] = (
            f"---\ntitle: Story {n}\ndate: 2024-05-{n:02}\n---\n\n![photo](img/{n}.png)\n"
        )
        files[f"img/{n}.png"] = noise_png(n)
    return write_tree(root, files)


def files_on(root):
    return {
        path.relative_to(root).as_posix(): path.stat().st_size
        for path in root.rglob("*")
        if path.is_file()
    }


def test_an_import_on_a_full_disk_completes_once_space_is_freed(small_disk, tmp_path):
    tree = story_tree(tmp_path / "site")

    first = Importer().run([tree])
    # The disk filled up part way: some stories made it, the rest failed.
    assert first.created > 0 and first.failed > 0, first.summary()
    errors = [str(p) for p in first.problems if p.level == "error"]
    assert errors and all("No space left on device" in e for e in errors), errors
    left = files_on(small_disk)
    assert all(size > 0 for size in left.values()), left
    assert not any("/.tmp-" in name for name in left), left

    assert mount("-o", "remount,size=64m", str(small_disk)).returncode == 0
    again = Importer().run([tree])
    assert again.failed == 0, again.problems
    assert again.created == first.failed

    export(posts_for_export(), DirectoryWriter(tmp_path / "out"))
    exported = read_tree(tmp_path / "out")
    assert exported == read_tree(tree)
    assert all(len(data) > 0 for data in exported.values())
    assert all(size > 0 for size in files_on(small_disk).values())
