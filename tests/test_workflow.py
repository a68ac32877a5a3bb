import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.db import connection, connections
from django.utils import timezone

from news.editorial import revisions, workflow
from news.editorial.workflow import TransitionNotAllowed
from news.models import AuditEntry, Post

from .factories import add_authors, make_post, make_user

pytestmark = pytest.mark.django_db

S = Post.Status

# transition -> the state it starts from and the state it ends in.
MOVES = {
    "submit": (S.DRAFT, S.IN_REVIEW),
    "approve": (S.IN_REVIEW, S.APPROVED),
    "request_changes": (S.IN_REVIEW, S.DRAFT),
    "publish": (S.APPROVED, S.PUBLISHED),
    "unpublish": (S.PUBLISHED, S.DRAFT),
    "archive": (S.PUBLISHED, S.ARCHIVED),
}
ROLES = {
    "author": ["Authors"],
    "editor": ["Editors"],
    "publisher": ["Publishers"],
    "nobody": [],
    "superuser": [],
}
# (role, transition) -> (allowed on their own post, allowed on someone else's)
MATRIX = {
    ("author", "submit"): (True, False),
    ("author", "approve"): (False, False),
    ("author", "request_changes"): (False, False),
    ("author", "publish"): (False, False),
    ("author", "unpublish"): (False, False),
    ("author", "archive"): (False, False),
    ("editor", "submit"): (True, True),
    ("editor", "approve"): (False, True),  # four eyes
    ("editor", "request_changes"): (True, True),
    ("editor", "publish"): (False, False),
    ("editor", "unpublish"): (False, False),
    ("editor", "archive"): (False, False),
    ("publisher", "submit"): (False, False),
    ("publisher", "approve"): (False, False),
    ("publisher", "request_changes"): (False, False),
    ("publisher", "publish"): (True, True),
    ("publisher", "unpublish"): (True, True),
    ("publisher", "archive"): (True, True),
    **{("nobody", name): (False, False) for name in MOVES},
    **{("superuser", name): (True, True) for name in MOVES},
}


@pytest.fixture
def other():
    return make_user("other", "Authors")


def actor(role):
    return make_user(role, *ROLES[role], superuser=role == "superuser")


def run(name, post, user):
    kwargs = {"comment": "Please fix the intro."} if name == "request_changes" else {}
    return workflow.run(name, post, by=user, **kwargs)


@pytest.mark.parametrize("own", [True, False], ids=["own post", "others' post"])
@pytest.mark.parametrize(("role", "name"), sorted(MATRIX))
def test_permission_matrix(role, name, own, other):
    user = actor(role)
    source, target = MOVES[name]
    post = add_authors(make_post(title="Story", status=source), user if own else other)
    expected = MATRIX[role, name][0 if own else 1]
    assert workflow.can(user, name, post) is expected
    assert (name in [t.name for t in workflow.allowed(user, post)]) is expected
    if expected:
        run(name, post, user)
        assert post.status == target
        entry = AuditEntry.objects.get()
        assert (entry.user, entry.transition, entry.from_status, entry.to_status) == (
            user,
            name,
            source,
            target,
        )
    else:
        with pytest.raises(TransitionNotAllowed):
            run(name, post, user)
        post.refresh_from_db()
        assert post.status == source
        assert not AuditEntry.objects.exists()


def test_an_editor_may_not_approve_a_post_they_wrote():
    editor = make_user("edna", "Editors")
    post = add_authors(make_post(status=S.IN_REVIEW), editor)
    with pytest.raises(TransitionNotAllowed, match="you wrote it, so another editor"):
        workflow.approve(post, by=editor)


@pytest.mark.parametrize("state", [S.DRAFT, S.APPROVED, S.PUBLISHED, S.ARCHIVED])
def test_approve_from_the_wrong_state_names_the_state(state):
    editor = make_user("edna", "Editors")
    post = make_post(title="Story", status=state)
    with pytest.raises(TransitionNotAllowed, match=f"it is {state.label.lower()}"):
        workflow.approve(post, by=editor)


