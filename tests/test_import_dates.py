"""Importing posts dated as static site generators date them: by path, by
Hugo's, Jekyll's and Astro's keys, and never "today" by accident."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from news.documents.exporter import DirectoryWriter, export, posts_for_export
from news.documents.importer import Importer
from news.editorial import workflow
from news.models import Post

from .factories import read_tree, write_tree

pytestmark = pytest.mark.django_db


def run(root, **options):
    return Importer(**options).run([root])


def lines(report, code=None):
    return [str(p) for p in report.problems if code is None or p.code == code]


def post_at(path):
    return Post.objects.get(source__path=path)


def page(client, path):
    return client.get(post_at(path).get_absolute_url())


def shows_date(client, path, iso):
    return f'<time datetime="{iso}">' in page(client, path).content.decode()


def test_posts_are_dated_by_their_paths(tmp_path, client):
    files = {
        "_posts/2016-04-19-welcome.markdown": "---\ntitle: Welcome\n---\nHi\n",
        "2017/05/06/folders.md": "---\ntitle: Folders\n---\nHi\n",
        "blog/20220822-compact.md": "---\ntitle: Compact\n---\nHi\n",
        "blog/2022-8-16-unpadded/index.md": "---\ntitle: Unpadded\n---\nHi\n",
    }
    report = run(write_tree(tmp_path, files))
    assert (report.created, lines(report)) == (4, [])
    assert shows_date(
        client, "_posts/2016-04-19-welcome.markdown", "2016-04-19T00:00:00+00:00"
    )
    assert shows_date(client, "2017/05/06/folders.md", "2017-05-06T00:00:00+00:00")
    assert shows_date(client, "blog/20220822-compact.md", "2022-08-22T00:00:00+00:00")
    assert shows_date(
        client, "blog/2022-8-16-unpadded/index.md", "2022-08-16T00:00:00+00:00"
    )


def test_path_date_is_midnight_in_the_site_time_zone(tmp_path, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    run(write_tree(tmp_path, {"2016-04-19-x.md": "---\ntitle: X\n---\n"}))
    assert post_at("2016-04-19-x.md").published_at == datetime(
        2016, 4, 18, 16, tzinfo=UTC
    )


def test_front_matter_date_wins_over_the_path(tmp_path):
    run(
        write_tree(
            tmp_path, {"2016-04-19-x.md": "---\ntitle: X\ndate: 2018-01-02\n---\n"}
        )
    )
    assert post_at("2016-04-19-x.md").published_at.date().isoformat() == "2018-01-02"


def test_a_post_with_no_date_anywhere_waits_as_a_draft(tmp_path, client):
    root = write_tree(
        tmp_path,
        {
            "blog/undated.md": "---\ntitle: Undated news\n---\nWhen?\n",
            "blog/2020-01-02-dated.md": "---\ntitle: Dated news\n---\nThen.\n",
        },
    )
    report = run(root)
    assert (report.created, report.failed) == (2, 0)
    assert lines(report) == [
        "blog/undated.md: warning: no date in the front matter or the path; "
        "imported as a draft that waits for a date"
    ]
    post = post_at("blog/undated.md")
    assert (post.status, post.published_at) == (Post.Status.DRAFT, None)
    home = client.get("/").content.decode()
    assert "Dated news" in home and "Undated news" not in home
    assert page(client, "blog/undated.md").status_code == 404
    # Unchanged, it is not reported again.
    assert lines(run(root)) == []


def test_the_command_prints_the_undated_file_and_succeeds(tmp_path, capsys):
    root = write_tree(tmp_path, {"notes/undated.md": "# Just a heading\n"})
    call_command("import_markdown", str(root))
    out = capsys.readouterr().out
    assert "notes/undated.md: warning: no date in the front matter or the path" in out
    assert "1 created, 0 updated, 0 unchanged, 0 conflicts, 0 failed, 1 warnings" in out


def test_an_undated_draft_published_by_an_editor_is_dated_then(tmp_path):
    run(write_tree(tmp_path, {"undated.md": "---\ntitle: U\n---\n"}))
    post = workflow.publish(post_at("undated.md"), by=None)
    assert post.is_published
    assert timezone.now() - post.published_at < timedelta(days=1)


def test_hugo_publish_date_in_the_future_schedules_the_post(tmp_path, client):
    files = {
        "content/posts/soon.md": "---\ntitle: Soon\ndate: 2020-01-01\n"
        "publishDate: 2999-01-01T09:00:00Z\nlastmod: 2020-02-03\n---\nSoon.\n"
    }
    run(write_tree(tmp_path, files))
    post = post_at("content/posts/soon.md")
    assert post.status == Post.Status.PUBLISHED
    assert post.published_at == datetime(2999, 1, 1, 9, tzinfo=UTC)
    assert post.state_label() == "Scheduled for 2999-01-01 09:00"
    assert post.lastmod == datetime(2020, 2, 3, tzinfo=UTC)
    assert post.extra == {"date": "2020-01-01"}
    assert "Soon" not in client.get("/").content.decode()
    assert page(client, "content/posts/soon.md").status_code == 404


def test_hugo_publish_date_alone_dates_the_post(tmp_path, client):
    files = {"p.md": "+++\ntitle = 'Hugo'\npublishDate = 2021-05-06T07:08:09Z\n+++\n"}
    run(write_tree(tmp_path, files))
    assert shows_date(client, "p.md", "2021-05-06T07:08:09+00:00")


def test_jekyll_published_false_is_a_draft_and_publishing_it_drops_the_flag(
    tmp_path, client
):
    text = "---\ntitle: Hidden\npublished: false\n---\nNot yet.\n"
    root = write_tree(tmp_path / "in", {"_posts/2016-04-19-hidden.md": text})
    run(root)
    post = post_at("_posts/2016-04-19-hidden.md")
    assert post.status == Post.Status.DRAFT
    assert page(client, "_posts/2016-04-19-hidden.md").status_code == 404

    workflow.publish(post, by=None)
    export(posts_for_export(), DirectoryWriter(tmp_path / "out"))
    assert read_tree(tmp_path / "out") == {
        "_posts/2016-04-19-hidden.md": b"---\ntitle: Hidden\n---\nNot yet.\n"
    }


def test_astro_pub_date_and_updated_date(tmp_path, client):
    files = {
        "src/content/blog/first.md": "---\ntitle: 'First'\npubDate: 'Jul 08 2022'\n"
        "updatedDate: 'Jul 10 2022'\nheroImage: '/blog-placeholder-3.jpg'\n---\nHi\n"
    }
    report = run(write_tree(tmp_path, files))
    post = post_at("src/content/blog/first.md")
    assert post.lastmod == datetime(2022, 7, 10, tzinfo=UTC)
    assert post.extra == {}  # heroImage is the banner, here a missing one
    assert "banner not found: /blog-placeholder-3.jpg" in lines(report)[0]
    assert shows_date(client, "src/content/blog/first.md", "2022-07-08T00:00:00+00:00")


def test_export_of_generator_trees_gives_the_same_bytes(tmp_path):
    files = {
        "_posts/2016-04-19-welcome.markdown": "---\nlayout: post\ntitle: W\n---\nHi\n",
        "_posts/2016-04-20-hidden.markdown": "---\ntitle: H\npublished: false\n---\n",
        "2017/05/06/folders.md": "---\ntitle: F\n---\nHi\n",
        "blog/20220822-compact.md": "# Compact\n\nNo front matter.\n",
        "blog/undated.md": "---\ntitle: U\n---\n",
        "hugo/p.md": "---\ntitle: P\ndate: 2020-01-01\npublishDate: 2020-01-02\n"
        "lastmod: 2020-01-03\n---\n",
        "astro/a.md": "---\ntitle: A\npubDate: 'Jul 08 2022'\n---\n",
    }
    root = write_tree(tmp_path / "in", files)
    assert run(root).created == len(files)
    export(posts_for_export(), DirectoryWriter(tmp_path / "out"))
    assert read_tree(tmp_path / "out") == read_tree(root)


def test_a_waiting_draft_is_published_when_its_file_gains_a_date(tmp_path, client):
    write_tree(tmp_path, {"news/later.md": "---\ntitle: Later news\n---\n"})
    run(tmp_path)
    path = tmp_path / "news/later.md"
    path.write_text("---\ntitle: Later news\ndate: 2024-06-07\n---\n")
    report = run(tmp_path)
    assert (report.updated, lines(report)) == (1, [])
    assert shows_date(client, "news/later.md", "2024-06-07T00:00:00+00:00")
    assert "Later news" in client.get("/").content.decode()


def test_a_waiting_draft_gaining_a_date_stays_a_draft_under_status_draft(tmp_path):
    (tmp_path / "later.md").write_text("---\ntitle: Later\n---\n")
    run(tmp_path)
    (tmp_path / "later.md").write_text("---\ntitle: Later\ndate: 2024-06-07\n---\n")
    run(tmp_path, status=Post.Status.DRAFT)
    assert post_at("later.md").status == Post.Status.DRAFT
