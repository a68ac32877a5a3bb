from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from news.editorial import previews, revisions
from news.models import Post

from .factories import add_authors, make_post, make_user

pytestmark = pytest.mark.django_db

S = Post.Status
NOINDEX = '<meta name="robots" content="noindex, nofollow">'


@pytest.fixture
def draft():
    post = make_post(title="Embargoed", slug="embargoed", body="Secret **news**.")
    Post.objects.filter(pk=post.pk).update(status=S.DRAFT)
    post.refresh_from_db()
    return post


def test_staff_preview_a_revision_through_the_public_template(client, draft):
    editor = make_user("edna", "Editors")
    revision = revisions.record(draft, by=editor)
    client.force_login(editor)
    response = client.get(revision.get_absolute_url())
    content = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Embargoed</h1>" in content
    assert "<strong>news</strong>" in content
    assert NOINDEX in content
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_revision_previews_are_for_staff_who_may_see_the_post(client, draft):
    revision = revisions.record(draft, by=None)
    url = revision.get_absolute_url()
    assert client.get(url).status_code == 403
    client.force_login(make_user("ann", "Authors"))  # not one of its authors
    assert client.get(url).status_code == 403
    author = make_user("bob", "Authors")
    add_authors(draft, author)
    client.force_login(author)
    assert client.get(url).status_code == 200


def test_a_shared_link_shows_the_draft_to_anyone(client, draft):
    link = previews.create(draft, by=make_user("edna", "Editors"))
    response = client.get(link.get_absolute_url())
    content = response.content.decode()
    assert response.status_code == 200
    assert "Secret <strong>news</strong>." in content
    assert NOINDEX in content
    assert link.expires_at - timezone.now() > timedelta(days=6, hours=23)
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_a_shared_link_expires(client, draft):
    link = previews.create(draft, by=None)
    later = timezone.now() + timedelta(days=7, seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        response = client.get(link.get_absolute_url())
    assert response.status_code == 403


def test_a_shared_link_can_be_revoked(client, draft):
    link = previews.create(draft, by=None)
    previews.revoke(link)
    assert client.get(link.get_absolute_url()).status_code == 403


def test_a_tampered_link_is_refused(client, draft):
    link = previews.create(draft, by=None)
    signed = link.signed_token()
    token, _, signature = signed.rpartition(":")
    forged = f"{token[:-1]}{'A' if token[-1] != 'A' else 'B'}:{signature}"
    url = reverse("news:shared_preview", kwargs={"signed": forged})
    assert client.get(url).status_code == 404
    unsigned = reverse("news:shared_preview", kwargs={"signed": link.token})
    assert client.get(unsigned).status_code == 404


def test_a_pinned_link_keeps_its_revision_and_a_following_link_moves_on(client, draft):
    first = revisions.record(draft, by=None)
    pinned = previews.create(draft, by=None, revision=first)
    following = previews.create(draft, by=None)
    Post.objects.filter(pk=draft.pk).update(title="Embargoed, updated")
    revisions.record(draft, by=None)
    assert (
        "<h1>Embargoed</h1>" in client.get(pinned.get_absolute_url()).content.decode()
    )
    content = client.get(following.get_absolute_url()).content.decode()
    assert "<h1>Embargoed, updated</h1>" in content


def test_a_post_page_offers_a_preview_link(client, draft):
    editor = make_user("edna", "Editors")
    client.force_login(editor)
    response = client.post(
        reverse("admin:news_post_preview_link", args=[draft.pk]), follow=True
    )
    link = draft.preview_links.get()
    assert link.get_absolute_url() in response.content.decode()
    client.logout()
    assert client.get(link.get_absolute_url()).status_code == 200