def test_request_changes_needs_a_comment():
    editor = make_user("edna", "Editors")
    post = make_post(status=S.IN_REVIEW)
    with pytest.raises(TransitionNotAllowed, match="needs a comment"):
        workflow.request_changes(post, by=editor, comment="  ")
    workflow.request_changes(post, by=editor, comment="The headline is wrong.")
    assert post.status == S.DRAFT
    assert post.audit_entries.get().comment == "The headline is wrong."


def test_the_whole_review_path_is_audited_in_order():
    author, editor = make_user("ann", "Authors"), make_user("edna", "Editors")
    publisher = make_user("pat", "Publishers")
    post = add_authors(make_post(status=S.DRAFT), author)
    workflow.submit(post, by=author)
    workflow.request_changes(post, by=editor, comment="Add a source.")
    workflow.submit(post, by=author)
    workflow.approve(post, by=editor)
    workflow.publish(post, by=publisher)
    workflow.archive(post, by=publisher)
    moves = [
        (e.user.username, e.transition, e.from_status, e.to_status)
        for e in reversed(post.audit_entries.all())
    ]
    assert moves == [
        ("ann", "submit", "draft", "in_review"),
        ("edna", "request_changes", "in_review", "draft"),
        ("ann", "submit", "draft", "in_review"),
        ("edna", "approve", "in_review", "approved"),
        ("pat", "publish", "approved", "published"),
        ("pat", "archive", "published", "archived"),
    ]


def test_a_publisher_may_not_skip_review():
    publisher = make_user("pat", "Publishers")
    post = make_post(status=S.DRAFT)
    with pytest.raises(TransitionNotAllowed, match="it is draft"):
        workflow.publish(post, by=publisher)


@pytest.mark.parametrize("trusted", ["system", "superuser"])
def test_trusted_actors_may_publish_a_draft(trusted):
    by = None if trusted == "system" else make_user("root", superuser=True)
    post = make_post(status=S.DRAFT)
    assert workflow.can(by, "publish", post)
    workflow.publish(post, by=by)
    assert post.status == S.PUBLISHED
    assert post.audit_entries.get().user == by


def test_scheduled_post_appears_by_itself_when_its_time_comes(client):
    publisher = make_user("pat", "Publishers")
    post = make_post(status=S.APPROVED, slug="later")
    at = timezone.now() + timedelta(hours=2)
    workflow.publish(post, by=publisher, at=at)
    assert post.status == S.PUBLISHED and post.published_at == at
    assert client.get("/news/later/").status_code == 404
    with mock.patch("django.utils.timezone.now", return_value=at + timedelta(1)):
        assert list(Post.objects.published()) == [post]
        assert client.get("/news/later/").status_code == 200


def test_publish_keeps_an_existing_publication_time():
    was = timezone.now() - timedelta(days=3)
    post = make_post(status=S.APPROVED, published_at=was)
    workflow.publish(post, by=None)
    assert post.published_at == was


def test_the_second_of_two_racing_transitions_sees_the_new_state():
    editor, other_editor = make_user("edna", "Editors"), make_user("eve", "Editors")
    post = make_post(status=S.IN_REVIEW)
    stale = Post.objects.get(pk=post.pk)
    workflow.approve(post, by=editor)
    with pytest.raises(TransitionNotAllowed, match="it is approved"):
        workflow.approve(stale, by=other_editor)
    assert AuditEntry.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_transitions_on_postgresql_have_one_winner():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; SQLite serialises every writer")
    editors = [make_user(f"editor{i}", "Editors") for i in range(4)]
    post = make_post(status=S.IN_REVIEW)
    barrier = threading.Barrier(len(editors))
    outcomes = []

    def approve(user):
        try:
            barrier.wait()
            workflow.approve(Post.objects.get(pk=post.pk), by=user)
            outcomes.append("won")
        except TransitionNotAllowed:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(u,)) for u in editors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused"] * 3 + ["won"]
    assert AuditEntry.objects.filter(post=post).count() == 1


def test_unpublish_takes_the_post_off_the_site(client):
    post = make_post(slug="gone")
    workflow.unpublish(post, by=make_user("pat", "Publishers"))
    assert post.status == S.DRAFT
    assert client.get("/news/gone/").status_code == 404


# -- pending changes of live posts -------------------------------------------------


