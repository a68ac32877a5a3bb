import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone
from taggit.models import Tag

from news.documents.exporter import DirectoryWriter, export, posts_for_export
from news.documents.importer import Importer
from news.editorial import revisions
from news.media import renditions, social
from news.models import Author, Post, PostAlias, PostImage

from .factories import (
    HIDDEN_STATES,
    HOSTILE,
    add_authors,
    make_author,
    make_category,
    make_image,
    make_post,
    read_tree,
    write_tree,
)

pytestmark = pytest.mark.django_db


def hidden_post(state, **kwargs):
    """A post in a state readers must not see, dated like a published one."""
    values = {"published_at": timezone.now() - timedelta(hours=1)}
    values.update(HIDDEN_STATES[state])
    values.update(kwargs)
    return make_post(**values)


def html(response):
    return response.content.decode()


def json_ld(response):
    match = re.search(
        r'<script type="application/ld\+json">(.*?)</script>', html(response), re.S
    )
    return json.loads(match.group(1))


# The home page and pagination


def test_a_tag_without_a_slug_is_named_but_not_linked(client):
    # django-taggit slugs "!!!" to "", which no tag page can have.
    post = make_post(title="Loud")
    post.tags.set(["!!!", "calm"])
    response = client.get(post.get_absolute_url())
    content = response.content.decode()
    assert response.status_code == 200
    assert "<li>!!!</li>" in content
    assert '<a href="/tags/calm/" rel="tag">calm</a>' in content


def test_home_lists_published_posts_newest_first(client):
    make_post(title="Older", published_at=timezone.now() - timedelta(days=2))
    make_post(title="Newer", published_at=timezone.now() - timedelta(days=1))
    make_post(title="Secret draft", status=Post.Status.DRAFT)
    response = client.get("/")
    content = html(response)
    assert response.status_code == 200
    assert content.index("Newer") < content.index("Older")
    assert "Secret draft" not in content


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_home_hides_every_unpublished_state(client, state):
    make_post(title="Visible post")
    hidden_post(state, title="Hidden post")
    response = client.get("/")
    assert "Visible post" in html(response)
    assert "Hidden post" not in html(response)


def test_home_paginates_twenty_posts_with_previous_and_next_links(client):
    now = timezone.now()
    for n in range(21):
        make_post(title=f"Post {n:02}", published_at=now - timedelta(minutes=n + 1))
    first = client.get("/")
    assert html(first).count('class="post-card"') == 20
    assert 'rel="next" href="?page=2"' in html(first)
    assert 'rel="prev"' not in html(first)
    second = client.get("/?page=2")
    assert html(second).count('class="post-card"') == 1
    assert "Post 20" in html(second)
    assert 'rel="prev" href="?page=1"' in html(second)
    assert 'rel="next"' not in html(second)


@pytest.mark.parametrize("page", ["3", "0", "nope", "-1"])
@pytest.mark.parametrize("url", ["/", "/tags/busy/"])
def test_page_past_the_end_is_a_404(client, page, url):
    for n in range(21):
        make_post(title=f"Post {n}").tags.add("busy")
    assert client.get(f"{url}?page=2").status_code == 200
    assert client.get(f"{url}?page={page}").status_code == 404


