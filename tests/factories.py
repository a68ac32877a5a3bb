"""Small factory functions for tests. Images are made in memory."""

import io
from datetime import timedelta
from pathlib import Path

from django.contrib.auth.models import Group, User
from django.utils import timezone
from PIL import Image as PILImage

from news.models import Author, Post, PostAuthor


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
    return Post.objects.create(
        title=title,
        slug=slug or title.lower().replace(" ", "-"),
        body=body,
        status=status,
        published_at=published_at,
        **kwargs,
    )


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


def byline(post, *users):
    """Make ``users`` (with their Author rows) the authors of ``post``."""
    for position, user in enumerate(users):
        PostAuthor.objects.create(post=post, author=user.author, position=position)
    return post