def propose(post, user, **fields):
    def save():
        for name, value in fields.items():
            setattr(post, name, value)
        post.save()

    return revisions.save_edit(post, by=user, save=save)


def test_an_authors_edit_of_a_live_post_waits_for_review(client):
    author = make_user("ann", "Authors")
    post = add_authors(make_post(title="Live", slug="live", body="Old text."), author)
    pending = propose(post, author, body="New text.")
    assert pending.pending_status == S.DRAFT
    post.refresh_from_db()
    assert post.body == "Old text."
    assert "New text." not in client.get("/news/live/").content.decode()
    assert "New text." in pending.document


def test_a_pending_change_goes_through_review_and_replaces_the_live_version(client):
    author, editor = make_user("ann", "Authors"), make_user("edna", "Editors")
    publisher = make_user("pat", "Publishers")
    post = add_authors(make_post(title="Live", slug="live", body="Old text."), author)
    propose(post, author, body="Corrected text.")
    assert [t.name for t in workflow.allowed(author, post)] == ["submit"]
    workflow.submit(post, by=author)
    assert post.status == S.PUBLISHED
    assert post.pending_change().pending_status == S.IN_REVIEW
    workflow.approve(post, by=editor)
    assert "Old text." in client.get("/news/live/").content.decode()
    workflow.publish(post, by=publisher)
    assert post.pending_change() is None
    assert post.body == "Corrected text."
    assert "Corrected text." in client.get("/news/live/").content.decode()
    entries = list(post.audit_entries.values_list("transition", "revision"))
    assert all(revision for _, revision in entries)


def test_the_editor_who_proposed_a_change_may_not_approve_it():
    editor = make_user("edna", "Editors")
    post = make_post(title="Live")
    propose(post, editor, title="Live, corrected")
    workflow.submit(post, by=editor)
    with pytest.raises(TransitionNotAllowed, match="you wrote it"):
        workflow.approve(post, by=editor)


def test_unpublishing_withdraws_the_pending_change_into_the_history():
    editor = make_user("edna", "Editors")
    post = make_post(title="Live")
    pending = propose(post, editor, title="Live, corrected")
    workflow.unpublish(post, by=make_user("pat", "Publishers"))
    pending.refresh_from_db()
    assert pending.pending_status == ""
    assert post.pending_change() is None


def test_a_publisher_edits_a_live_post_directly():
    publisher = make_user("pat", "Publishers")
    post = make_post(title="Live", body="Old.")
    revision = propose(post, publisher, body="New.")
    assert revision.pending_status == ""
    post.refresh_from_db()
    assert post.body == "New."


def test_create_saves_a_new_post_as_draft_or_published_and_audits_it():
    editor = User.objects.create_user("editor-create")
    draft = workflow.create(Post(title="D", slug="d"), by=editor)
    assert draft.status == Post.Status.DRAFT
    with pytest.raises(workflow.TransitionNotAllowed):
        workflow.create(Post(title="P", slug="p"), by=editor, publish=True)
    assert not Post.objects.filter(slug="p").exists()
    live = workflow.create(Post(title="L", slug="l"), by=None, publish=True)
    assert list(Post.objects.published()) == [live]
    entries = AuditEntry.objects.values_list("transition", "from_status", "to_status")
    assert list(entries) == [("create", "", "published"), ("create", "", "draft")]


# -- four eyes: whoever wrote any part of the version under review -----------------


def edit(post, user, **fields):
    """Save an edit of ``post`` by ``user`` as the admin does (a revision)."""
    return propose(post, user, **fields)


def test_an_editor_who_created_a_post_may_not_approve_it():
    editor, other_editor = make_user("edna", "Editors"), make_user("eve", "Editors")
    post = Post(title="Mine", slug="mine", body="Text.")
    edit(post, editor)  # created in the admin: no byline of hers
    assert not post.is_authored_by(editor)
    workflow.submit(post, by=editor)
    assert not workflow.can(editor, "approve", post)
    with pytest.raises(TransitionNotAllowed, match="you wrote it, so another editor"):
        workflow.approve(post, by=editor)
    workflow.approve(post, by=other_editor)
    assert post.status == S.APPROVED


