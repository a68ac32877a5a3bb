import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from news.models import Post
from tests.conftest import QUEUED_ONLY

from .factories import make_post

pytestmark = pytest.mark.django_db


def test_rerender_posts_refreshes_stale_html(capsys):
    post = make_post(body="**new renderer**")
    make_post(title="Fresh", body="already fine")
    Post.objects.filter(pk=post.pk).update(body_html="<p>stale</p>")
    call_command("rerender_posts")
    assert "Re-rendered 2 posts; 1 changed." in capsys.readouterr().out
    post.refresh_from_db()
    assert "<strong>new renderer</strong>" in post.body_html


def test_rerender_posts_queues_chunks_of_posts(capsys):
    stale = [make_post(title=f"Post {n}", body=f"**bold {n}**") for n in range(5)]
    Post.objects.filter(pk__in=[p.pk for p in stale[:3]]).update(body_html="<p>old</p>")
    # The suite's immediate backend runs each chunk as it is queued.
    call_command("rerender_posts", "--chunk-size", "2")
    assert "Re-rendered 5 posts; 3 changed." in capsys.readouterr().out
    assert all(
        "<strong>bold" in html
        for html in Post.objects.values_list("body_html", flat=True)
    )


def test_rerender_posts_reports_chunks_left_to_the_workers(capsys, settings):
    settings.TASKS = QUEUED_ONLY
    for n in range(3):
        make_post(title=f"Post {n}")
    call_command("rerender_posts", "--chunk-size", "2")
    out = capsys.readouterr().out
    assert "Queued 3 posts in chunks of up to 2 for the workers." in out
    assert "Re-rendered" not in out


def test_rerender_posts_now_renders_in_the_command(capsys, settings):
    settings.TASKS = QUEUED_ONLY
    post = make_post(body="*now*")
    Post.objects.filter(pk=post.pk).update(body_html="")
    call_command("rerender_posts", "--now", "--chunk-size", "1")
    assert "Re-rendered 1 posts; 1 changed." in capsys.readouterr().out
    post.refresh_from_db()
    assert "<em>now</em>" in post.body_html


def test_rerender_posts_refuses_a_chunk_size_below_one():
    with pytest.raises(CommandError, match="invalid positive value"):
        call_command("rerender_posts", "--chunk-size", "0")
