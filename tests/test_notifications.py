from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from django_tasks import default_task_backend

from news.editorial import workflow
from news.models import Post
from tests.conftest import QUEUED_ONLY

from .factories import add_authors, make_post, make_user

pytestmark = pytest.mark.django_db

S = Post.Status


@pytest.fixture
def team():
    return {
        "author": make_user("ann", "Authors"),
        "editor": make_user("edna", "Editors"),
        "other_editor": make_user("eve", "Editors"),
        "publisher": make_user("pat", "Publishers"),
    }


def test_submitting_emails_the_editors(team, django_capture_on_commit_callbacks):
    post = add_authors(make_post(title="Story", status=S.DRAFT), team["author"])
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(post, by=team["author"])
    assert sorted(m.to[0] for m in mail.outbox) == [
        "edna@example.com",
        "eve@example.com",
    ]
    assert mail.outbox[0].subject == "Ready for review: Story"
    assert "ann moved it from draft to in review." in mail.outbox[0].body


def test_authors_hear_of_approval_changes_and_publication(
    team, django_capture_on_commit_callbacks
):
    post = add_authors(make_post(title="Story", status=S.IN_REVIEW), team["author"])
    with django_capture_on_commit_callbacks(execute=True):
        workflow.request_changes(post, by=team["editor"], comment="Add a quote.")
    assert [m.to for m in mail.outbox] == [["ann@example.com"]]
    assert mail.outbox[0].subject == "Changes requested: Story"
    assert "Add a quote." in mail.outbox[0].body
    workflow.submit(post, by=team["author"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.approve(post, by=team["editor"])
        workflow.publish(post, by=team["publisher"])
    assert [m.subject for m in mail.outbox] == ["Approved: Story", "Published: Story"]
    assert all(m.to == ["ann@example.com"] for m in mail.outbox)


def test_nothing_is_sent_before_the_transaction_commits(
    team, django_capture_on_commit_callbacks
):
    post = add_authors(make_post(title="Story", status=S.DRAFT), team["author"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        workflow.submit(post, by=team["author"])
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "edna@example.com",
        "eve@example.com",
    ]


def test_a_rolled_back_transition_sends_nothing(
    team, django_capture_on_commit_callbacks
):
    post = add_authors(make_post(title="Story", status=S.DRAFT), team["author"])
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        workflow.submit(post, by=team["author"])
        raise RuntimeError("something later failed")
    assert mail.outbox == []
    assert Post.objects.get(pk=post.pk).status == S.DRAFT


def test_the_actor_is_not_told_about_their_own_transition(
    team, django_capture_on_commit_callbacks
):
    post = add_authors(make_post(title="Story", status=S.DRAFT), team["editor"])
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(post, by=team["editor"])
    assert [m.to for m in mail.outbox] == [["eve@example.com"]]


def test_scheduling_says_when(team, django_capture_on_commit_callbacks):
    post = add_authors(make_post(title="Story", status=S.APPROVED), team["author"])
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(
            post, by=team["publisher"], at=timezone.now() + timedelta(days=1)
        )
    assert mail.outbox[0].subject.startswith("Scheduled for ")


def test_the_email_is_queued_and_sent_when_the_task_runs(
    team, settings, django_capture_on_commit_callbacks
):
    # A backend that only keeps what is queued, as a worker's queue would.
    settings.TASKS = QUEUED_ONLY
    post = add_authors(make_post(title="Story", status=S.DRAFT), team["author"])
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(post, by=team["author"])
    assert mail.outbox == []
    [queued] = default_task_backend.results
    assert queued.task.name == "send_task"
    # What a worker does with it.
    queued.task.call(*queued.args, **queued.kwargs)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "edna@example.com",
        "eve@example.com",
    ]
    assert mail.outbox[0].subject == "Ready for review: Story"
