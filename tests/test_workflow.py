import pytest
from django.contrib.auth.models import Permission, User
from django.utils import timezone

from news import workflow
from news.models import AuditEntry, Post

from .factories import make_post

pytestmark = pytest.mark.django_db


def test_publish_needs_the_permission_and_writes_an_audit_entry():
    post = make_post(status=Post.Status.DRAFT)
    author = User.objects.create_user("author")
    with pytest.raises(
        workflow.TransitionNotAllowed, match="You may not publish posts."
    ):
        workflow.publish(post, by=author)
    author.user_permissions.add(Permission.objects.get(codename="publish_post"))
    author = User.objects.get(pk=author.pk)
    at = timezone.now()
    workflow.publish(post, by=author, at=at)
    post.refresh_from_db()
    assert (post.status, post.published_at) == (Post.Status.PUBLISHED, at)
    entry = AuditEntry.objects.get()
    assert (entry.user, entry.from_status, entry.to_status) == (
        author,
        "draft",
        "published",
    )


def test_an_illegal_move_raises_the_named_exception():
    post = make_post()
    with pytest.raises(workflow.TransitionNotAllowed, match="it is published"):
        workflow.publish(post, by=None)
    assert not AuditEntry.objects.exists()


def test_unpublish_takes_a_post_off_the_site():
    post = make_post()
    workflow.unpublish(post, by=None, comment="Wrong date")
    assert not Post.objects.published().exists()
    assert AuditEntry.objects.get().comment == "Wrong date"
