import json
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


def test_a_preview_links_the_tags_the_post_has_and_names_new_ones(client, draft):
    draft.tags.set(["Markets"])
    revision = revisions.record(draft, by=None)
    revision.values["tags"] = ["Markets", "Brand new"]
    revision.save()
    client.force_login(make_user("root", superuser=True))
    response = client.get(revision.get_absolute_url())
    content = response.content.decode()
    assert response.status_code == 200
    assert '<a href="/tags/markets/" rel="tag">Markets</a>' in content
    assert "<li>Brand new</li>" in content
    link = previews.create(draft, by=None, revision=revision)
    client.logout()
    assert '<a href="/tags/markets/" rel="tag">Markets</a>' in (
        client.get(link.get_absolute_url()).content.decode()
    )


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


# -- a link's owner may revoke it or shorten it, never undo either ------------------


def link_change_url(link):
    return reverse("admin:news_previewlink_change", args=[link.pk])


def link_form(when, *, revoked):
    local = timezone.localtime(when)
    data = {
        "expires_at_0": local.strftime("%Y-%m-%d"),
        "expires_at_1": local.strftime("%H:%M:%S"),
    }
    if revoked:
        data["revoked"] = "on"
    return data


@pytest.fixture
def owner(client, draft):
    """An Author who shared a preview of her draft from the post page."""
    author = make_user("ann", "Authors")
    add_authors(draft, author)
    client.force_login(author)
    client.post(reverse("admin:news_post_preview_link", args=[draft.pk]))
    return author


def test_the_owner_may_not_unrevoke_a_link_an_editor_revoked(client, draft, owner):
    link = draft.preview_links.get()
    client.force_login(make_user("edna", "Editors"))
    client.post(
        reverse("admin:news_previewlink_changelist"),
        {"action": "revoke_links", "_selected_action": [link.pk]},
    )
    client.force_login(owner)
    response = client.get(link_change_url(link))
    assert response.status_code == 200
    assert 'name="revoked"' not in response.content.decode()
    client.post(link_change_url(link), link_form(link.expires_at, revoked=False))
    link.refresh_from_db()
    assert link.revoked
    client.logout()
    assert client.get(link.get_absolute_url()).status_code == 403


def test_the_owner_may_not_extend_a_link(client, draft, owner):
    link = draft.preview_links.get()
    before = link.expires_at
    far = timezone.now().replace(year=2099)
    response = client.post(link_change_url(link), link_form(far, revoked=False))
    assert response.status_code == 200
    assert "expiry can only be brought forward" in response.content.decode()
    link.refresh_from_db()
    assert link.expires_at == before
    later = timezone.now() + timedelta(days=30)
    with mock.patch("django.utils.timezone.now", return_value=later):
        client.logout()
        assert client.get(link.get_absolute_url()).status_code == 403


def test_the_owner_may_revoke_a_link_or_bring_its_expiry_forward(client, draft, owner):
    link = draft.preview_links.get()
    soon = (timezone.now() + timedelta(days=1)).replace(microsecond=0)
    response = client.post(link_change_url(link), link_form(soon, revoked=False))
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.expires_at == soon and not link.revoked
    client.post(link_change_url(link), link_form(soon, revoked=True))
    link.refresh_from_db()
    assert link.revoked


def test_the_service_keeps_a_revoked_link_revoked_and_its_expiry_bounded(draft):
    link = previews.create(draft, by=None)
    with pytest.raises(previews.ChangeRefused, match="only be brought forward"):
        previews.change(
            link, expires_at=link.expires_at + timedelta(seconds=1), revoked=False
        )
    previews.revoke(link)
    with pytest.raises(previews.ChangeRefused, match="stays revoked"):
        previews.change(link, expires_at=link.expires_at, revoked=False)
    link.refresh_from_db()
    assert link.revoked


# -- undated drafts ------------------------------------------------------------------


def json_ld(content):
    start = content.index('<script type="application/ld+json">')
    start = content.index(">", start) + 1
    return json.loads(content[start : content.index("</script>", start)])


@pytest.mark.parametrize("lastmod", [False, True], ids=["no dates", "lastmod only"])
@pytest.mark.parametrize("how", ["staff", "shared link"])
def test_a_preview_of_an_undated_draft_shows_without_dates(client, how, lastmod):
    editor = make_user("edna", "Editors")
    post = Post(title="Undated", slug="undated", body="Text.")
    if lastmod:
        post.lastmod = timezone.now()
    revision = revisions.save_edit(post, by=editor, save=post.save)
    assert post.status == S.DRAFT and post.published_at is None
    if how == "staff":
        client.force_login(editor)
        url = revision.get_absolute_url()
    else:
        url = previews.create(post, by=editor).get_absolute_url()
    response = client.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert "<h1>Undated</h1>" in content
    data = json_ld(content)
    assert data["headline"] == "Undated"
    assert "datePublished" not in data
    assert ("dateModified" in data) is lastmod
    assert 'datetime=""' not in content
    assert 'content=""' not in content


def test_the_preview_notice_speaks_the_posts_language(client, settings):
    from django.urls import clear_url_caches

    settings.LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
    clear_url_caches()
    try:
        post = make_post(title="草稿", slug="draft", language="zh-hans")
        Post.objects.filter(pk=post.pk).update(status=S.DRAFT)
        editor = make_user("edna", "Editors")
        link = previews.create(post, by=editor)
        shared = client.get(link.get_absolute_url()).content.decode()
        assert "预览，分享至" in shared and "尚未发布" in shared
        client.force_login(editor)
        revision = revisions.record(post, by=editor)
        content = client.get(revision.get_absolute_url()).content.decode()
        assert "的修订版本：尚未发布。" in content
    finally:
        clear_url_caches()


def test_the_preview_notice_says_what_is_shown(client, draft):
    link = previews.create(draft, by=make_user("edna", "Editors"))
    content = client.get(link.get_absolute_url()).content.decode()
    assert "Preview, shared until " in content and ": not published." in content
