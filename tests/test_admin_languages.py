"""The admin with several languages: the calendar and the desk filtered by
language, and the admin in the user's own language."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from news.models import Post

from .factories import make_post, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_languages(settings):
    settings.LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
    settings.LANGUAGE_CODE = "en"
    return settings


@pytest.fixture
def publisher():
    return make_user("publisher", "Publishers")


@pytest.fixture
def scheduled_pair():
    soon = timezone.now() + timedelta(hours=2)
    make_post(title="Coming in English", slug="coming", published_at=soon)
    make_post(title="即将发布", slug="coming", language="zh-hans", published_at=soon)


def test_the_calendar_shows_one_language_when_asked(
    client, two_languages, publisher, scheduled_pair
):
    client.force_login(publisher)
    url = reverse("admin:news_post_calendar")
    both = client.get(url).content.decode()
    assert "Coming in English" in both and "即将发布" in both
    chinese = client.get(url, {"language": "zh-hans"}).content.decode()
    assert "即将发布" in chinese and "Coming in English" not in chinese
    english = client.get(url, {"language": "en"}).content.decode()
    assert "Coming in English" in english and "即将发布" not in english
    # Moving between months keeps the language.
    assert "&amp;language=zh-hans" in chinese
    # The filter's links, the chosen one marked.
    assert 'href="?month=' in chinese and 'aria-current="true" lang="zh-hans"' in (
        chinese
    )


def test_the_desk_shows_one_language_when_asked(
    client, two_languages, publisher, scheduled_pair
):
    client.force_login(publisher)
    both = client.get("/admin/").content.decode()
    assert "Coming in English" in both and "即将发布" in both
    chinese = client.get("/admin/", {"language": "zh"}).content.decode()
    assert "即将发布" in chinese and "Coming in English" not in chinese
    assert '<nav class="language-filter"' in chinese


def test_a_single_language_admin_has_no_language_filter(client, publisher):
    make_post(title="Only", status=Post.Status.DRAFT)
    client.force_login(publisher)
    assert "language-filter" not in client.get("/admin/").content.decode()
    calendar = client.get(reverse("admin:news_post_calendar")).content.decode()
    assert "language-filter" not in calendar


def test_the_admin_speaks_the_users_language(client, two_languages, publisher):
    client.force_login(publisher)
    chinese = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert '<html lang="zh-hans"' in chinese.content.decode()
    assert "注销" in chinese.content.decode()
    # A language cookie wins over the browser, as in Django's admin.
    client.cookies["django_language"] = "en"
    english = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert "Log out" in english.content.decode()
