"""Pre-publish checks: submit and publish refuse what a check that is an error
finds, and the admin shows every finding before anyone confirms."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from news.editorial import checks, revisions, workflow
from news.media import images
from news.models import Post

from .factories import add_authors, image_bytes, make_post, make_user

pytestmark = pytest.mark.django_db

S = Post.Status
COMPLETE = {"summary": "What happened.", "title": "A good title"}


@pytest.fixture
def author():
    return make_user("ann", "Authors")


@pytest.fixture
def publisher():
    return make_user("pat", "Editors", "Publishers")


def found(post):
    return {(f.check, f.message, f.blocking) for f in workflow.findings(post)}


def banner(alt="A quay"):
    image, _ = images.store(image_bytes(), alt=alt)
    return image


def draft(author, body="Text.", **fields):
    post = make_post(body=body, status=S.DRAFT, **{**COMPLETE, **fields})
    return add_authors(post, author)


def test_a_complete_post_passes(author):
    post = draft(author, banner=banner())
    assert found(post) == set()


def test_summary_banner_and_long_title_are_warnings(author):
    post = draft(author, summary="", title="A" * 61)
    assert found(post) == {
        ("summary", "It has no summary: search results and cards show one.", False),
        ("banner", "It has no banner image: cards and social links show one.", False),
        (
            "title_length",
            "The title is 61 characters long: search results cut it after about 60.",
            False,
        ),
    }
    workflow.submit(post, by=author)  # warnings inform, nothing more
    post.refresh_from_db()
    assert post.status == S.IN_REVIEW


def test_images_without_alt_text_or_not_stored_block(author):
    stored = banner(alt="")
    post = draft(author, body="![](uploads/x.png)\n\n![A map](gone.png)", banner=stored)
    post.image_links.create(reference="uploads/x.png", image=stored)
    assert {(c, b) for c, _, b in found(post)} == {
        ("alt_text", True),
        ("missing_images", True),
    }
    messages = {m for _, m, _ in found(post)}
    assert "The banner image has no alt text." in messages
    assert "The image uploads/x.png has no alt text." in messages
    assert "The image gone.png is not stored: it will not show." in messages
    with pytest.raises(workflow.ChecksFailed) as refused:
        workflow.submit(post, by=author)
    assert str(refused.value).startswith("Cannot submit for review “A good title” yet:")
    post.refresh_from_db()
    assert post.status == S.DRAFT


def test_an_image_described_where_it_is_stored_needs_no_alt_in_the_body(author):
    image = banner(alt="The quay at dusk")
    post = draft(author, body="![](uploads/x.png)", banner=image)
    post.image_links.create(reference="uploads/x.png", image=image)
    assert found(post) == set()


def test_links_to_this_site_must_lead_to_what_readers_can_see(author):
    make_post(title="Live", slug="live")
    make_post(title="Hidden", slug="hidden", status=S.DRAFT)
    body = (
        "[a](/news/live/) [b](/news/hidden/) [c](/news/nothing/) [d](/no/such/page/) "
        "[e](/tags/) [f](https://example.com/news/x/) [g](/news/live/#part)"
    )
    post = draft(author, body=body, banner=banner())
    assert {m for _, m, _ in found(post)} == {
        "The link to /news/hidden/ leads to a post that is not published.",
        "The link to /news/nothing/ leads to no post.",
        "The link to /no/such/page/ leads to no page.",
    }


def test_which_checks_block_is_a_setting(author, settings):
    post = draft(author, summary="", body="![](gone.png)", banner=banner())
    settings.NEWSDESK_PREPUBLISH_ERRORS = ["summary"]
    with pytest.raises(workflow.ChecksFailed, match="It has no summary"):
        workflow.submit(post, by=author)
    settings.NEWSDESK_PREPUBLISH_ERRORS = []
    workflow.submit(post, by=author)


def test_publish_checks_too_and_the_operator_and_imports_are_not_checked(publisher):
    post = make_post(body="![](gone.png)", status=S.APPROVED, **COMPLETE)
    with pytest.raises(workflow.ChecksFailed):
        workflow.publish(post, by=publisher)
    workflow.publish(post, by=publisher, check=False)
    other = make_post(title="Other", body="![](gone.png)", status=S.DRAFT)
    workflow.publish(other, by=None)
    assert Post.objects.published().count() == 2


def test_a_pending_change_is_checked_not_the_live_version(author, publisher):
    post = add_authors(make_post(banner=banner(), **COMPLETE), author)
    post.body = "[x](/news/nothing/)"
    revisions.save_edit(post, by=author, save=post.save)
    assert {c for c, _, _ in found(Post.objects.get(pk=post.pk))} == {"internal_links"}
    with pytest.raises(workflow.ChecksFailed):
        workflow.submit(Post.objects.get(pk=post.pk), by=author)


def test_the_admin_shows_the_findings_and_refuses_with_them(client, author):
    post = draft(author, summary="", body="![](gone.png)")
    client.force_login(author)
    url = reverse("admin:news_post_transition", args=[post.pk, "submit"])
    content = client.get(url).content.decode()
    assert "<strong>Must fix:</strong> The image gone.png is not stored" in content
    assert "<strong>Worth fixing:</strong> It has no summary" in content
    change = client.get(reverse("admin:news_post_change", args=[post.pk]))
    assert "Must fix:" in change.content.decode()
    response = client.post(url, {"comment": ""})
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message.startswith("Cannot submit for review")
    assert "The image gone.png is not stored" in message
    post.refresh_from_db()
    assert post.status == S.DRAFT


def test_every_check_has_a_name_the_setting_can_use():
    assert set(checks.CHECKS) == {
        "alt_text",
        "summary",
        "banner",
        "title_length",
        "internal_links",
        "missing_images",
    }
