import json
import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from news.documents import markdown
from news.editorial import previews, revisions, workflow
from news.models import AuditEntry, Author, Post, ReviewComment, Revision

from .factories import add_authors, image_bytes, make_image, make_post, make_user

pytestmark = pytest.mark.django_db

S = Post.Status


def change_url(post):
    return reverse("admin:news_post_change", args=[post.pk])


def transition_url(post, name):
    return reverse("admin:news_post_transition", args=[post.pk, name])


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def form_data(post, **changes):
    """Return the change form's POST data for ``post`` as the admin shows it."""
    data = {
        "title": post.title,
        "slug": post.slug,
        "summary": post.summary,
        "body": post.body,
        "version": revisions.version(post) if post.pk else "",
        "published_at_0": "",
        "published_at_1": "",
        "planned_for": "",
        "lastmod_0": "",
        "lastmod_1": "",
        "category": "",
        "tags": "",
        "banner": "",
        "extra": "{}",
    }
    if post.published_at:
        local = timezone.localtime(post.published_at)
        data["published_at_0"] = local.strftime("%Y-%m-%d")
        data["published_at_1"] = local.strftime("%H:%M:%S")
    for prefix in ["bylines", "image_links", "review_comments"]:
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    data.update(changes)
    return data


@pytest.fixture
def author():
    return make_user("ann", "Authors")


@pytest.fixture
def editor():
    return make_user("edna", "Editors")


@pytest.fixture
def publisher():
    return make_user("pat", "Publishers")


def test_an_authors_list_shows_only_their_posts(client, author):
    add_authors(make_post(title="Mine", status=S.DRAFT), author)
    make_post(title="Someone else's", status=S.DRAFT)
    client.force_login(author)
    response = client.get(reverse("admin:news_post_changelist"))
    assert response.status_code == 200
    assert "Mine" in response.content.decode()
    assert "Someone else&#x27;s" not in response.content.decode()


def test_the_list_shows_status_authors_tags_and_dates(client, editor, author):
    post = add_authors(make_post(title="Tagged", status=S.DRAFT), author)
    post.tags.add("economy")
    make_post(
        title="Later", slug="later", published_at=timezone.now() + timedelta(days=1)
    )
    client.force_login(editor)
    content = client.get(reverse("admin:news_post_changelist")).content.decode()
    for text in ["Ann", "economy", "Draft", "Scheduled for", "updated"]:
        assert text in content
    response = client.get(reverse("admin:news_post_changelist"), {"q": "Tagged"})
    assert "Tagged" in response.content.decode()
    assert "Later" not in response.content.decode()


def test_an_author_may_not_open_someone_elses_post(client, author):
    post = make_post(title="Not yours", status=S.DRAFT)
    client.force_login(author)
    response = client.get(change_url(post))
    assert response.status_code == 302  # the admin's "does not exist" redirect
    response = client.post(change_url(post), form_data(post, title="Mine now"))
    post.refresh_from_db()
    assert post.title == "Not yours"


def test_an_author_may_not_change_their_post_in_review(client, author):
    post = add_authors(make_post(title="Waiting", status=S.IN_REVIEW), author)
    client.force_login(author)
    response = client.get(change_url(post))
    assert response.status_code == 200
    assert 'name="title"' not in response.content.decode()  # read-only view
    response = client.post(change_url(post), form_data(post, title="Sneaky"))
    assert response.status_code == 403
    post.refresh_from_db()
    assert post.title == "Waiting"