HOSTILE_PAGES = [
    "99999999999999999999",
    str(2**63),
    str(2**63 // 20),
    "-1",
    "-99999999999999999999",
    "abc",
    "1e5",
    "%00",
    "1%00",
    "0x10",
    " 9" * 10,
]
PAGINATED_LISTS = [
    "/",
    "/tags/busy/",
    "/categories/busy/",
    "/authors/busy/",
    "/search/?q=post",
    "/archive/{year}/",
    "/archive/{year}/{month:02}/",
]


@pytest.mark.parametrize("page", HOSTILE_PAGES)
@pytest.mark.parametrize("url", PAGINATED_LISTS)
def test_a_page_number_that_is_no_page_is_a_404_on_every_list(client, page, url):
    when = timezone.now() - timedelta(days=1)
    post = make_post(title="A post", published_at=when, category=make_category("Busy"))
    post.tags.add("busy")
    add_authors(post, make_author("Busy"))
    url = url.format(year=when.year, month=when.month)
    assert client.get(url).status_code == 200
    joiner = "&" if "?" in url else "?"
    # A NUL anywhere in the address is refused before the view (400).
    expected = 400 if "%00" in page else 404
    assert client.get(f"{url}{joiner}page={page}").status_code == expected


@pytest.mark.parametrize("url", [u for u in PAGINATED_LISTS if "?" not in u])
def test_an_uncounted_list_has_no_last_page(client, url):
    when = timezone.now() - timedelta(days=1)
    post = make_post(title="A post", published_at=when, category=make_category("Busy"))
    post.tags.add("busy")
    add_authors(post, make_author("Busy"))
    url = url.format(year=when.year, month=when.month)
    assert client.get(f"{url}?page=last").status_code == 404
    # Search counts its results, so it has a last page.
    assert client.get("/search/?q=post&page=last").status_code == 200


def test_page_has_landmarks_skip_link_and_one_h1(client):
    make_post(title="Something")
    content = html(client.get("/"))
    assert '<a class="skip-link" href="#main">' in content
    assert '<main id="main"' in content
    assert "<header" in content and "<footer" in content
    assert 'role="search"' in content
    assert content.count("<h1") == 1
    assert 'rel="alternate" type="application/rss+xml"' in content
    assert 'rel="alternate" type="application/atom+xml"' in content


# The article page


@pytest.fixture
def article(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    category = make_category("Releases")
    banner = make_image(alt="A banner of the launch")
    post = make_post(
        title="Version 2 is out",
        slug="version-2",
        summary="What changed in version 2.",
        body="The **new** release.",
        category=category,
        banner=banner,
        published_at=datetime(2024, 5, 20, 18, 30, tzinfo=UTC),
    )
    post.tags.add("release", "community")
    add_authors(post, make_author("Ana Costa"), make_author("Li Wei"))
    return post


def test_article_shows_title_authors_date_category_tags_summary_and_body(
    client, article
):
    content = html(client.get("/news/version-2/"))
    assert "<h1>Version 2 is out</h1>" in content
    assert '<a href="/authors/ana-costa/" rel="author">Ana Costa</a>' in content
    assert '<a href="/authors/li-wei/" rel="author">Li Wei</a>' in content
    # 18:30 UTC is 02:30 the next day in the site's zone.
    assert '<time datetime="2024-05-21T02:30:00+08:00">' in content
    assert '<a href="/categories/releases/">Releases</a>' in content
    assert '<a href="/tags/release/" rel="tag">release</a>' in content
    assert '<a href="/tags/community/" rel="tag">community</a>' in content
    assert '<p class="summary">What changed in version 2.</p>' in content
    assert "The <strong>new</strong> release." in content


def test_article_banner_has_alt_size_srcsets_and_webp(client, article):
    content = html(client.get("/news/version-2/"))
    banner = re.search(r'<figure class="banner"><picture>(.*?)</picture>', content)
    picture = banner.group(1)
    assert '<source type="image/webp"' in picture
    assert "-320.webp 320w" in picture and "-1600.webp 1600w" in picture
    assert "-640.jpg 640w" in picture
    assert 'sizes="(min-width: 48rem) 46rem, 100vw"' in picture
    assert 'width="1600" height="900"' in picture
    assert 'alt="A banner of the launch"' in picture


def test_article_head_has_description_canonical_opengraph_twitter(client, article):
    content = html(client.get("/news/version-2/"))
    # Link previews get the banner cut to 1200×630 around its focal point,
    # never the original with its EXIF.
    shown = social.crop(article.banner).url
    assert shown.startswith("/media/social/") and shown.endswith(".jpg")
    banner_url = f"http://testserver{shown}"
    assert "<title>Version 2 is out · Newsdesk</title>" in content
    assert '<meta name="description" content="What changed in version 2.">' in content
    assert '<link rel="canonical" href="http://testserver/news/version-2/">' in content
    assert '<meta property="og:title" content="Version 2 is out">' in content
    assert '<meta property="og:type" content="article">' in content
    assert '<meta property="og:url" content="http://testserver/news/version-2/">' in (
        content
    )
    assert f'<meta property="og:image" content="{banner_url}">' in content
    assert f'<meta name="twitter:image" content="{banner_url}">' in content
    assert '<meta name="twitter:card" content="summary_large_image">' in content


def test_article_has_news_article_json_ld(client, article):
    data = json_ld(client.get("/news/version-2/"))
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Version 2 is out"
    assert data["description"] == "What changed in version 2."
    assert data["datePublished"].startswith("2024-05-20T18:30:00")
    assert [a["name"] for a in data["author"]] == ["Ana Costa", "Li Wei"]
    assert data["author"][0]["url"] == "http://testserver/authors/ana-costa/"
    # The same picture as og:image: the banner cut around its focal point.
    shown = social.crop(article.banner).url
    assert data["image"] == [f"http://testserver{shown}"]
    assert data["mainEntityOfPage"] == "http://testserver/news/version-2/"


def test_article_links_related_posts_by_shared_tags(client, article):
    now = timezone.now()
    both = make_post(title="Shares both", published_at=now - timedelta(days=3))
    both.tags.add("release", "community")
    one = make_post(title="Shares one", published_at=now - timedelta(days=1))
    one.tags.add("community")
    make_post(title="Shares none").tags.add("other")
    draft = make_post(title="Draft sharing", status=Post.Status.DRAFT)
    draft.tags.add("release")
    content = html(client.get("/news/version-2/"))
    related = content[content.index("Related posts") :]
    assert related.index("Shares both") < related.index("Shares one")
    assert "Shares none" not in related
    assert "Draft sharing" not in content


def test_article_links_previous_and_next_published_posts(client, article):
    at = article.published_at
    make_post(title="Before", published_at=at - timedelta(days=1))
    make_post(title="Long before", published_at=at - timedelta(days=2))
    make_post(title="After", published_at=at + timedelta(days=1))
    hidden_post("draft", title="Draft between", published_at=at - timedelta(hours=1))
    content = html(client.get("/news/version-2/"))
    assert re.search(r'rel="prev" href="/news/before/">.*Before</a>', content)
    assert re.search(r'rel="next" href="/news/after/">.*After</a>', content)
    assert "Draft between" not in content


def test_every_front_matter_value_is_escaped_on_the_article_page(client):
    post = make_post(
        title=HOSTILE,
        slug="hostile",
        summary=HOSTILE,
        category=make_category(HOSTILE, slug="hostile-category"),
        banner=make_image(alt=HOSTILE),
    )
    post.tags.add(HOSTILE)
    add_authors(post, make_author(HOSTILE, slug="hostile-author"))
    response = client.get("/news/hostile/")
    content = html(response)
    assert "<script>alert(1)</script>" not in content
    assert "</script><script>" not in content
    escaped = (
        "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#x27;&amp;&lt;&gt;"
    )
    assert f"<h1>{escaped}</h1>" in content
    assert f'<meta property="og:title" content="{escaped}">' in content
    assert f'alt="{escaped}"' in content
    data = json_ld(response)
    assert data["headline"] == HOSTILE
    assert data["author"][0]["name"] == HOSTILE
    assert data["keywords"] == [HOSTILE]
    # Nothing on the list pages either.
    for url in ["/", "/authors/hostile-author/", "/categories/hostile-category/"]:
        assert "<script>alert(1)" not in html(client.get(url))


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_unpublished_article_is_a_404(client, state):
    post = hidden_post(state, title="Hidden")
    response = client.get(post.get_absolute_url())
    assert response.status_code == 404
    assert "Page not found" in html(response)
    assert "Hidden" not in html(response)


def test_unicode_slug_article_is_served(client):
    post = make_post(title="社区动态", slug="社区动态")
    assert client.get(post.get_absolute_url()).status_code == 200
    assert client.get("/news/%E7%A4%BE%E5%8C%BA%E5%8A%A8%E6%80%81/").status_code == 200


def test_unknown_article_is_a_404(client):
    assert client.get("/news/nothing-here/").status_code == 404


# Redirects: changed slugs and front-matter aliases


def test_changed_slug_redirects_permanently_to_the_current_url(client):
    post = make_post(title="First name", slug="first-name")
    revisions.change_slug(post, "second-name")
    revisions.change_slug(post, "third-name")
    for old in ["first-name", "second-name"]:
        response = client.get(f"/news/{old}/")
        assert response.status_code == 301
        assert response["Location"] == "/news/third-name/"
    assert client.get("/news/third-name/").status_code == 200


def test_changing_back_to_an_old_slug_serves_it_again(client):
    post = make_post(title="A", slug="a")
    revisions.change_slug(post, "b")
    revisions.change_slug(post, "a")
    assert client.get("/news/a/").status_code == 200
    assert client.get("/news/b/")["Location"] == "/news/a/"


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_old_slug_of_an_unpublished_post_is_a_404(client, state):
    post = hidden_post(state, title="Gone", slug="gone")
    revisions.change_slug(post, "gone-too")
    assert client.get("/news/gone/").status_code == 404


def test_front_matter_alias_redirects_permanently(client):
    post = make_post(title="Aliased", slug="aliased")
    PostAlias.objects.create(post=post, path="/2019/01/old-path/")
    PostAlias.objects.create(post=post, path="/旧的/")
    response = client.get("/2019/01/old-path/")
    assert response.status_code == 301
    assert response["Location"] == "/news/aliased/"
    assert client.get("/2019/01/old-path")["Location"] == "/news/aliased/"
    assert client.get("/%E6%97%A7%E7%9A%84/")["Location"] == "/news/aliased/"


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_alias_of_an_unpublished_post_is_a_404(client, state):
    post = hidden_post(state, title="Hidden alias")
    PostAlias.objects.create(post=post, path="/old/hidden/")
    assert client.get("/old/hidden/").status_code == 404


# Tag, category, author and archive pages


def test_tag_page_lists_the_tags_published_posts(client):
    tagged = make_post(title="Tagged")
    tagged.tags.add("kernel")
    make_post(title="Untagged")
    hidden_post("draft", title="Draft tagged").tags.add("kernel")
    response = client.get("/tags/kernel/")
    assert response.status_code == 200
    content = html(response)
    assert "<h1>Posts tagged “kernel”</h1>" in content
    assert "Tagged" in content
    assert "Untagged" not in content and "Draft tagged" not in content
    assert 'href="/tags/kernel/feed/"' in content


def test_unicode_tag_page(client):
    make_post(title="中文").tags.add("社区")
    slug = Tag.objects.get(name="社区").slug
    assert client.get(f"/tags/{slug}/").status_code == 200


def test_category_page_lists_its_published_posts(client):
    category = make_category("Events")
    category.description = "Meetups and talks."
    category.save()
    make_post(title="In events", category=category)
    make_post(title="Elsewhere")
    content = html(client.get("/categories/events/"))
    assert "<h1>Events</h1>" in content
    assert "Meetups and talks." in content
    assert "In events" in content and "Elsewhere" not in content


def test_author_page_lists_their_published_posts(client):
    ana = make_author("Ana Costa")
    add_authors(make_post(title="By Ana"), ana)
    make_post(title="By nobody")
    content = html(client.get("/authors/ana-costa/"))
    assert "<h1>Posts by Ana Costa</h1>" in content
    assert "By Ana" in content and "By nobody" not in content
    assert "Website" not in content


def test_an_authors_page_links_their_website(client):
    ana = make_author("Ana Costa")
    ana.url = "https://example.org/ana"
    ana.save()
    add_authors(make_post(title="By Ana"), ana)
    content = html(client.get("/authors/ana-costa/"))
    assert '<a href="https://example.org/ana">Website</a>' in content


@pytest.mark.parametrize("state", HIDDEN_STATES)
@pytest.mark.parametrize("route", ["tag", "category", "author"])
def test_section_with_only_unpublished_posts_is_a_404(client, state, route):
    post = hidden_post(state, title="Hidden", category=make_category("Secret"))
    post.tags.add("secret")
    add_authors(post, make_author("Secret"))
    url = {"tag": "/tags/secret/", "category": "/categories/secret/"}.get(
        route, "/authors/secret/"
    )
    assert client.get(url).status_code == 404
    assert client.get(f"{url}feed/").status_code == 404
    assert client.get(f"{url}feed/atom/").status_code == 404


def test_unknown_section_is_a_404(client):
    for url in ["/tags/none/", "/categories/none/", "/authors/none/"]:
        assert client.get(url).status_code == 404


def test_archives_list_posts_by_year_and_month_in_the_site_zone(client, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    make_post(title="May post", published_at=datetime(2023, 5, 10, tzinfo=UTC))
    # 20:00 UTC on 31 May is 1 June in Shanghai.
    make_post(title="June post", published_at=datetime(2023, 5, 31, 20, tzinfo=UTC))
    make_post(title="Other year", published_at=datetime(2022, 5, 10, tzinfo=UTC))
    year = html(client.get("/archive/2023/"))
    assert "<h1>2023</h1>" in year
    assert "May post" in year and "June post" in year and "Other year" not in year
    assert 'href="/archive/2023/05/"' in year
    may = html(client.get("/archive/2023/05/"))
    assert "<h1>May 2023</h1>" in may
    assert "May post" in may and "June post" not in may
    assert "June post" in html(client.get("/archive/2023/06/"))


def archive_links(response, label):
    """Return the links of the archive page's nav ``label`` as [(text, href)]."""
    nav = re.search(
        rf'<nav class="pagination" aria-label="{label}">(.*?)</nav>',
        html(response),
        re.S,
    )
    assert nav, f"no {label} navigation"
    return [
        (text, href)
        for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', nav.group(1))
    ]


def test_year_archive_links_to_the_neighbouring_years_with_posts(client):
    for year in (2019, 2021, 2024):
        make_post(
            title=f"Post of {year}", published_at=datetime(year, 6, 1, tzinfo=UTC)
        )
    hidden_post("draft", published_at=datetime(2023, 6, 1, tzinfo=UTC))
    assert archive_links(client.get("/archive/2021/"), "Years") == [
        ("← 2019", "/archive/2019/"),
        ("All years", "/archive/"),
        ("2024 →", "/archive/2024/"),
    ]
    assert archive_links(client.get("/archive/2019/"), "Years") == [
        ("All years", "/archive/"),
        ("2021 →", "/archive/2021/"),
    ]
    assert archive_links(client.get("/archive/2024/"), "Years") == [
        ("← 2021", "/archive/2021/"),
        ("All years", "/archive/"),
    ]


def test_month_archive_links_to_the_neighbouring_months_with_posts(client):
    for month in (1, 4, 9):
        make_post(
            title=f"Post {month}", published_at=datetime(2024, month, 2, tzinfo=UTC)
        )
    hidden_post("draft", published_at=datetime(2024, 6, 2, tzinfo=UTC))
    response = client.get("/archive/2024/04/")
    assert archive_links(response, "Months") == [
        ("← January 2024", "/archive/2024/01/"),
        ("All months", "/archive/"),
        ("September 2024 →", "/archive/2024/09/"),
    ]
    # The month's days are not listed as more links to the month itself.
    assert html(response).count('href="/archive/2024/04/"') == 0


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_archive_with_only_unpublished_posts_is_a_404(client, state):
    at = datetime(2021, 3, 4, tzinfo=UTC)
    if state == "scheduled":
        at = timezone.now() + timedelta(days=40)
    hidden_post(state, published_at=at)
    assert client.get(f"/archive/{at.year}/").status_code == 404
    assert client.get(f"/archive/{at.year}/{at.month:02}/").status_code == 404


def test_archive_month_out_of_range_is_a_404(client):
    make_post(title="x", published_at=datetime(2023, 5, 10, tzinfo=UTC))
    assert client.get("/archive/2023/13/").status_code == 404


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "Sitemap: http://testserver/sitemap.xml" in html(response)
    assert "Disallow: /admin/" in html(response)


# Query counts stay constant, whatever the number of posts, tags, authors, images


def rich_post(n, *, tags=3, authors=3, banner=True, body_image=False):
    post = make_post(
        title=f"Rich {n}",
        published_at=timezone.now() - timedelta(hours=n + 1),
        category=make_category(f"Category {n}"),
        banner=make_image(size=(400, 200), color=(n, 10, 10)) if banner else None,
    )
    if body_image:
        post.body = "Text.\n\n![A figure](figure.png)"
        image = make_image(size=(400, 200), color=(10, n, 10))
        PostImage.objects.create(post=post, image=image, reference="figure.png")
        renditions.render(post)
        post.save()
    post.tags.add(*[f"tag-{i}" for i in range(tags)])
    add_authors(post, *[make_author(f"Author {n}-{i}") for i in range(authors)])
    if post.banner:
        renditions.ensure(post.banner)
    return post


def queries_for(client, url, django_assert_num_queries, expected):
    """Request ``url`` twice: first when its fragments are made, then when they
    are reused (the page cache is off)."""
    made, reused = expected
    with django_assert_num_queries(made):
        first = client.get(url)
    with django_assert_num_queries(reused):
        second = client.get(url)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content


# (url, (queries when fragments are made, when they are reused)). Every page
# reads the site's freshness. Lists: the page of posts, and no COUNT(*);
# sections add their lookup when their header is made (an empty first page is
# their 404), archives an emptiness check, their months and their neighbours.
# Making cards loads the posts with their categories, their authors, banner
# renditions and the body images of the posts without a banner (their
# thumbnails). Search renders its own highlighted cards and counts them. The
# first page of a version also makes the menus (the editors' items, and the
# categories for the footer): 2 queries, once.
LIST_PAGES = [
    ("/", (8, 2)),
    ("/tags/tag-0/", (9, 2)),
    ("/authors/author-0-0/", (9, 2)),
    ("/archive/{year}/", (12, 6)),
    ("/search/?q=Rich", (8, 6)),
]


@pytest.mark.parametrize("url,expected", LIST_PAGES)
@pytest.mark.parametrize("thumbnail", ["banner", "body image"])
def test_list_pages_run_the_same_queries_for_one_post_or_many(
    client, django_assert_num_queries, url, expected, thumbnail
):
    pictures = {"banner": thumbnail == "banner", "body_image": thumbnail != "banner"}
    first = rich_post(0, **pictures)
    url = url.format(year=first.published_at.year)
    queries_for(client, url, django_assert_num_queries, expected)
    author = first.authors.first()
    for n in range(1, 25):
        post = rich_post(n, **pictures)
        post.tags.add("tag-0")
        add_authors(post, author)
    queries_for(client, url, django_assert_num_queries, expected)


def test_category_page_queries_stay_constant(client, django_assert_num_queries):
    category = make_category("Fixed")
    post = rich_post(0)
    post.category = category
    post.save()
    queries_for(client, "/categories/fixed/", django_assert_num_queries, (9, 2))
    for n in range(30):
        post = rich_post(n + 1)
        post.category = category
        post.save()
    queries_for(client, "/categories/fixed/", django_assert_num_queries, (9, 2))


@pytest.mark.parametrize("rich", [False, True])
def test_article_queries_stay_constant(client, django_assert_num_queries, rich):
    # Always the post and the site's freshness, read in one statement. Making
    # the article's parts adds
    # the post with its category and banner, authors, tags, renditions, related
    # posts, the previous and the next, the body images (the social image of a
    # post without a banner); and the menus (2).
    if rich:
        for n in range(1, 6):
            rich_post(n, tags=5, authors=4)
        post = rich_post(0, tags=8, authors=6)
    else:
        post = rich_post(0, tags=0, authors=0)
    queries_for(client, post.get_absolute_url(), django_assert_num_queries, (11, 1))


# Static files


def test_static_files_get_hashed_names_and_far_future_headers(settings, tmp_path):
    from whitenoise.middleware import WhiteNoiseMiddleware

    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        },
    }
    settings.DEBUG = False
    call_command("collectstatic", interactive=False, verbosity=0)
    from django.templatetags.static import static

    url = static("css/site.css")
    assert re.fullmatch(r"/static/css/site\.[0-9a-f]{12}\.css", url)
    middleware = WhiteNoiseMiddleware(lambda request: None)
    response = middleware(RequestFactory().get(url))
    assert response.status_code == 200
    assert "max-age=315360000" in response["Cache-Control"]
    assert "immutable" in response["Cache-Control"]


def test_section_pages_lead_with_the_description_or_bio(client):
    post = make_post(title="Story")
    post.category = make_category("Security")
    post.category.description = "Advisories & fixes."
    post.category.save()
    post.save()
    add_authors(post, make_author("Grace Hopper", slug="grace"))
    Author.objects.filter(slug="grace").update(bio="Wrote the first compiler.")
    category = html(client.get("/categories/security/"))
    assert '<p class="lede">Advisories &amp; fixes.</p>' in category
    assert '<meta name="description" content="Advisories &amp; fixes.">' in category
    author = html(client.get("/authors/grace/"))
    # A bio is Markdown.
    assert '<div class="lede"><p>Wrote the first compiler.</p></div>' in author
    assert '<meta name="description" content="Wrote the first compiler.">' in author
    assert "<h1>Posts by Grace Hopper</h1>" in author


@pytest.mark.parametrize("url", ["/tags/news/", "/authors/ada/"])
def test_section_pages_list_newest_first_after_a_date_change(client, url):
    ada = make_author("Ada", slug="ada")
    now = timezone.now()
    for n, title in enumerate(["Newest", "Middle", "Oldest"]):
        post = make_post(title=title, published_at=now - timedelta(days=n + 1))
        post.tags.add("news")
        add_authors(post, ada)
    assert re.findall(r"<h2><a [^>]*>(\w+)</a>", html(client.get(url))) == [
        "Newest",
        "Middle",
        "Oldest",
    ]
    oldest = Post.objects.get(title="Oldest")
    oldest.published_at = now - timedelta(hours=1)
    revisions.save_edit(oldest, by=None, save=oldest.save)
    assert re.findall(r"<h2><a [^>]*>(\w+)</a>", html(client.get(url))) == [
        "Oldest",
        "Newest",
        "Middle",
    ]


# The frame of every page: header navigation, search and footer

FRAME_PAGES = [
    "/",
    "/news/framed/",
    "/tags/",
    "/tags/frame/",
    "/archive/",
    "/search/?q=frame",
]


@pytest.mark.parametrize("url", FRAME_PAGES)
def test_every_page_has_the_site_navigation_one_search_form_and_a_footer(client, url):
    make_post(title="Framed", slug="framed").tags.add("frame")
    content = html(client.get(url))
    header = re.search(
        r'<nav class="site-nav" aria-label="Site">(.*?)</nav>', content, re.S
    )
    assert re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', header.group(1)) == [
        ("/", "Home"),
        ("/categories/", "Categories"),
        ("/tags/", "Tags"),
        ("/authors/", "Authors"),
        ("/archive/", "Archive"),
    ]
    assert content.count('role="search"') == 1
    footer = content[content.index('<footer class="site-footer">') :]
    for href, text in [
        ("/feed/", "RSS feed"),
        ("/feed/atom/", "Atom feed"),
        ("/archive/", "Archive"),
        ("/sitemap.xml", "Sitemap"),
    ]:
        assert f'<a href="{href}">{text}</a>' in footer


