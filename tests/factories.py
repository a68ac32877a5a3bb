"""Small factory functions for tests. Images are made in memory."""

import io
import zipfile
from datetime import timedelta
from pathlib import Path

from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image as PILImage

from news.media import images, renditions
from news.models import Author, Category, Post, PostAuthor
from news.public import search


def image_bytes(fmt="PNG", size=(12, 8), color=(200, 30, 30)):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, color).save(buffer, fmt)
    return buffer.getvalue()


def make_post(
    *,
    title="A post",
    slug=None,
    body="Body text.",
    status=None,
    published_at=None,
    **kwargs,
):
    status = status or Post.Status.PUBLISHED
    if published_at is None and status == Post.Status.PUBLISHED:
        published_at = timezone.now() - timedelta(hours=1)
    post = Post(
        title=title,
        slug=slug or title.lower().replace(" ", "-"),
        body=body,
        status=status,
        published_at=published_at,
        **kwargs,
    )
    # Rendering is the services' explicit step; save() renders nothing.
    renditions.render(post)
    post.save()
    # The services index a post through the domain signals they send; the
    # factory saves past them, so it indexes the post itself.
    search.update([post])
    return post


def write_tree(root, files):
    """Write ``{relative path: bytes or str}`` under ``root``; return ``root``."""
    root = Path(root)
    for relpath, content in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode()
        path.write_bytes(content)
    return root


def read_tree(root):
    root = Path(root)
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def make_user(username, *groups, superuser=False, author=True, **kwargs):
    """Return a staff user in ``groups``, linked to an Author of the same name."""
    user = User.objects.create_user(
        username,
        email=f"{username}@example.com",
        password="pw",
        is_staff=True,
        is_superuser=superuser,
        **kwargs,
    )
    user.groups.add(*Group.objects.filter(name__in=groups))
    if author:
        Author.objects.create(name=username.title(), slug=username, user=user)
    return user


HOSTILE = "</script><script>alert(1)</script>\"'&<>"

# Every state a post can be in that readers must not see, as make_post kwargs.
HIDDEN_STATES = {
    "draft": {"status": Post.Status.DRAFT},
    "in_review": {"status": Post.Status.IN_REVIEW},
    "approved": {"status": Post.Status.APPROVED},
    "archived": {"status": Post.Status.ARCHIVED},
    "scheduled": {
        "status": Post.Status.PUBLISHED,
        "published_at": timezone.now() + timedelta(days=3650),
    },
}


def make_image(*, size=(1600, 900), fmt="JPEG", alt="An image", color=(30, 90, 160)):
    image, _ = images.store(image_bytes(fmt, size, color), alt=alt)
    return image


def make_author(name, slug=None):
    return Author.objects.create(name=name, slug=slug or name.lower().replace(" ", "-"))


def make_category(name, slug=None):
    return Category.objects.create(
        name=name, slug=slug or name.lower().replace(" ", "-")
    )


def add_authors(post, *people):
    """Make ``people`` the authors of ``post``, in order: Author rows, or users
    (made by make_user) as their Author rows."""
    for position, person in enumerate(people):
        author = person if isinstance(person, Author) else person.author
        PostAuthor.objects.create(post=post, author=author, position=position)
    return post


def zipped(files, name="posts.zip"):
    """Return an uploaded .zip holding ``files`` (name -> bytes or text)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for member, data in files.items():
            zf.writestr(member, data)
    return SimpleUploadedFile(name, buffer.getvalue(), "application/zip")
