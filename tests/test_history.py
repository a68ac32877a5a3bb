"""The revisions page: saves and transitions as one timeline, the last two
different versions compared side by side per field, restore buttons that say
which revision they restore."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from news.editorial import history, revisions, workflow
from news.models import Post

from .factories import add_authors, make_post, make_user
from .test_admin import change_url, form_data

pytestmark = pytest.mark.django_db

S = Post.Status


@pytest.fixture
def author():
    return make_user("ann", "Authors")


@pytest.fixture
def editor():
    return make_user("edna", "Editors")


def saved(post, by, **changes):
    """Save ``changes`` to ``post`` as an edit by ``by``; return the revision."""
    for name, value in changes.items():
        setattr(post, name, value)
    return revisions.save_edit(post, by=by, save=post.save, reason="edited")


def page(client, post, **query):
    url = reverse("admin:news_post_revisions", args=[post.pk])
    return client.get(url, query).content.decode()


def test_words_that_changed_are_marked_on_both_sides():
    old, new = history.words("The old harbour reopens", "The new harbour reopens")
    assert [(p.text, p.changed) for p in old] == [
        ("The ", False),
        ("old", True),
        (" harbour reopens", False),
    ]
    assert [p.text for p in new if p.changed] == ["new"]


def test_the_body_diff_pairs_lines_and_folds_what_did_not_change():
    old = "\n".join(f"line {n}" for n in range(20))
    new = old.replace("line 10", "line ten").replace("line 19", "line 19\nadded")
    rows = history.compare({"body": old}, {"body": new})[-1].rows
    kinds = [row.kind for row in rows]
    assert kinds.count("change") == 1 and kinds.count("add") == 1
    assert kinds[0] == "fold"  # lines 0-6 are far from any change
    changed = next(row for row in rows if row.kind == "change")
    assert [p.text for p in changed.new if p.changed] == ["ten"]


def test_the_page_opens_on_the_last_two_different_versions(client, editor):
    post = make_post(title="Quay", body="The old harbour.", status=S.DRAFT)
    post.tags.add("port")
    saved(post, editor)
    saved(post, editor, title="Quay works", body="The new harbour.")
    post.tags.add("works")
    saved(post, editor)  # revision 3 adds a tag
    saved(post, editor)  # the same again: not what anyone wants to compare
    client.force_login(editor)
    content = page(client, post)
    assert "Comparing revision 2 by edna with revision 4 by edna" in content
    assert "<del>Quay</del>" not in content  # the title is the same in 2 and 4
    content = page(client, post, a=post.revisions.last().pk)
    assert "Comparing revision 1 by edna with revision 4 by edna" in content
    assert "<del>old</del>" in content and "<ins>new</ins>" in content
    assert "Quay<ins> works</ins>" in content
    assert "<ins>works</ins>" in content  # the tag


def test_the_timeline_has_saves_and_transitions_with_who_and_why(
    client, author, editor
):
    post = add_authors(make_post(title="Ferry", status=S.DRAFT), author)
    client.force_login(author)
    client.post(
        change_url(post), form_data(post, body="Sails at 9.", reason="Timetable")
    )
    workflow.submit(post, by=author)
    workflow.request_changes(post, by=editor, comment="Which pier?")
    client.force_login(editor)
    content = page(client, post)
    timeline = content[content.index('id="revisions"') :]
    order = ["Request changes: In review → Draft", "Submit: Draft → In review"]
    order.append("Saved revision 1")
    positions = [timeline.index(what) for what in order]
    assert positions == sorted(positions)
    assert "Which pier?" in timeline and "Timetable" in timeline


def test_restore_buttons_name_the_revision_and_its_author(client, author, editor):
    post = add_authors(make_post(title="Ferry", body="One.", status=S.DRAFT), author)
    first = saved(post, author)
    saved(post, editor, body="Two.")
    client.force_login(editor)
    content = page(client, post)
    assert "Restore revision 1 by ann</button>" in content
    assert "Restore revision 2 by edna</button>" in content
    response = client.post(reverse("admin:news_post_restore", args=[post.pk, first.pk]))
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Restored revision 1 by ann."
    ]
    post.refresh_from_db()
    assert post.body == "One."
    assert post.revisions.first().reason == "restored revision 1 by ann"