def test_the_current_index_is_marked_in_the_navigation(client):
    make_post(title="Tagged").tags.add("one")
    content = html(client.get("/tags/"))
    header = content[: content.index("</header>")]
    assert '<a href="/tags/" aria-current="page">Tags</a>' in header
    assert header.count('aria-current="page"') == 1


def test_footer_shows_the_sites_about_text_escaped(client, settings):
    settings.NEWSDESK_SITE_ABOUT = "News from the <harbour> & the town."
    make_post(title="Any")
    content = html(client.get("/"))
    assert (
        '<p class="about">News from the &lt;harbour&gt; &amp; the town.</p>' in content
    )


def test_footer_has_no_about_paragraph_when_the_setting_is_empty(client, settings):
    settings.NEWSDESK_SITE_ABOUT = ""
    make_post(title="Any")
    assert 'class="about"' not in html(client.get("/"))


# Breadcrumbs


def breadcrumbs(response):
    """Return the breadcrumb trail as readers see it: [(text, href or None)],
    and as search engines read it from the JSON-LD BreadcrumbList."""
    content = html(response)
    navs = re.findall(
        r'<nav class="breadcrumbs" aria-label="Breadcrumb">(.*?)</nav>', content, re.S
    )
    assert len(navs) == 1
    shown = [
        (
            re.sub(r"<[^>]+>", "", item),
            (re.findall(r'href="([^"]+)"', item) or [None])[0],
        )
        for item in re.findall(r"<li>(.*?)</li>", navs[0])
    ]
    [data] = [
        json.loads(script)
        for script in re.findall(
            r'<script type="application/ld\+json">(.*?)</script>', content, re.S
        )
        if '"BreadcrumbList"' in script
    ]
    items = data["itemListElement"]
    assert [item["position"] for item in items] == list(range(1, len(items) + 1))
    assert [item["name"] for item in items] == [
        text.replace("&amp;", "&")
        .replace("&quot;", '"')
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        for text, _ in shown
    ]
    # Every crumb but the current page is a link, to the URL the JSON-LD names.
    assert [href for _, href in shown[:-1]] == [
        item["item"].removeprefix("http://testserver") for item in items[:-1]
    ]
    assert shown[-1][1] is None
    assert items[-1]["item"] == "http://testserver" + response.wsgi_request.path
    return [
        (item["name"], item["item"].removeprefix("http://testserver")) for item in items
    ]