def test_whoever_created_a_post_through_the_workflow_may_not_approve_it():
    editor = make_user("edna", "Editors")
    post = workflow.create(Post(title="Mine", slug="mine"), by=editor)
    workflow.submit(post, by=editor)
    with pytest.raises(TransitionNotAllowed, match="you wrote it"):
        workflow.approve(post, by=editor)


def test_an_editor_who_rewrote_a_post_in_review_may_not_approve_it():
    author = make_user("ann", "Authors")
    editor, other_editor = make_user("edna", "Editors"), make_user("eve", "Editors")
    post = Post(title="Story", slug="story", body="Ann's.")
    edit(post, author)  # she becomes its author
    workflow.submit(post, by=author)
    edit(post, editor, body="Edna's rewrite.")
    assert "approve" not in [t.name for t in workflow.allowed(editor, post)]
    with pytest.raises(TransitionNotAllowed, match="you wrote it"):
        workflow.approve(post, by=editor)
    workflow.approve(post, by=other_editor)
    assert post.status == S.APPROVED


def test_an_edit_before_the_last_approval_does_not_count():
    author = make_user("ann", "Authors")
    editor, other_editor = make_user("edna", "Editors"), make_user("eve", "Editors")
    publisher = make_user("pat", "Publishers")
    post = Post(title="Story", slug="story", body="One.")
    edit(post, author)
    edit(post, editor, body="Two.")
    workflow.submit(post, by=author)
    workflow.approve(post, by=other_editor)
    workflow.publish(post, by=publisher)
    workflow.unpublish(post, by=publisher)
    edit(post, author, body="Three.")
    workflow.submit(post, by=author)
    workflow.approve(post, by=editor)  # her edit went live after another's approval
    assert post.status == S.APPROVED


def test_anyone_who_proposed_part_of_a_pending_change_may_not_approve_it():
    author = make_user("ann", "Authors")
    editor, other_editor = make_user("edna", "Editors"), make_user("eve", "Editors")
    post = add_authors(make_post(title="Live", body="Old."), author)
    propose(post, editor, body="Edna's fix.")
    workflow.submit(post, by=editor)
    propose(post, other_editor, body="Edna's fix, and Eve's.")
    for who in (editor, other_editor):
        with pytest.raises(TransitionNotAllowed, match="you wrote it"):
            workflow.approve(post, by=who)
    workflow.approve(post, by=make_user("third", "Editors"))


@pytest.mark.parametrize("at", [None, "future"], ids=["now", "scheduled"])
def test_a_post_changed_after_its_approval_is_not_published(at):
    author = make_user("ann", "Authors")
    editor, other_editor = make_user("edna", "Editors"), make_user("eve", "Editors")
    publisher = make_user("pat", "Publishers")
    post = add_authors(make_post(title="Story", status=S.DRAFT), author)
    workflow.submit(post, by=author)
    workflow.approve(post, by=other_editor)
    edit(post, editor, body="Unreviewed text.")
    when = timezone.now() + timedelta(days=1) if at else None
    assert not workflow.can(publisher, "publish", post)
    with pytest.raises(TransitionNotAllowed, match="changed after it was approved"):
        workflow.publish(post, by=publisher, at=when)
    post.refresh_from_db()
    assert post.status == S.APPROVED
    workflow.request_changes(post, by=other_editor, comment="Look again.")
    workflow.submit(post, by=author)
    workflow.approve(post, by=other_editor)
    workflow.publish(post, by=publisher, at=when)
    assert post.status == S.PUBLISHED


def test_a_pending_change_edited_after_its_approval_is_not_put_live(client):
    author, editor = make_user("ann", "Authors"), make_user("edna", "Editors")
    publisher = make_user("pat", "Publishers")
    post = add_authors(make_post(title="Live", slug="live", body="Old."), author)
    propose(post, author, body="Proposed.")
    workflow.submit(post, by=author)
    workflow.approve(post, by=editor)
    propose(post, publisher, body="Live edit by the publisher.")
    with pytest.raises(TransitionNotAllowed, match="changed after it was approved"):
        workflow.publish(post, by=publisher)
    assert "Proposed." not in client.get("/news/live/").content.decode()
