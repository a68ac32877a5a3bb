"""Moving a post to another day of the calendar: workflow.reschedule, the
calendar's Move forms, and who may."""

import datetime
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from news.editorial import workflow
from news.models import AuditEntry, Post

from .factories import add_authors, make_post, make_user

pytestmark = pytest.mark.django_db

S = Post.Status


@pytest.fixture
def publisher():
    return make_user("pat", "Editors", "Publishers")


def in_days(n, hour=9):
    day = timezone.localdate() + timedelta(days=n)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def move(client, post, day):
    url = reverse("admin:news_post_reschedule", args=[post.pk])
    return client.post(url, {"day": day.isoformat()})


def test_a_scheduled_post_moves_to_the_day_at_the_same_time(publisher):
    post = make_post(title="Later", published_at=in_days(3, hour=7))
    new_day = timezone.localdate() + timedelta(days=5)
    workflow.reschedule(post, by=publisher, day=new_day)
    post.refresh_from_db()
    assert post.published_at == in_days(5, hour=7)
    assert post.status == S.PUBLISHED and not post.is_published
    entry = AuditEntry.objects.get(transition="reschedule")
    assert entry.user == publisher
    assert entry.comment.startswith("moved from ")


def test_a_draft_is_planned_for_the_day(publisher):
    post = make_post(title="Plan", status=S.DRAFT)
    day = timezone.localdate() + timedelta(days=2)
    workflow.reschedule(post, by=publisher, day=day)
    post.refresh_from_db()
    assert post.planned_for == day and post.status == S.DRAFT


def test_who_may_not_schedule_may_not_move(client):
    author = make_user("ann", "Authors")
    editor = make_user("edna", "Editors")
    post = add_authors(make_post(title="Mine", published_at=in_days(3)), author)
    for user in [author, editor]:
        with pytest.raises(workflow.TransitionNotAllowed, match="may not schedule"):
            workflow.reschedule(post, by=user, day=timezone.localdate())
    client.force_login(editor)
    response = move(client, post, timezone.localdate() + timedelta(days=6))
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "You may not schedule posts."
    ]
    post.refresh_from_db()
    assert post.published_at == in_days(3)


def test_a_live_post_or_a_day_already_past_is_refused(publisher):
    live = make_post(title="Live")
    with pytest.raises(workflow.TransitionNotAllowed, match="it is published"):
        workflow.reschedule(live, by=publisher, day=timezone.localdate())
    later = make_post(title="Later", published_at=in_days(3))
    yesterday = timezone.localdate() - timedelta(days=1)
    with pytest.raises(workflow.TransitionNotAllowed, match="published at once"):
        workflow.reschedule(later, by=publisher, day=yesterday)


def test_the_calendar_moves_a_post_and_returns_to_its_month(client, publisher):
    post = make_post(title="Later", published_at=in_days(3, hour=7))
    client.force_login(publisher)
    day = timezone.localdate() + timedelta(days=40)
    response = move(client, post, day)
    assert response["Location"].endswith(f"?month={day:%Y-%m}")
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message == f"Moved “Later” to {day:%A %d %B %Y}."
    response = move(client, post, datetime.date(1, 1, 1))
    assert "published at once" in str(list(get_messages(response.wsgi_request))[-1])
    response = client.post(
        reverse("admin:news_post_reschedule", args=[post.pk]), {"day": "soon"}
    )
    assert "Choose a day" in str(list(get_messages(response.wsgi_request))[-1])


def test_only_who_may_schedule_gets_the_move_forms(client, publisher):
    make_post(title="Later", published_at=in_days(1))
    make_post(title="Live")
    client.force_login(publisher)
    content = client.get(reverse("admin:news_post_calendar")).content.decode()
    assert content.count('draggable="true"') == 1
    assert content.count("<summary>Move") == 1
    assert "news/admin-calendar.js" in content
    client.force_login(make_user("edna", "Editors"))
    content = client.get(reverse("admin:news_post_calendar")).content.decode()
    assert "Later" in content
    assert 'draggable="true"' not in content and "<summary>Move" not in content
