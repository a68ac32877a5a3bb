"""Hugo's expiryDate: a published post leaves the public site by itself when it
expires, everywhere published() is read, and stays published for its editors."""

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from news.documents.exporter import DirectoryWriter, export, posts_for_export
from news.documents.importer import Importer
from news.models import Post, queries
from news.models.sections import Section

from .factories import make_post, make_user, read_tree, write_tree

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


def expired_and_current():
    now = timezone.now()
    expired = make_post(title="Expired offer", expires_at=now - HOUR)
    current = make_post(title="Current offer", expires_at=now + HOUR)
    return expired, current


def test_an_expired_post_is_not_shown_anywhere_public(client):
    expired, current = expired_and_current()
    assert list(Post.objects.published()) == [current]
    for url in ("/", "/feed/", "/sitemap-posts.xml", "/search/?q=offer"):
        content = client.get(url).content.decode()
        assert "Current offer" in content or current.slug in content, url
        assert "Expired offer" not in content and expired.slug not in content, url
    assert client.get(expired.get_absolute_url()).status_code == 404
    assert client.get(current.get_absolute_url()).status_code == 200


def test_an_expired_post_stays_published_for_its_editors():
    expired, _ = expired_and_current()
    assert expired.status == Post.Status.PUBLISHED
    assert not expired.is_published
    when = timezone.localtime(expired.expires_at)
    assert expired.state_label() == f"Expired on {when:%Y-%m-%d %H:%M}"


def test_the_hand_written_reads_leave_out_expired_posts():
    expired, current = expired_and_current()
    assert queries.published_id(expired.slug) is None
    assert queries.published_id(current.slug) == current.pk
    assert queries.listed_ids(0, 10) == [current.pk]
    current.tags.add("offers")
    expired.tags.add("offers")
    section = Section.of(Tag.objects.get(name="offers"))
    assert queries.listed_ids(0, 10, section) == [current.pk]


def test_the_next_expiry_is_when_the_site_next_changes():
    now = timezone.now()
    make_post(title="Scheduled", published_at=now + 3 * HOUR)
    leaving = make_post(title="Leaving", expires_at=now + 2 * HOUR)
    assert queries.freshness()[1] == leaving.expires_at
    # Once it has passed, the expiry is a change of the site.
    with mock.patch("django.utils.timezone.now", return_value=now + 2.5 * HOUR):
        changed, due = queries.freshness()
    assert changed >= leaving.expires_at
    assert due == now + 3 * HOUR


def test_hugo_expiry_date_is_imported_and_exported_as_written(tmp_path, client):
    files = {
        "content/sale.md": "---\ntitle: Sale\ndate: 2020-01-01\n"
        "expiryDate: 2020-02-01T00:00:00Z\n---\nOver.\n",
        "content/kept.md": "+++\ntitle = 'Kept'\ndate = 2020-01-01\n"
        "unpublishdate = 2999-01-01\n+++\nOn.\n",
    }
    root = write_tree(tmp_path / "in", files)
    report = Importer().run([root])
    assert (report.created, report.problems) == (2, [])
    sale = Post.objects.get(source__path="content/sale.md")
    assert sale.expires_at == datetime(2020, 2, 1, tzinfo=UTC)
    assert sale.extra == {}
    assert client.get(sale.get_absolute_url()).status_code == 404
    assert "Kept" in client.get("/").content.decode()
    export(posts_for_export(), DirectoryWriter(tmp_path / "out"))
    assert read_tree(tmp_path / "out") == read_tree(root)


def test_an_expiry_set_in_the_admin_is_exported_in_the_house_style(tmp_path):
    make_post(title="Made here", expires_at=datetime(2030, 5, 6, tzinfo=UTC))
    export(posts_for_export(), DirectoryWriter(tmp_path))
    text = (tmp_path / "made-here/index.md").read_text()
    assert "\nexpirydate: '2030-05-06'\n" in text


def test_editors_find_expired_posts_and_drafts_waiting_for_a_date(client):
    expired_and_current()
    make_post(title="Undated", status=Post.Status.DRAFT)
    client.force_login(make_user("sam", superuser=True))
    url = reverse("admin:news_post_changelist")
    for dated, titles in (("expired", ["Expired offer"]), ("no", ["Undated"])):
        response = client.get(url, {"dated": dated})
        assert [p.title for p in response.context["cl"].result_list] == titles
    assert "Expired on " in client.get(url, {"dated": "expired"}).content.decode()


def test_freshness_reads_the_expiries_from_an_index():
    # Every public request asks freshness() for the last and the next expiry;
    # without the post_expiry index SQLite scanned the whole table for each.
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's query plans: PostgreSQL plans by table size")
    with CaptureQueriesContext(connection) as captured:
        queries.freshness()
    (query,) = captured.captured_queries
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
        plan = [row[-1] for row in cursor.fetchall()]
    assert not [step for step in plan if step == "SEARCH news_post"], plan
    assert sum("post_expiry" in step for step in plan) == 2, plan


def test_setting_an_expiry_on_a_live_post_is_audited_with_its_time():
    from news.editorial import workflow

    pat = make_user("pat", "Publishers")
    live = make_post(title="Live offer")
    live.expires_at = datetime(2030, 5, 1, 12, 30, tzinfo=UTC)
    live.save()
    entry = workflow.record_expiry(live, by=pat)
    expected = f"{timezone.localtime(live.expires_at):%Y-%m-%d %H:%M:%S}"
    assert entry.transition == "set_expiry"
    assert entry.user == pat
    assert entry.comment.startswith(f"Expires on {expected}")
    live.expires_at = None
    assert workflow.record_expiry(live, by=pat).comment == "No longer expires."
    draft = make_post(title="Draft offer", status=Post.Status.DRAFT)
    draft.expires_at = timezone.now() + HOUR
    assert workflow.record_expiry(draft, by=pat) is None
    assert list(draft.audit_entries.all()) == []
