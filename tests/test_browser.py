"""The editorial path in a real browser: Python Playwright driving Debian's Chromium.

Screenshots of the admin screens are saved under ``var/test-artifacts/browser``
(or ``$NEWSDESK_ARTIFACT_DIR``).
"""

import time
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from news.models import Post

from .browser import ARTIFACT_ROOT
from .factories import image_bytes, make_user

ARTIFACTS = ARTIFACT_ROOT / "browser"


class Desk:
    """One person's browser session in the admin."""

    def __init__(self, browser, base, username):
        self.base = base
        self.page = browser.new_context(
            viewport={"width": 1280, "height": 900}
        ).new_page()
        self.page.set_default_timeout(15_000)
        self.page.goto(f"{base}/admin/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", "pw")
        self.page.click("input[type=submit]")
        self.page.wait_for_selector("#site-name")

    def open(self, post):
        self.page.goto(f"{self.base}/admin/news/post/{post.pk}/change/")

    def transition(self, post, label, *, comment="", at=""):
        self.open(post)
        self.page.click(f"a.workflow-button:text-is('{label}')")
        if comment:
            self.page.fill("#id_comment", comment)
        if at:
            self.page.fill("#id_at", at)
        self.page.click(f"input[type=submit][value='{label}']")
        self.page.wait_for_selector("ul.messagelist")
        return self.page.inner_text("ul.messagelist")

    def shot(self, name):
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_author_to_reader_through_review_and_scheduling(live_server, browser):
    make_user("ann", "Authors")
    make_user("edna", "Editors")
    make_user("pat", "Publishers")
    base = live_server.url

    # 1. The author writes a post with an image, watching the live preview.
    ann = Desk(browser, base, "ann")
    page = ann.page
    page.goto(f"{base}/admin/news/post/add/")
    page.locator("#id_title").press_sequentially("Hafen öffnet wieder")
    assert page.input_value("#id_slug") == "hafen-öffnet-wieder"
    page.fill("#id_body", "Ships are **back**.")
    preview = page.frame_locator(".markdown-preview-frame")
    preview.locator(".preview-article strong:text('back')").wait_for()
    page.set_input_files(
        ".markdown-image-file",
        {"name": "harbour.png", "mimeType": "image/png", "buffer": image_bytes()},
    )
    dialog = page.locator(".markdown-alt-dialog")
    dialog.locator("button[value=upload]").click()
    # No alt text, no upload: the dialog stays open and asks for it.
    assert dialog.is_visible()
    assert dialog.locator("[role=alert]").inner_text() == "Alt text is required."
    dialog.locator(".markdown-alt").fill("The harbour at dawn")
    dialog.locator("button[value=upload]").click()
    page.wait_for_selector(".markdown-upload-status:has-text('Inserted')")
    assert "![The harbour at dawn](uploads/" in page.input_value("#id_body")
    preview.locator(".preview-article img[alt='The harbour at dawn']").wait_for()
    ann.shot("1-author-writes")
    page.click("input[name=_save]")
    page.wait_for_selector("ul.messagelist")
    post = Post.objects.get()
    assert post.image_links.get().image.alt == "The harbour at dawn"
    assert "is now in review" in ann.transition(post, "Submit for review")
    ann.shot("2-author-submitted")

    # 2. An editor requests changes.
    edna = Desk(browser, base, "edna")
    message = edna.transition(post, "Request changes", comment="Name the ships.")
    assert "is now draft" in message
    edna.shot("3-editor-requests-changes")

    # 3. The author sees the comment, fixes the post and submits it again.
    ann.open(post)
    assert "Name the ships." in page.inner_text(".audit-trail")
    page.fill("#id_body", page.input_value("#id_body") + "\n\nThe *Aurora* came first.")
    page.click("input[name=_save]")
    page.wait_for_selector("ul.messagelist")
    assert "is now in review" in ann.transition(post, "Submit for review")

    # 4. An editor approves it.
    assert "is now approved" in edna.transition(post, "Approve")
    edna.shot("4-editor-approves")

    # 5. A publisher schedules it for tomorrow.
    pat = Desk(browser, base, "pat")
    at = timezone.localtime() + timedelta(days=1)
    message = pat.transition(post, "Publish or schedule", at=f"{at:%Y-%m-%dT%H:%M}")
    assert "is now scheduled for" in message
    pat.shot("5-publisher-schedules")

    # 6. A reader sees nothing until the time comes, then the post.
    reader = browser.new_context().new_page()
    url = f"{base}/news/hafen-öffnet-wieder/"
    assert reader.goto(url).status == 404
    with mock.patch("django.utils.timezone.now", return_value=at + timedelta(1)):
        response = reader.goto(url)
        assert response.status == 200
        assert "Aurora" in reader.inner_text("article")
        reader.screenshot(path=str(ARTIFACTS / "6-reader.png"), full_page=True)

    # 7. A day after it went live, a publisher sets the post to expire a few
    # seconds later. The reader still sees it until then, and a 404 after; the
    # workflow history says when it expires. (The clock runs on from a day
    # after the scheduled time. A new reader: the first one's browser may keep
    # the page it has for the max-age it was sent with.)
    real_now = timezone.now
    offset = at + timedelta(days=1) - real_now()
    with mock.patch(
        "django.utils.timezone.now", side_effect=lambda: real_now() + offset
    ):
        expires = (timezone.localtime() + timedelta(seconds=5)).replace(microsecond=0)
        pat.open(post)
        pat.page.fill("#id_expires_at_0", f"{expires:%Y-%m-%d}")
        pat.page.fill("#id_expires_at_1", f"{expires:%H:%M:%S}")
        pat.page.click("input[name=_continue]")
        pat.page.wait_for_selector("ul.messagelist")
        history = pat.page.inner_text(".audit-trail")
        assert f"Expires on {expires:%Y-%m-%d %H:%M:%S}" in history, history
        assert "Set expiry" in history or "set_expiry" in history, history
        pat.shot("7-publisher-sets-expiry")
        post.refresh_from_db()
        assert post.expires_at == expires
        reader = browser.new_context().new_page()
        assert reader.goto(url).status == 200
        deadline = time.monotonic() + 20
        while reader.goto(url).status != 404:
            assert time.monotonic() < deadline, "still public after its expiry"
            time.sleep(0.5)
        assert timezone.now() >= expires
        assert "Aurora" not in reader.content()
        # The publisher's post list says so.
        pat.page.goto(f"{base}/admin/news/post/")
        assert f"Expired on {expires:%Y-%m-%d %H:%M}" in pat.page.inner_text(
            "#result_list"
        )