def test_article_breadcrumbs_lead_home_through_its_category(client):
    post = make_post(
        title="Pier opens", slug="pier", category=make_category("Harbour news")
    )
    assert breadcrumbs(client.get(post.get_absolute_url())) == [
        ("Home", "/"),
        ("Harbour news", "/categories/harbour-news/"),
        ("Pier opens", "/news/pier/"),
    ]


def test_article_without_category_has_a_two_step_trail(client):
    make_post(title="Loose", slug="loose")
    assert breadcrumbs(client.get("/news/loose/")) == [
        ("Home", "/"),
        ("Loose", "/news/loose/"),
    ]


def test_breadcrumb_json_ld_cannot_close_its_script(client):
    make_post(title=HOSTILE, slug="hostile")
    response = client.get("/news/hostile/")
    assert breadcrumbs(response)[-1] == (HOSTILE, "/news/hostile/")
    scripts = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', html(response), re.S
    )
    assert all("<" not in script for script in scripts)


@pytest.mark.parametrize(
    "url,trail",
    [
        (
            "/tags/harbour/",
            [("Home", "/"), ("Tags", "/tags/"), ("Harbour", "/tags/harbour/")],
        ),
        (
            "/categories/town-life/",
            [
                ("Home", "/"),
                ("Categories", "/categories/"),
                ("Town & life", "/categories/town-life/"),
            ],
        ),
        (
            "/authors/ana/",
            [("Home", "/"), ("Authors", "/authors/"), ("Ana", "/authors/ana/")],
        ),
        (
            "/archive/2024/",
            [("Home", "/"), ("Archive", "/archive/"), ("2024", "/archive/2024/")],
        ),
        (
            "/archive/2024/03/",
            [
                ("Home", "/"),
                ("Archive", "/archive/"),
                ("2024", "/archive/2024/"),
                ("March", "/archive/2024/03/"),
            ],
        ),
        ("/tags/", [("Home", "/"), ("Tags", "/tags/")]),
        ("/categories/", [("Home", "/"), ("Categories", "/categories/")]),
        ("/authors/", [("Home", "/"), ("Authors", "/authors/")]),
        ("/archive/", [("Home", "/"), ("Archive", "/archive/")]),
    ],
)
def test_section_archive_and_index_pages_have_breadcrumbs(client, url, trail):
    post = make_post(
        title="Everywhere",
        published_at=datetime(2024, 3, 5, 12, tzinfo=UTC),
        category=make_category("Town & life", slug="town-life"),
    )
    post.tags.add("Harbour")
    add_authors(post, make_author("Ana"))
    assert breadcrumbs(client.get(url)) == trail


