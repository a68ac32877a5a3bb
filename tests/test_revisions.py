import pytest
from django.core.exceptions import PermissionDenied

from news.editorial import revisions, workflow
from news.models import Category, Post, Revision

from .factories import add_authors, make_post, make_user

pytestmark = pytest.mark.django_db

S = Post.Status


def edit(post, user, **fields):
    def save():
        Post.objects.filter(pk=post.pk).update(**fields)

    return revisions.save_edit(post, by=user, save=save)


def test_a_revision_is_the_post_as_its_front_matter_document():
    editor = make_user("edna", "Editors")
    post = make_post(title="Hello", slug="hello", body="Some *text*.", status=S.DRAFT)
    post.tags.add("economy")
    revision = revisions.record(post, by=editor, reason="first")
    assert revision.document.startswith("---\ntitle: 'Hello'\n")
    assert "tags:\n  - economy\n" in revision.document
    assert "draft: true\n" in revision.document
    assert revision.document.endswith("---\n\nSome *text*.")
    assert (revision.created_by, revision.reason) == (editor, "first")


def test_the_diff_covers_front_matter_and_body():
    post = make_post(title="Old title", body="Line one.\nLine two.", status=S.DRAFT)
    before = revisions.record(post, by=None)
    Post.objects.filter(pk=post.pk).update(title="New title", body="Line one.\nLine 2.")
    after = revisions.record(post, by=None)
    lines = [(d.kind, d.text) for d in revisions.diff(before.document, after.document)]
    assert ("remove", "-title: 'Old title'") in lines
    assert ("add", "+title: 'New title'") in lines
    assert ("remove", "-Line two.") in lines and ("add", "+Line 2.") in lines
    assert ("same", " Line one.") in lines


def test_restore_creates_a_new_revision_with_the_old_content():
    editor = make_user("edna", "Editors")
    category = Category.objects.create(name="World", slug="world")
    post = make_post(title="First", body="A.", status=S.DRAFT, category=category)
    post.tags.add("one")
    first = revisions.record(post, by=editor)
    edit(post, editor, title="Second", body="B.", category=None)
    post.tags.set(["two"])
    restored = revisions.restore(first, by=editor)
    post.refresh_from_db()
    assert (post.title, post.body, post.category) == ("First", "A.", category)
    assert [t.name for t in post.tags.all()] == ["one"]
    assert restored.document == first.document
    assert Revision.objects.count() == 3
    assert "restored the revision of" in restored.reason


def test_restore_on_a_live_post_by_an_author_is_a_pending_change():
    author = make_user("ann", "Authors")
    post = add_authors(make_post(title="Live", body="Original."), author)
    first = revisions.record(post, by=None)
    Post.objects.filter(pk=post.pk).update(body="Edited by a publisher.")
    restored = revisions.restore(first, by=author)
    assert restored.pending_status == S.DRAFT
    assert Post.objects.get(pk=post.pk).body == "Edited by a publisher."


def test_an_author_may_not_edit_someone_elses_post():
    author = make_user("ann", "Authors")
    post = make_post(title="Theirs", status=S.DRAFT)
    with pytest.raises(PermissionDenied):
        edit(post, author, title="Mine")
    assert Post.objects.get(pk=post.pk).title == "Theirs"


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        (S.DRAFT, True),
        (S.IN_REVIEW, False),
        (S.APPROVED, False),
        (S.PUBLISHED, True),
        (S.ARCHIVED, False),
    ],
)
def test_authors_edit_their_own_posts_only_while_draft_or_live(status, allowed):
    author = make_user("ann", "Authors")
    post = add_authors(make_post(title="Mine", status=status), author)
    assert revisions.can_edit(author, post) is allowed
    assert revisions.can_edit(make_user("edna", "Editors"), post) is True
    assert revisions.can_edit(make_user("nobody"), post) is False


def test_an_author_may_not_edit_a_pending_change_in_review():
    author = make_user("ann", "Authors")
    post = add_authors(make_post(title="Live"), author)
    edit(post, author, title="Live, fixed")
    workflow.submit(post, by=author)
    assert not revisions.can_edit(author, post)


def test_a_second_pending_edit_replaces_the_first_and_voids_its_approval():
    author, editor = make_user("ann", "Authors"), make_user("edna", "Editors")
    post = add_authors(make_post(title="Live"), author)
    first = edit(post, author, title="Fix one")
    workflow.submit(post, by=author)
    workflow.approve(post, by=editor)
    second = edit(post, editor, title="Fix two")
    first.refresh_from_db()
    assert first.pending_status == ""
    assert second.pending_status == S.IN_REVIEW
    assert post.pending_change() == second


def test_the_pending_change_is_invisible_until_published(client):
    author, editor = make_user("ann", "Authors"), make_user("edna", "Editors")
    post = add_authors(
        make_post(title="Live", slug="live", summary="Old summary"), author
    )
    edit(post, author, summary="New summary")
    workflow.submit(post, by=author)
    workflow.approve(post, by=editor)
    assert "Old summary" in client.get("/news/live/").content.decode()
    assert Post.objects.published().get().summary == "Old summary"
    workflow.publish(post, by=make_user("pat", "Publishers"))
    assert "New summary" in client.get("/news/live/").content.decode()
    assert post.revisions.first().reason == "published the pending change"


def test_the_version_token_changes_with_every_save_and_transition():
    post = make_post(title="Story", status=S.DRAFT)
    token = revisions.version(post)
    revisions.record(post, by=None)
    assert revisions.version(post) != token
    token = revisions.version(post)
    workflow.submit(post, by=None)
    assert revisions.version(post) != token
    meanwhile = revisions.changed_since(post, token)
    assert [e.transition for e in meanwhile.entries] == ["submit"]
    assert revisions.changed_since(post, revisions.version(post)) is None
