"""Stored media files are whole or absent: writes are atomic, and a file
already in the storage is trusted only when it holds the right bytes."""

import errno

import pytest
from django.core.files.base import File
from django.core.files.storage import FileSystemStorage, default_storage, storages

from news.documents.exporter import DirectoryWriter, export, posts_for_export
from news.documents.importer import Importer
from news.media import images, storage
from news.media.copying import copy_media
from news.media.storage import AtomicFileSystemStorage
from news.models import Image, Rendition

from .factories import image_bytes, read_tree, write_tree

pytestmark = pytest.mark.django_db


class DiskFillsUp(File):
    """Content whose second chunk fails as a full disk does."""

    def __init__(self, data):
        super().__init__(None, name="photo.png")
        self.data = data
        self.size = len(data)

    def chunks(self, chunk_size=None):
        yield self.data[:10]
        raise OSError(errno.ENOSPC, "No space left on device")


def files_under(root):
    return sorted(
        p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()
    )


def test_local_storage_writes_atomically(media_root):
    assert isinstance(storages["default"], storage.AtomicFileSystemStorage)
    with pytest.raises(OSError, match="No space left"):
        default_storage.save("images/ab/abc.png", DiskFillsUp(image_bytes()))
    # Neither the name nor a temporary file is left behind.
    assert not default_storage.exists("images/ab/abc.png")
    assert files_under(media_root) == []


def site(root):
    data = image_bytes(size=(700, 400), color=(10, 120, 200))
    return write_tree(
        root,
        {
            "story.md": "---\ntitle: Story\ndate: 2024-05-01\n---\n\n![photo](img/photo.png)\n",
            "img/photo.png": data,
        },
    ), data


@pytest.mark.parametrize("left", [b"", b"\x89PNG\r\n\x1a\n short"])
def test_a_short_file_at_the_hash_name_is_written_again(tmp_path, media_root, left):
    tree, data = site(tmp_path / "site")
    # As a run on a full disk left it: the name of the content, not its bytes.
    digest = images.sha256(data)
    target = media_root / images.storage_name(digest, "PNG")
    target.parent.mkdir(parents=True)
    target.write_bytes(left)

    report = Importer().run([tree])
    assert (report.created, report.failed) == (1, 0)
    assert target.read_bytes() == data
    export(posts_for_export(), DirectoryWriter(tmp_path / "out"))
    exported = read_tree(tmp_path / "out")
    assert exported["img/photo.png"] == data, sorted(exported)


def test_a_stored_image_damaged_since_is_repaired_by_the_next_import(
    tmp_path, media_root
):
    tree, data = site(tmp_path / "site")
    assert Importer().run([tree]).created == 1
    stored = media_root / Image.objects.get().file.name
    stored.write_bytes(data[:100])
    (tree / "story.md").write_text(
        "---\ntitle: Story\ndate: 2024-05-01\n---\n\nEdited.\n\n![photo](img/photo.png)\n"
    )
    assert Importer().run([tree]).updated == 1
    assert stored.read_bytes() == data


def test_a_short_rendition_file_is_made_again(tmp_path, media_root):
    tree, _ = site(tmp_path / "site")
    assert Importer().run([tree]).created == 1
    rendition = Rendition.objects.filter(width=320, format="webp").get()
    path = media_root / rendition.file.name
    whole = path.read_bytes()
    path.write_bytes(b"")
    Rendition.objects.all().delete()
    (tree / "story.md").write_text(
        "---\ntitle: Story\ndate: 2024-05-01\n---\n\nEdited.\n\n![photo](img/photo.png)\n"
    )
    assert Importer().run([tree]).updated == 1
    assert path.read_bytes() == whole


def test_copy_media_copies_again_a_file_left_short_in_the_target(tmp_path, media_root):
    tree, data = site(tmp_path / "site")
    assert Importer().run([tree]).created == 1
    target = AtomicFileSystemStorage(location=tmp_path / "copy")
    copy_media(FileSystemStorage(location=media_root), target)
    name = Image.objects.get().file.name
    (tmp_path / "copy" / name).write_bytes(b"")

    report = copy_media(FileSystemStorage(location=media_root), target)
    assert report.copied == 1
    assert (tmp_path / "copy" / name).read_bytes() == data