def test_home_and_search_have_no_breadcrumbs(client):
    make_post(title="Anything")
    for url in ["/", "/search/?q=anything"]:
        assert 'aria-label="Breadcrumb"' not in html(client.get(url))


# The article's body as shown


def test_article_does_not_repeat_its_title_from_the_body(client):
    body = "# Pier opens\n\nThe new pier opened.\n\n## Who came\n\nEveryone."
    make_post(title="Pier opens", slug="pier", body=body)
    content = html(client.get("/news/pier/"))
    assert content.count(">Pier opens</h") == 1
    assert "<h1>Pier opens</h1>" in content
    # The body's sections move up to sit right under the title.
    assert '<h2 id="who-came">Who came <a class="anchor" href="#who-came">' in content
    assert Post.objects.get(slug="pier").body == body


def test_article_keeps_a_leading_heading_that_is_not_its_title(client):
    make_post(title="Pier opens", slug="pier", body="# Background\n\nText.")
    assert '<h2 id="background">Background <a class="anchor"' in html(
        client.get("/news/pier/")
    )


def test_first_body_image_is_eager_only_without_a_banner(client):
    body = "![One](one.png)\n\n![Two](two.png)"
    make_post(title="Plain", slug="plain", body=body)
    make_post(
        title="Bannered", slug="bannered", body=body, banner=make_image(size=(640, 360))
    )
    plain = html(client.get("/news/plain/"))
    body_html = plain[plain.index('<div class="body">') :]
    assert body_html.count('loading="eager" fetchpriority="high"') == 1
    assert (
        body_html.index('alt="One"')
        < body_html.index('loading="eager"')
        < body_html.index('alt="Two"')
    )
    bannered = html(client.get("/news/bannered/"))
    # The banner is the first image: it alone loads at once.
    assert bannered.count('fetchpriority="high"') == 1
    assert bannered[bannered.index('<div class="body">') :].count('loading="lazy"') == 2


def test_code_blocks_in_articles_are_focusable(client):
    make_post(title="Code", slug="code", body="```\nls -l\n```")
    assert '<pre tabindex="0">' in html(client.get("/news/code/"))


def test_export_after_showing_the_article_gives_the_same_bytes(client, tmp_path):
    source = "---\ntitle: Pier opens\ndate: '2024-04-22'\n---\n# Pier opens\n\nThe new pier.\n"
    tree = write_tree(tmp_path / "in", {"news/pier.md": source})
    report = Importer().run([tree])
    assert report.failed == 0, report.problems
    content = html(client.get("/news/pier/"))
    assert content.count(">Pier opens</h") == 1
    export(posts_for_export(), DirectoryWriter(tmp_path / "out"))
    assert read_tree(tmp_path / "out") == read_tree(tree)
