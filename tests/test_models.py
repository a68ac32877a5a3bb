import random
from datetime import timedelta
from unittest import mock

import pytest
from django.core.files.storage import default_storage
from django.db.models import Max, Min
from django.utils import timezone
from taggit.models import Tag

from news.documents.importer import Importer
from news.editorial import revisions, workflow
from news.media import images, renditions
from news.models import (
    Author,
    Category,
    Post,
    PostAuthor,
    PostImage,
    Rendition,
    Section,
    SiteChange,
    TaggedPost,
    queries,
)

from .factories import add_authors, image_bytes, make_post

pytestmark = pytest.mark.django_db


def test_published_shows_published_posts_that_are_due():
    visible = make_post(title="Visible")
    make_post(title="Draft", status=Post.Status.DRAFT)
    make_post(title="In review", status=Post.Status.IN_REVIEW)
    make_post(title="Archived", status=Post.Status.ARCHIVED)
    assert list(Post.objects.published()) == [visible]


def test_scheduled_post_is_hidden_until_its_time():
    post = make_post(title="Later", published_at=timezone.now() + timedelta(minutes=5))
    assert not Post.objects.published().exists()
    Post.objects.filter(pk=post.pk).update(
        published_at=timezone.now() - timedelta(seconds=1)
    )
    assert list(Post.objects.published()) == [post]


def test_published_post_without_a_time_is_hidden():
    make_post(title="No time", published_at=None).save()
    Post.objects.update(published_at=None)
    assert not Post.objects.published().exists()


def test_body_html_is_rendered_and_sanitised_on_save():
    post = make_post(body="# Hello\n\n<script>alert(1)</script>**bold**")
    assert '<h2 id="hello">Hello</h2>' in post.body_html
    assert "<strong>bold</strong>" in post.body_html
    assert "script" not in post.body_html


def test_body_html_follows_body_changes_when_rendered():
    post = make_post(body="first")
    post.body = "second"
    renditions.render(post)
    post.save(update_fields=["body", "body_html"])
    post.refresh_from_db()
    assert "second" in post.body_html


def test_saving_a_loaded_post_renders_nothing_and_touches_no_storage(
    django_assert_num_queries,
):
    image, _ = images.store(image_bytes(size=(700, 400)), alt="Chart")
    post = make_post(body="![Chart](chart.png)")
    PostImage.objects.create(post=post, image=image, reference="chart.png")
    Post.objects.filter(pk=post.pk).update(body_html="<p>as stored</p>")
    loaded = Post.objects.get(pk=post.pk)
    loaded.body = "An edited body with ![Chart](chart.png)"
    loaded.published_at = loaded.published_at - timedelta(days=1)
    with (
        mock.patch("news.documents.markdown.render") as render,
        mock.patch.object(default_storage, "save") as save_file,
        django_assert_num_queries(1),  # the post's own UPDATE, nothing else
    ):
        loaded.save()
    assert not render.called and not save_file.called
    assert not Rendition.objects.exists()
    loaded.refresh_from_db()
    assert loaded.body_html == "<p>as stored</p>"


def test_image_references_render_from_the_posts_mapping():
    image, _ = images.store(image_bytes(size=(30, 20)), alt="Stored alt")
    post = make_post(body="![](./images/1.png)\n\n![x](missing.png)")
    PostImage.objects.create(post=post, image=image, reference="images/1.png")
    renditions.render(post)
    post.save()
    assert f'src="/media/renditions/{image.sha256[:2]}/{image.sha256}-30.png"' in (
        post.body_html
    )
    assert 'width="30"' in post.body_html and 'height="20"' in post.body_html
    assert 'alt="Stored alt"' in post.body_html
    # The stored Markdown keeps the author's path; the unresolved one stays as written.
    assert post.body.startswith("![](./images/1.png)")
    assert 'src="missing.png"' in post.body_html


def test_unicode_slugs_are_allowed():
    post = make_post(title="社区动态", slug="社区动态")
    assert post.get_absolute_url() == "/news/%E7%A4%BE%E5%8C%BA%E5%8A%A8%E6%80%81/"


def test_freshness_follows_published_scheduled_and_site_changes():
    assert queries.freshness() == (None, None)
    now = timezone.now()
    hour = timedelta(hours=1)
    make_post(title="Old", published_at=now - 3 * hour)
    make_post(title="Draft", status=Post.Status.DRAFT, published_at=now + 5 * hour)
    make_post(title="Later", published_at=now + 2 * hour)
    make_post(title="Soon", published_at=now + hour)
    make_post(
        title="Archived", status=Post.Status.ARCHIVED, published_at=now + hour / 2
    )
    published = Post.objects.published()
    latest_edit = Post.objects.aggregate(m=Max("updated_at"))["m"]
    changed, due = queries.freshness()
    # The next due post is the earliest scheduled one, not a draft or archive.
    assert due == Post.objects.scheduled().aggregate(m=Min("published_at"))["m"]
    assert due == Post.objects.get(title="Soon").published_at
    assert changed == max(latest_edit, published.aggregate(m=Max("published_at"))["m"])
    # A publication time that has passed counts as a change.
    Post.objects.filter(title="Old").update(published_at=now + hour / 4)
    with mock.patch("django.utils.timezone.now", return_value=now + hour / 3):
        assert queries.freshness()[0] == now + hour / 4
    # So does a SiteChange, as an aware datetime on every database.
    site = now + 9 * hour
    SiteChange.objects.create(changed_at=site)
    assert queries.freshness()[0] == site


