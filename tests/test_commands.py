import pytest
from django.core.management import call_command

from news.models import Post

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