def test_an_author_creates_a_post_that_is_theirs(client, author):
    client.force_login(author)
    post = Post(title="Новости дня", body="Text.")
    response = client.post(
        reverse("admin:news_post_add"), form_data(post, slug="", version="")
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    post = Post.objects.get()
    assert post.slug == "новости-дня"  # filled from the title, Unicode kept
    assert post.status == S.DRAFT
    assert post.is_authored_by(author)
    assert post.revisions.get().created_by == author


def test_buttons_are_exactly_the_allowed_transitions(client, author, editor):
    post = add_authors(make_post(title="Story", status=S.IN_REVIEW), author)
    client.force_login(editor)
    content = client.get(change_url(post)).content.decode()
    assert transition_url(post, "approve") in content
    assert transition_url(post, "request_changes") in content
    assert transition_url(post, "publish") not in content
    assert transition_url(post, "submit") not in content
    client.force_login(author)
    content = client.get(change_url(post)).content.decode()
    assert "/transition/" not in content


def test_a_transition_button_runs_the_workflow(client, author, editor):
    post = add_authors(make_post(title="Story", status=S.IN_REVIEW), author)
    client.force_login(editor)
    response = client.get(transition_url(post, "request_changes"))
    assert "Required: say what should change." in response.content.decode()
    response = client.post(transition_url(post, "request_changes"), {"comment": ""})
    assert "This field is required." in response.content.decode()
    response = client.post(
        transition_url(post, "request_changes"), {"comment": "Cite the report."}
    )
    assert response.status_code == 302
    assert messages_of(response) == ["Request changes: done. “Story” is now draft."]
    content = client.get(change_url(post)).content.decode()
    assert "Cite the report." in content  # the workflow history on the post


def test_a_refused_transition_shows_why(client, author):
    post = add_authors(make_post(title="Story", status=S.IN_REVIEW), author)
    client.force_login(author)
    assert client.get(transition_url(post, "approve")).status_code == 403
    response = client.post(transition_url(post, "approve"))
    assert messages_of(response) == ["You may not approve posts."]
    post.refresh_from_db()
    assert post.status == S.IN_REVIEW


def test_four_eyes_in_the_admin(client, editor):
    post = add_authors(make_post(title="My own", status=S.IN_REVIEW), editor)
    client.force_login(editor)
    assert (
        transition_url(post, "approve")
        not in client.get(change_url(post)).content.decode()
    )
    response = client.post(transition_url(post, "approve"))
    assert "you wrote it, so another editor must" in messages_of(response)[0]


def test_a_publisher_schedules_a_post(client, publisher):
    post = make_post(title="Soon", slug="soon", status=S.APPROVED)
    client.force_login(publisher)
    at = timezone.localtime() + timedelta(days=2)
    response = client.post(
        transition_url(post, "publish"), {"at": at.strftime("%Y-%m-%dT%H:%M")}
    )
    assert messages_of(response)[0].startswith(
        "Publish or schedule: done. “Soon” is now scheduled for"
    )
    assert client.get("/news/soon/").status_code == 404


def test_bulk_actions_report_what_was_done_and_refused(client, editor, publisher):
    ready = make_post(title="Ready", slug="ready", status=S.APPROVED)
    draft = make_post(title="Draft", slug="draft", status=S.DRAFT)
    client.force_login(publisher)
    response = client.post(
        reverse("admin:news_post_changelist"),
        {"action": "publish_posts", "_selected_action": [ready.pk, draft.pk]},
        follow=True,
    )
    assert messages_of(response) == [
        "Published 1: “Ready”.",
        "Refused: Cannot publish or schedule “Draft”: it is draft.",
    ]
    assert Post.objects.get(pk=ready.pk).status == S.PUBLISHED
    assert Post.objects.get(pk=draft.pk).status == S.DRAFT


def test_bulk_actions_offer_only_what_the_user_may_do(client, author):
    client.force_login(author)
    add_authors(make_post(title="Mine", status=S.DRAFT), author)
    content = client.get(reverse("admin:news_post_changelist")).content.decode()
    assert "submit_posts" in content
    assert "approve_posts" not in content and "publish_posts" not in content


def test_a_stale_form_is_refused_with_what_changed(client, editor):
    other = make_user("eve", "Editors")
    post = make_post(title="Shared", body="One.\nTwo.", status=S.DRAFT)
    revisions.record(post, by=editor)
    client.force_login(editor)
    stale = form_data(post, body="One.\nMy edit.")
    # Meanwhile another editor saves the post.
    revisions.save_edit(
        post,
        by=other,
        save=lambda: Post.objects.filter(pk=post.pk).update(body="One.\nTheirs."),
    )
    Post.objects.filter(pk=post.pk).update(updated_at=timezone.now())
    response = client.post(change_url(post), stale)
    assert response.status_code == 200
    content = response.content.decode()
    assert "This post was changed by eve while you were editing it." in content
    assert '<span class="diff-add">+Theirs.</span>' in content
    assert "My edit." in content  # the form keeps the user's text
    post.refresh_from_db()
    assert post.body == "One.\nTheirs."
    # Having seen the diff, saving again overwrites deliberately.
    again = dict(stale, version=revisions.version(post))
    assert client.post(change_url(post), again).status_code == 302
    post.refresh_from_db()
    assert post.body == "One.\nMy edit."


def test_an_edit_of_a_live_post_is_shown_as_pending(client, author, publisher):
    post = add_authors(make_post(title="Live", slug="live", body="Old."), author)
    client.force_login(author)
    response = client.post(change_url(post), form_data(post, body="New."))
    assert response.status_code == 302
    assert "your edit is a pending change" in messages_of(response)[0]
    assert Post.objects.get(pk=post.pk).body == "Old."
    # The author sees their pending change in the form; the live post is unchanged.
    content = client.get(change_url(post)).content.decode()
    assert "New.</textarea>" in content
    client.force_login(publisher)
    content = client.get(change_url(post)).content.decode()
    assert "This live post has pending changes" in content
    assert "Old.</textarea>" in content
    changelist = client.get(reverse("admin:news_post_changelist")).content.decode()
    assert "Published, with pending changes" in changelist


def test_review_comments_on_a_line(client, editor):
    post = make_post(title="Story", status=S.IN_REVIEW)
    client.force_login(editor)
    data = form_data(
        post,
        **{
            "review_comments-TOTAL_FORMS": "1",
            "review_comments-0-line": "2",
            "review_comments-0-text": "Source?",
        },
    )
    assert client.post(change_url(post), data).status_code == 302
    comment = ReviewComment.objects.get()
    assert (comment.line, comment.created_by, comment.resolved) == (2, editor, False)
    assert "Source?" in client.get(change_url(post)).content.decode()


def test_audit_list_is_read_only_and_filterable(client, editor, publisher):
    one = make_post(title="One", status=S.IN_REVIEW)
    two = make_post(title="Two", slug="two", status=S.APPROVED)
    workflow.approve(one, by=editor)
    workflow.publish(two, by=publisher)
    client.force_login(editor)
    url = reverse("admin:news_auditentry_changelist")
    response = client.get(url, {"user__id__exact": publisher.pk})
    assert [e.post.title for e in response.context["cl"].result_list] == ["Two"]
    response = client.get(url, {"post__id__exact": one.pk})
    assert [e.post.title for e in response.context["cl"].result_list] == ["One"]
    entry = AuditEntry.objects.first()
    response = client.post(
        reverse("admin:news_auditentry_change", args=[entry.pk]), {"comment": "x"}
    )
    assert response.status_code == 403


def test_live_preview_renders_with_the_public_renderer(client, author):
    client.force_login(author)
    url = reverse("admin:news_post_render_markdown")
    assert client.get(url).status_code == 405
    response = client.post(url, {"body": "**bold** <script>x</script>"})
    html = response.json()["html"]
    assert "<strong>bold</strong>" in html and "<script>" not in html


def test_a_body_too_complex_to_render_is_a_form_error(client, author, monkeypatch):
    monkeypatch.setattr(markdown, "RENDER_SECONDS", 0.2)
    post = add_authors(make_post(title="Mine", status=S.DRAFT), author)
    client.force_login(author)
    response = client.post(change_url(post), form_data(post, body="[" * 20000))
    assert response.status_code == 200
    assert "This body cannot be published: the body is too complex to render" in (
        response.content.decode()
    )
    post.refresh_from_db()
    assert post.body != "[" * 20000
    preview = client.post(
        reverse("admin:news_post_render_markdown"), {"body": "[" * 20000}
    )
    assert preview.status_code == 400
    assert preview.json()["error"].startswith("Cannot preview: the body is too")


def test_live_preview_refuses_people_who_may_not_edit(client):
    reader = make_user("reader")
    client.force_login(reader)
    response = client.post(reverse("admin:news_post_render_markdown"), {"body": "x"})
    assert response.status_code == 403


def test_upload_needs_alt_text_and_inserts_the_reference(client, author):
    client.force_login(author)
    url = reverse("admin:news_post_upload_image")
    png = image_bytes()
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(url, {"image": SimpleUploadedFile("a.png", png), "alt": ""})
    assert response.status_code == 400
    assert response.json() == {"error": "Describe the image: alt text is required."}
    response = client.post(
        url, {"image": SimpleUploadedFile("a.txt", b"not an image"), "alt": "x"}
    )
    assert response.json()["error"] == "a.txt: not a recognised image file"
    response = client.post(
        url, {"image": SimpleUploadedFile("a.png", png), "alt": "A red box"}
    )
    markdown = response.json()["markdown"]
    assert markdown.startswith("![A red box](uploads/") and markdown.endswith(".png)")
    # Saving a post that uses it links the image, so it renders.
    post = add_authors(make_post(title="Pic", status=S.DRAFT), author)
    client.post(change_url(post), form_data(post, body=markdown))
    post.refresh_from_db()
    assert post.image_links.get().image.alt == "A red box"
    assert 'src="/media/renditions/' in post.body_html


def test_the_revisions_page_diffs_and_restores(client, editor):
    post = make_post(title="Story", body="First.\n", status=S.DRAFT)
    first = revisions.record(post, by=editor)
    Post.objects.filter(pk=post.pk).update(body="Second.\n")
    second = revisions.record(post, by=editor)
    client.force_login(editor)
    url = reverse("admin:news_post_revisions", args=[post.pk])
    content = client.get(url, {"a": first.pk, "b": second.pk}).content.decode()
    assert '<span class="diff-remove">-First.</span>' in content
    assert '<span class="diff-add">+Second.</span>' in content
    assert "title: Story" in content or "Story" in content
    response = client.post(reverse("admin:news_post_restore", args=[post.pk, first.pk]))
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.body == "First.\n"
    assert Revision.objects.filter(post=post).count() == 3


def test_calendar_shows_scheduled_and_planned_posts(client, editor):
    today = timezone.localdate()
    make_post(title="Scheduled one", published_at=timezone.now() + timedelta(hours=1))
    make_post(title="Planned one", slug="p", status=S.DRAFT, planned_for=today)
    client.force_login(editor)
    content = client.get(reverse("admin:news_post_calendar")).content.decode()
    assert "Scheduled one" in content and "Planned one" in content


def test_calendar_shows_an_expiry_on_the_day_the_post_leaves(client, editor):
    leaving = timezone.now() + timedelta(hours=2)
    make_post(
        title="Embargoed notice",
        published_at=timezone.now() - timedelta(days=40),
        expires_at=leaving,
    )
    client.force_login(editor)
    month = f"{timezone.localdate(leaving):%Y-%m}"
    url = reverse("admin:news_post_calendar")
    content = client.get(url, {"month": month}).content.decode()
    cell = re.search(
        rf'data-day="{timezone.localdate(leaving):%Y-%m-%d}">(.*?)</td>', content, re.S
    )[1]
    assert "Embargoed notice" in cell
    assert f"leaves the site {timezone.localtime(leaving):%H:%M}" in cell


def test_the_post_list_shows_banner_thumbnails_in_constant_queries(client, editor):
    client.force_login(editor)
    url = reverse("admin:news_post_changelist")
    counts = []
    for n in range(1, 6, 4):
        while Post.objects.count() < n:
            make_post(title=f"Story {Post.objects.count()}", banner=make_image())
        with CaptureQueriesContext(connection) as queries:
            content = client.get(url).content.decode()
        counts.append(len(queries))
        assert content.count('class="list-thumb"') == n
    assert counts[0] == counts[1]
    # The title opens the post, not the picture.
    post = Post.objects.first()
    assert re.search(
        rf'<a href="/admin/news/post/{post.pk}/change/[^"]*"[^>]*><span[^>]*>{post.title}',
        content,
    )


def test_the_json_of_the_upload_endpoint_is_json(client, author):
    client.force_login(author)
    response = client.post(reverse("admin:news_post_upload_image"), {})
    assert json.loads(response.content) == {"error": "Choose an image to upload."}


def test_live_posts_with_pending_changes_can_be_filtered(client, editor):
    pending = make_post(title="Pending", slug="pending")
    make_post(title="Quiet", slug="quiet")
    revisions.save_edit(pending, by=editor, save=lambda: None)
    client.force_login(editor)
    response = client.get(reverse("admin:news_post_changelist"), {"pending": "yes"})
    assert [p.title for p in response.context["cl"].result_list] == ["Pending"]


def test_authors_see_audit_entries_and_preview_links_of_their_posts_only(
    client, author
):
    mine = add_authors(make_post(title="Mine", slug="mine", status=S.DRAFT), author)
    theirs = make_post(title="Theirs", slug="theirs", status=S.DRAFT)
    for post in (mine, theirs):
        workflow.submit(post, by=None)
        previews.create(post, by=None)
    client.force_login(author)
    for name in ["auditentry", "previewlink"]:
        response = client.get(reverse(f"admin:news_{name}_changelist"))
        assert [e.post.title for e in response.context["cl"].result_list] == ["Mine"]


def test_an_image_link_added_in_the_admin_renders_in_the_body(client):
    from news.media import images

    image, _ = images.store(image_bytes(size=(30, 20)), alt="Harbour")
    post = make_post(title="Pictures", status=S.DRAFT, body="![](pics/1.png)\n")
    assert 'src="pics/1.png"' in post.body_html
    client.force_login(make_user("sam", superuser=True))
    data = form_data(
        post,
        **{
            "image_links-TOTAL_FORMS": "1",
            "image_links-0-reference": "pics/1.png",
            "image_links-0-image": str(image.pk),
            "image_links-0-path": "",
        },
    )
    response = client.post(change_url(post), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    post.refresh_from_db()
    assert list(post.image_links.values_list("reference", flat=True)) == ["pics/1.png"]
    assert f'src="/media/renditions/{image.sha256[:2]}/{image.sha256}-30.png"' in (
        post.body_html
    )
    assert 'width="30"' in post.body_html


def test_an_editor_may_not_approve_a_post_she_created_in_the_admin(client, editor):
    client.force_login(editor)
    response = client.post(
        reverse("admin:news_post_add"),
        form_data(Post(title="Her own", body="Text."), slug="", version=""),
    )
    assert response.status_code == 302
    post = Post.objects.get()
    client.post(transition_url(post, "submit"))
    assert (
        transition_url(post, "approve")
        not in client.get(change_url(post)).content.decode()
    )
    response = client.post(transition_url(post, "approve"))
    assert "you wrote it, so another editor must" in messages_of(response)[0]
    response = client.post(
        reverse("admin:news_post_changelist"),
        {"action": "approve_posts", "_selected_action": [post.pk]},
        follow=True,
    )
    assert messages_of(response)[-1].startswith(
        "Refused: You may not approve “Her own”: you wrote it"
    )
    post.refresh_from_db()
    assert post.status == S.IN_REVIEW


def test_an_authors_url_without_a_scheme_is_saved_as_https(admin_client):
    assert 'name="url"' in admin_client.get("/admin/news/author/add/").content.decode()
    response = admin_client.post(
        "/admin/news/author/add/",
        {"name": "Vera", "slug": "vera", "bio": "", "url": "example.org/vera"},
    )
    assert response.status_code == 302
    assert Author.objects.get().url == "https://example.org/vera"
