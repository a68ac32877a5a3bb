"""The admin's home is each person's desk."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from news.editorial import autosave, desk, workflow
from news.models import Post

from .factories import make_post, make_user

pytestmark = pytest.mark.django_db

Status = Post.Status


def by(user, **kwargs):
    post = make_post(**kwargs)
    post.bylines.create(author=user.author)
    return post


@pytest.fixture
def newsroom():
    author = make_user("ada", "Authors")
    editor = make_user("ed", "Editors")
    publisher = make_user("pia", "Publishers")
    now = timezone.now()
    posts = {
        "draft": by(author, title="Ada's draft", status=Status.DRAFT),
        "returned": by(author, title="Ada's returned", status=Status.DRAFT),
        "review": by(author, title="Ada's in review", status=Status.DRAFT),
        "approved": by(author, title="Ada's approved", status=Status.DRAFT),
        "soon": by(
            author, title="Ada's scheduled", published_at=now + timedelta(days=3)
        ),
        "later": make_post(title="Far future", published_at=now + timedelta(days=40)),
        "live": by(author, title="Ada's live"),
        "other": make_post(title="Someone else's live"),
    }
    for name in ["returned", "review", "approved"]:
        workflow.submit(posts[name], by=author)
    workflow.request_changes(posts["returned"], by=editor, comment="Cite the source.")
    workflow.approve(posts["approved"], by=editor)
    return author, editor, publisher, posts


def sections(content):
    """Return {section id: its HTML} of the desk."""
    found = {}
    for part in content.split('<section class="module desk-list" id="')[1:]:
        name, _, rest = part.partition('"')
        found[name] = rest.split("</section>")[0]
    return found


def test_an_author_sees_drafts_requests_with_the_comment_and_own_posts(
    client, newsroom
):
    author, _, _, posts = newsroom
    client.force_login(author)
    response = client.get("/admin/")
    assert response.status_code == 200
    desk_ = sections(response.content.decode())
    assert "Ada&#x27;s draft" in desk_["desk-drafts"]
    assert "Ada&#x27;s returned" not in desk_["desk-drafts"]
    assert "Ada&#x27;s returned" in desk_["desk-requested"]
    assert "Cite the source." in desk_["desk-requested"]
    assert "ed" in desk_["desk-requested"]
    assert "desk-awaiting" not in desk_  # authors approve and publish nothing
    assert "Ada&#x27;s scheduled" in desk_["desk-scheduled"]
    assert "Far future" not in desk_["desk-scheduled"]
    assert "Ada&#x27;s live" in desk_["desk-published"]
    assert "Someone else" not in desk_["desk-published"]
    change = f'href="/admin/news/post/{posts["returned"].pk}/change/"'
    assert change in desk_["desk-requested"]


def test_an_editor_sees_what_awaits_review(client, newsroom):
    _, editor, _, _ = newsroom
    client.force_login(editor)
    desk_ = sections(client.get("/admin/").content.decode())
    assert "Awaiting your review</h2>" in desk_["desk-awaiting"]
    assert "Ada&#x27;s in review" in desk_["desk-awaiting"]
    assert "Ada&#x27;s approved" not in desk_["desk-awaiting"]
    assert "Someone else" in desk_["desk-published"]


def test_a_publisher_sees_what_awaits_publication(client, newsroom):
    _, _, publisher, _ = newsroom
    client.force_login(publisher)
    desk_ = sections(client.get("/admin/").content.decode())
    assert "Awaiting publication</h2>" in desk_["desk-awaiting"]
    assert "Ada&#x27;s approved" in desk_["desk-awaiting"]
    assert "Ada&#x27;s in review" not in desk_["desk-awaiting"]


def test_nobody_is_asked_to_review_their_own_post(newsroom):
    author, editor, _, posts = newsroom
    own = by(editor, title="Ed's own", status=Status.DRAFT)
    workflow.submit(own, by=editor)
    titles = [p.title for p in desk.desk(editor).awaiting]
    assert "Ed's own" not in titles
    assert "Ada's in review" in titles


def test_the_desk_costs_the_same_queries_however_many_posts(
    newsroom, django_assert_num_queries
):
    author, editor, publisher, _ = newsroom
    for user in [author, editor, publisher]:
        user.get_all_permissions()  # the permission cache, read once per request
    with django_assert_num_queries(4):
        desk.desk(author)
    with django_assert_num_queries(5):
        desk.desk(editor)
    for n in range(15):
        for status in [Status.DRAFT, Status.IN_REVIEW, Status.APPROVED]:
            by(author, title=f"More {status} {n}", status=status)
    with django_assert_num_queries(5):
        built = desk.desk(editor)
    assert len(built.awaiting) == desk.LIMIT


def test_the_desk_page_costs_the_same_queries_however_many_posts(client, newsroom):
    author, editor, _, _ = newsroom
    client.force_login(editor)
    with CaptureQueriesContext(connection) as few:
        client.get("/admin/")
    for n in range(15):
        for status in [Status.DRAFT, Status.IN_REVIEW, Status.APPROVED]:
            by(author, title=f"More {status} {n}", status=status)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/admin/")
    assert response.status_code == 200
    assert len(many) == len(few)


def test_the_desk_shows_the_posts_someone_else_is_editing_now(client, newsroom):
    author, editor, _, posts = newsroom
    autosave.beat(editor, posts["draft"])
    autosave.beat(editor, posts["other"])
    autosave.beat(author, posts["live"])
    client.force_login(author)
    shown = sections(client.get("/admin/").content.decode())["desk-open"]
    # Ada sees who is in her draft; not her own session, nor a post she may
    # not see.
    assert "Ada&#x27;s draft" in shown and '<span class="desk-meta">ed</span>' in shown
    assert "Ada&#x27;s live" not in shown and "Someone else" not in shown
    client.force_login(editor)
    shown = sections(client.get("/admin/").content.decode())["desk-open"]
    assert "Ada&#x27;s live" in shown and '<span class="desk-meta">ada</span>' in shown