def listing_dates_match():
    """Whether every tag and byline row carries its post's published_at."""
    rows = [
        *(
            (row.published_at, row.content_object.published_at)
            for row in TaggedPost.objects.all()
        ),
        *(
            (row.published_at, row.post.published_at)
            for row in PostAuthor.objects.all()
        ),
    ]
    assert rows, "no tag or byline rows to check"
    return all(listed == actual for listed, actual in rows)


def test_tag_and_byline_rows_carry_the_post_date_through_every_change(
    tmp_path, django_capture_on_commit_callbacks
):
    (tmp_path / "a.md").write_text(
        "---\ntitle: A\ndate: 2024-05-01\ntags: [x, y]\nauthor: [Ada, Bob]\n---\nText\n"
    )
    Importer().run([tmp_path])
    assert listing_dates_match()
    post = Post.objects.get(slug="a")
    # Added one at a time, as the admin's tag field and inlines do.
    post.tags.add("z")
    PostAuthor.objects.create(
        post=post, author=Author.objects.create(name="Cy", slug="cy"), position=2
    )
    assert listing_dates_match()
    # Changed by an edit (Post.save() writes the post's own row only)...
    post.published_at = post.published_at - timedelta(days=30)
    revisions.save_edit(post, by=None, save=post.save)
    assert listing_dates_match()
    # ...by the workflow, which updates in place...
    workflow.unpublish(post, by=None)
    later = timezone.now() + timedelta(days=2)
    workflow.publish(Post.objects.get(pk=post.pk), by=None, at=later)
    assert TaggedPost.objects.filter(published_at=later).count() == 3
    assert listing_dates_match()
    # ...and by a re-import of a changed file.
    (tmp_path / "a.md").write_text(
        "---\ntitle: A\ndate: 2023-01-02\ntags: [x]\nauthor: Ada\n---\nText\n"
    )
    Importer(overwrite=True).run([tmp_path])
    assert listing_dates_match()


def test_listed_ids_are_the_published_posts_in_section_order():
    # Random posts in every state, some scheduled, with tags, bylines and
    # categories, and ties on published_at: listed_ids() must give exactly
    # what published() and in_section() give, page by page.
    rng = random.Random(5)
    now = timezone.now()
    tags = ["red", "green", "blue"]
    authors = [Author.objects.create(name=f"A{n}", slug=f"a{n}") for n in range(3)]
    categories = [Category.objects.create(name=f"C{n}", slug=f"c{n}") for n in range(2)]
    statuses = list(Post.Status)
    for n in range(60):
        status = rng.choice(statuses)
        hours = rng.choice([-1, -2, -2, -5, 3]) * rng.randint(1, 4)
        post = make_post(
            title=f"Post {n}",
            status=status,
            published_at=now + timedelta(hours=hours),
            category=rng.choice([*categories, None]),
        )
        post.tags.add(*rng.sample(tags, rng.randint(0, 2)))
        add_authors(post, *rng.sample(authors, rng.randint(0, 2)))
    sections = [
        None,
        *(Section.of(tag) for tag in Tag.objects.all()),
        *(Section.of(author) for author in authors),
        *(Section.of(category) for category in categories),
    ]
    for section in sections:
        posts = Post.objects.published()
        if section is not None:
            posts = posts.in_section(section)
        expected = list(posts.values_list("pk", flat=True))
        assert expected or section is not None
        for start in range(0, len(expected) + 7, 7):
            listed = queries.listed_ids(start, start + 7, section)
            assert listed == expected[start : start + 7], section


def test_published_id_finds_only_what_published_finds():
    now = timezone.now()
    for status in Post.Status:
        for when, hours in (("past", -1), ("future", 1)):
            make_post(
                title=f"{status} {when}",
                slug=f"{status}-{when}",
                status=status,
                published_at=now + timedelta(hours=hours),
            )
    for post in Post.objects.all():
        visible = Post.objects.published().filter(pk=post.pk).exists()
        assert queries.published_id(post.slug) == (post.pk if visible else None)
    assert queries.published_id("published-past") is not None
    assert queries.published_id("no-such-post") is None
    # The article's one statement answers both of its questions alike.
    for slug in [*Post.objects.values_list("slug", flat=True), "no-such-post"]:
        pk, fresh = queries.published_id_and_freshness(slug)
        assert pk == queries.published_id(slug)
        assert fresh == queries.freshness()
