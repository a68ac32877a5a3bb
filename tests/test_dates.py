"""Dates as static site generators write them: in the path, and under Hugo's,
Jekyll's and Astro's keys. Pure format code: no database."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from news.documents.frontmatter import fields, parse, serialize, update
from news.documents.frontmatter.pathdates import path_date

BERLIN = ZoneInfo("Europe/Berlin")


def read(text: str, name: str = "post.md"):
    return fields(parse(text.encode(), name=name), tz=BERLIN, name=name)


def rewritten(text: str, changes: dict) -> str:
    return serialize(update(parse(text.encode()), changes)).decode()


@pytest.mark.parametrize(
    "path, expected",
    [
        ("_posts/2016-04-19-slug.markdown", date(2016, 4, 19)),
        ("docs/_posts/2016-04-19-welcome-to-jekyll.md", date(2016, 4, 19)),
        ("app/en/blog/20220822-name.md", date(2022, 8, 22)),
        (
            "blog/rosinL/2022-8-16-Ceph社区动态(2022-7-1~2022-7-31).md",
            date(2022, 8, 16),
        ),
        ("blog/2022-10-12-HPC/HPC.md", date(2022, 10, 12)),
        ("blog/20240111-sec/index.md", date(2024, 1, 11)),
        ("2016/04/19/slug.md", date(2016, 4, 19)),
        ("posts/2016/4/9/slug/index.md", date(2016, 4, 9)),
        ("2016-04-19.md", date(2016, 4, 19)),
        ("20160419", date(2016, 4, 19)),
        (r"blog\2016-04-19-windows.md", date(2016, 4, 19)),
    ],
)
def test_path_gives_the_date(path, expected):
    assert path_date(path) == expected


@pytest.mark.parametrize(
    "path",
    [
        "blog/welcome.md",
        "blog/community/2017-election.md",  # a year alone is not a date
        "blog/2025-pride.md",
        "blog/202208221-build.md",  # more digits: a number, not a date
        "blog/2016-02-30-no-such-day.md",
        "blog/20161399-x.md",
        "blog/0001-01-01-ancient.md",  # an id, more likely than a date
        "blog/v2016-04-19.md",  # a date inside the name, not at its start
        "2016/04/19.md",  # the day is the file, not a folder
        "2016/04/slug.md",
        "2016/april/19/slug.md",
        "",
    ],
)
def test_path_without_a_date_gives_none(path):
    assert path_date(path) is None


def test_nearest_name_wins():
    assert path_date("2015/01/02/2016-04-19-x.md") == date(2016, 4, 19)
    assert path_date("2014-01-01-archive/2015/01/02/x.md") == date(2015, 1, 2)
    assert path_date("2014-01-01-archive/2015-03-04-post/x.md") == date(2015, 3, 4)


def test_date_key_wins_over_the_path():
    post = read("---\ntitle: T\ndate: 2020-01-02\n---\n", "2016-04-19-x.md")
    assert post.date == datetime(2020, 1, 2, tzinfo=BERLIN)


def test_date_from_the_path_is_midnight_in_the_site_time_zone():
    assert read("---\ntitle: T\n---\n", "_posts/2016-04-19-x.markdown").date == (
        datetime(2016, 4, 19, tzinfo=BERLIN)
    )
    assert read("# Heading\n", "2016/04/19/x.md").date == (
        datetime(2016, 4, 19, tzinfo=BERLIN)
    )


def test_no_date_anywhere_reads_as_none():
    assert read("---\ntitle: T\n---\n", "blog/x.md").date is None


def test_hugo_publish_date_is_when_the_post_goes_public():
    post = read("---\ntitle: T\npublishDate: 2021-05-06T07:08:09Z\n---\n")
    assert post.date == datetime.fromisoformat("2021-05-06T07:08:09+00:00")
    assert post.extra == {}


def test_hugo_publish_date_wins_over_date_which_is_kept():
    post = read("---\ntitle: T\ndate: 2021-01-01\npublishDate: 2021-05-06\n---\n")
    assert post.date == datetime(2021, 5, 6, tzinfo=BERLIN)
    assert post.extra == {"date": "2021-01-01"}


def test_astro_pub_date_and_updated_date_are_understood():
    post = read("---\ntitle: T\npubDate: 'Jul 08 2022'\nupdatedDate: 2022-07-09\n---\n")
    assert post.date == datetime(2022, 7, 8, tzinfo=BERLIN)  # Astro's template
    post = read("---\ntitle: T\npubDate: 2022-07-08\nupdatedDate: 2022-07-09\n---\n")
    assert post.date == datetime(2022, 7, 8, tzinfo=BERLIN)
    assert post.updated == datetime(2022, 7, 9, tzinfo=BERLIN)
    assert post.extra == {}


def test_hugo_lastmod_is_the_last_update():
    post = read("---\ntitle: T\ndate: 2022-07-08\nlastmod: 2023-01-02\n---\n")
    assert post.updated == datetime(2023, 1, 2, tzinfo=BERLIN)


@pytest.mark.parametrize(
    "value, draft",
    [
        ("false", True),
        ("true", False),
        ("", True),  # Jekyll: a present but empty `published` does not publish
        ("2021-05-06", False),  # Hugo: `published` can be a date
        ("'2021-05-06'", False),
    ],
)
def test_jekyll_published_false_is_a_draft(value, draft):
    assert read(f"---\ntitle: T\npublished: {value}\n---\n").draft is draft


def test_draft_key_wins_over_published():
    post = read("---\ntitle: T\ndraft: true\npublished: true\n---\n")
    assert post.draft is True
    assert post.extra == {"published": True}


def test_publishing_a_jekyll_draft_removes_published_false():
    text = "---\ntitle: T\npublished: false\nversion: 1\n---\nBody\n"
    assert rewritten(text, {"draft": None}) == "---\ntitle: T\nversion: 1\n---\nBody\n"
    assert rewritten(text, {"draft": True}) == text


def test_unpublishing_a_jekyll_post_writes_published_false():
    text = "---\ntitle: T\npublished: true\n---\n"
    assert rewritten(text, {"draft": True}) == "---\ntitle: T\npublished: false\n---\n"
    assert rewritten(text, {"draft": None}) == text


def test_moving_a_publish_date_rewrites_that_key():
    text = "---\ntitle: T\ndate: 2021-01-01\npublishDate: 2021-05-06\n---\n"
    assert rewritten(text, {"date": "2021-06-07"}) == text.replace(
        "2021-05-06", "2021-06-07"
    )


def test_hugo_expiry_date_and_its_alias_are_understood():
    post = read("---\ntitle: T\nexpiryDate: 2024-03-04\n---\n")
    assert post.expires == datetime(2024, 3, 4, tzinfo=BERLIN)
    assert read("---\ntitle: T\nunpublishdate: 2024-03-04\n---\n").expires == (
        datetime(2024, 3, 4, tzinfo=BERLIN)
    )
    assert read("---\ntitle: T\n---\n").expires is None


def test_moving_an_expiry_rewrites_it_in_its_style():
    text = "---\ntitle: T\nexpiryDate: 2024-03-04\n---\n"
    assert rewritten(text, {"expires": "2025-01-02"}) == text.replace(
        "2024-03-04", "2025-01-02"
    )
    assert rewritten(text, {"expires": None}) == "---\ntitle: T\n---\n"
