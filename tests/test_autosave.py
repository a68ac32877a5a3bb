"""Autosave and presence: one slot per person and post, offered back when the
form opens again; a heartbeat that tells who else has the post open."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from news.editorial import autosave, revisions
from news.models import Autosave, Post, Presence, Revision

from .factories import add_authors, make_post, make_user
from .test_admin import change_url, form_data

pytestmark = pytest.mark.django_db

S = Post.Status
KEEP = "admin:news_post_autosave"


@pytest.fixture
def author():
    return make_user("ann", "Authors")


@pytest.fixture
def editor():
    return make_user("edna", "Editors", first_name="Edna", last_name="Ross")


@pytest.fixture
def draft(author):
    return add_authors(make_post(title="Quay", body="Old.", status=S.DRAFT), author)


def keep(client, post, **values):
    data = {"post": post.pk if post else "", "title": "", "summary": "", "body": ""}
    return client.post(reverse(KEEP), {**data, **values})


def test_each_keep_overwrites_the_one_slot_and_makes_no_revision(client, author, draft):
    client.force_login(author)
    for body in ["One", "One two", "One two three"]:
        response = keep(client, draft, title="Quay", body=body)
        assert response.status_code == 200
    slot = Autosave.objects.get()
    assert (slot.user, slot.post, slot.body) == (author, draft, "One two three")
    assert not Revision.objects.exists()
    draft.refresh_from_db()
    assert draft.body == "Old."


def test_keeping_is_a_csrf_protected_post(author, draft):
    client = Client(enforce_csrf_checks=True)
    client.force_login(author)
    assert client.get(reverse(KEEP)).status_code == 405
    assert keep(client, draft, body="x").status_code == 403
    assert not Autosave.objects.exists()


def test_keeping_someone_elses_post_is_refused(client, author):
    other = make_post(title="Not mine", status=S.DRAFT)
    client.force_login(author)
    assert keep(client, other, body="x").status_code == 404
    # A post in review is the editors' now: its author may not change it.
    mine = add_authors(make_post(title="In review", status=S.IN_REVIEW), author)
    response = keep(client, mine, body="x")
    assert response.status_code == 403
    assert response.json()["error"] == "You may not edit “In review”."
    assert not Autosave.objects.exists()


def test_the_form_offers_back_what_a_closed_tab_kept(client, author, draft):
    client.force_login(author)
    keep(client, draft, title="Quay", summary="", body="Old. And new work.")
    content = client.get(change_url(draft)).content.decode()
    assert "Restore the unsaved work" in content
    assert '<script id="autosave-values" type="application/json">' in content
    assert "Old. And new work." in content
    # Saving the form is the work saved: nothing is offered any more.
    client.post(change_url(draft), form_data(draft, body="Saved."))
    assert not Autosave.objects.exists()
    assert (
        "Restore the unsaved work" not in client.get(change_url(draft)).content.decode()
    )


def test_a_slot_that_matches_the_post_is_not_offered(client, author, draft):
    autosave.keep(author, draft, title="Quay", summary="", body="Old.")
    client.force_login(author)
    assert (
        "Restore the unsaved work" not in client.get(change_url(draft)).content.decode()
    )


def test_a_new_post_has_a_slot_too(client, author):
    client.force_login(author)
    keep(client, None, title="Fresh", body="Started, not saved.")
    content = client.get(reverse("admin:news_post_add")).content.decode()
    assert "Restore the unsaved work" in content and "Started, not saved." in content
    client.post(reverse("admin:news_post_autosave_discard"), {"post": ""})
    assert not Autosave.objects.exists()


def test_slots_are_each_persons_own(client, author, editor, draft):
    autosave.keep(editor, draft, title="Quay", summary="", body="Edna's words.")
    client.force_login(author)
    assert "Edna's words." not in client.get(change_url(draft)).content.decode()


def test_the_heartbeat_names_who_else_has_the_post_open(client, author, editor, draft):
    client.force_login(editor)
    beat = client.post(reverse("admin:news_post_heartbeat"), {"post": draft.pk})
    assert beat.json() == {"others": []}
    client.force_login(author)
    beat = client.post(reverse("admin:news_post_heartbeat"), {"post": draft.pk})
    assert beat.json() == {"others": ["Edna Ross"]}
    content = client.get(change_url(draft)).content.decode()
    assert "Someone else has this post open:</strong>" in content
    assert '<span class="presence-names">Edna Ross</span>' in content
    # A beat older than the window is someone who went away.
    Presence.objects.filter(user=editor).update(
        seen_at=timezone.now() - timedelta(seconds=autosave.PRESENT_SECONDS + 1)
    )
    assert autosave.others(author, draft) == []


def test_the_stale_form_refusal_shows_who_has_the_post_open(client, author, editor):
    post = make_post(title="Live", body="Live.")
    old_version = revisions.version(post)
    revisions.save_edit(post, by=editor, save=post.save, reason="edited")
    autosave.beat(editor, post)
    publisher = make_user("pat", "Editors", "Publishers")
    client.force_login(publisher)
    response = client.post(
        change_url(post), form_data(post, body="Mine.", version=old_version)
    )
    content = response.content.decode()
    assert "was changed by edna while you were editing it" in content
    assert '<span class="presence-names">Edna Ross</span>' in content


def test_the_heartbeat_of_a_post_one_may_not_see_is_refused(client, author):
    other = make_post(title="Not mine", status=S.DRAFT)
    client.force_login(author)
    response = client.post(reverse("admin:news_post_heartbeat"), {"post": other.pk})
    assert response.status_code == 404
    assert not Presence.objects.exists()


def test_leaving_the_form_ends_the_presence_at_once(client, author, editor, draft):
    client.force_login(editor)
    url = reverse("admin:news_post_heartbeat")
    client.post(url, {"post": draft.pk})
    assert autosave.others(author, draft) == ["Edna Ross"]
    client.post(url, {"post": draft.pk, "leaving": "1"})
    assert autosave.others(author, draft) == []
