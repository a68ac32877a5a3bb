"""The editor's desk and the post list in Chromium at 1280 px, with a newsroom's
worth of content: 300 posts, 200 tags, 50 authors. Each page must fit the screen
(no horizontal scroll, under 3,000 px tall) and pass axe-core with no critical
or serious violation. Screenshots of the desk and the editing screen are saved
under ``var/test-artifacts/desk`` for the README.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from taggit.models import Tag

from news.documents import display, markdown
from news.editorial import workflow
from news.models import AuditEntry, Author, Post, PostAuthor, Presence, TaggedPost

from .browser import ARTIFACT_ROOT
from .factories import image_bytes, make_post, make_user

try:
    from axe_playwright_python.sync_playwright import Axe
except ImportError:  # skipped with the browser fixture when Playwright is missing
    Axe = None

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ARTIFACTS = ARTIFACT_ROOT / "desk"
MAX_HEIGHT = 3_000


def newsroom():
    """Make 300 posts with long titles, 200 tags and 50 authors, and the desk's
    lists something to show."""
    now = timezone.now()
    authors = Author.objects.bulk_create(
        Author(name=f"Writer Number {n}", slug=f"writer-{n}") for n in range(50)
    )
    tags = Tag.objects.bulk_create(
        Tag(name=f"topic {n}", slug=f"topic-{n}") for n in range(200)
    )
    statuses = [Post.Status.PUBLISHED, Post.Status.DRAFT, Post.Status.IN_REVIEW]
    posts = Post.objects.bulk_create(
        Post(
            title=f"Council weighs a long plan for the harbour, number {n}, "
            "after months of debate about the future of the old quay",
            slug=f"post-{n}",
            body="Text.",
            body_html="<p>Text.</p>",
            status=statuses[n % 3],
            published_at=now - timedelta(hours=n) if n % 3 == 0 else None,
        )
        for n in range(300)
    )
    PostAuthor.objects.bulk_create(
        PostAuthor(post=post, author=authors[n % 50]) for n, post in enumerate(posts)
    )
    TaggedPost.objects.bulk_create(
        TaggedPost(content_object=post, tag=tags[(n + k) % 200])
        for n, post in enumerate(posts)
        for k in range(3)
    )
    AuditEntry.objects.bulk_create(
        AuditEntry(post=post, transition="create", to_status=post.status)
        for post in posts
    )


def sign_in(browser, base, username):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    return page


def fits(page):
    """Return what keeps the page from fitting a 1280 px screen."""
    width, scroll_width, height = page.evaluate(
        "() => [document.documentElement.clientWidth,"
        " document.documentElement.scrollWidth,"
        " document.documentElement.scrollHeight]"
    )
    problems = []
    if scroll_width > width:
        problems.append(f"{page.url}: scrolls sideways, {scroll_width} > {width} px")
    if height >= MAX_HEIGHT:
        problems.append(f"{page.url}: {height} px tall")
    return problems


def axe_problems(page):
    results = Axe().run(page)
    return [
        f"{page.url}: axe {violation['id']} ({violation['impact']}):"
        f" {violation['help']} at {node['target']}"
        for violation in results.response["violations"]
        if violation["impact"] in {"critical", "serious"}
        for node in violation["nodes"]
    ]


def test_the_desk_and_the_lists_fit_and_pass_axe(live_server, browser):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    ann = make_user("ann", "Authors")
    make_user("edna", "Editors")
    newsroom()
    mine = make_post(title="Ann's feature on the quay", status=Post.Status.DRAFT)
    mine.bylines.create(author=ann.author)
    returned = make_post(title="Ann's piece on the ferry", status=Post.Status.DRAFT)
    returned.bylines.create(author=ann.author)
    workflow.submit(returned, by=ann)
    editor = make_user("pat", "Editors", "Publishers")
    workflow.request_changes(returned, by=editor, comment="Name the source.")
    base = live_server.url

    page = sign_in(browser, base, "pat")
    problems = []
    page.goto(f"{base}/admin/")
    assert page.inner_text("h1") == "Your desk"
    problems += fits(page) + axe_problems(page)
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

    for list_url in ["/admin/news/post/", "/admin/news/auditentry/"]:
        page.goto(f"{base}{list_url}")
        problems += fits(page)
    page.goto(f"{base}/admin/news/post/")
    problems += axe_problems(page)
    # A select filter takes the editor to the tag's posts.
    page.select_option("#filter-tags", label="topic 7")
    page.wait_for_url("**tags__id__exact=*")
    assert (
        page.inner_text("#result_list tbody").count("Council weighs") == 6
    )  # posts 5-7, 205-207

    page.goto(f"{base}/admin/news/post/import/")
    problems += axe_problems(page)
    page.goto(f"{base}/admin/news/post/{mine.pk}/change/")
    problems += axe_problems(page)

    author = sign_in(browser, base, "ann")
    author.goto(f"{base}/admin/")
    assert "Name the source." in author.inner_text("#desk-requested")
    problems += axe_problems(author)
    assert problems == [], "\n".join(problems)


BODY = """## The old quay

The council met on Tuesday. **Nobody** left early.

```python
def vote(council):
    return council.majority()
```
"""


def drop_image(page, selector, name, data):
    """Drop a file on ``selector`` as a person dragging it from their desktop."""
    transfer = page.evaluate_handle(
        """([name, bytes]) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([new Uint8Array(bytes)], name, {type: "image/png"}));
            return transfer;
        }""",
        [name, list(data)],
    )
    page.dispatch_event(selector, "dragover", {"dataTransfer": transfer})
    page.dispatch_event(selector, "drop", {"dataTransfer": transfer})


def test_write_beside_the_preview_drop_an_image_and_restore_after_a_crash(
    live_server, browser
):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    ann = make_user("ann", "Authors")
    make_user("edna", "Editors", first_name="Edna")
    post = make_post(title="The quay", body="Draft.", status=Post.Status.DRAFT)
    post.bylines.create(author=ann.author)
    base = live_server.url
    change = f"{base}/admin/news/post/{post.pk}/change/"

    page = sign_in(browser, base, "ann")
    page.goto(change)
    # The Markdown and its preview side by side, as tall as the window.
    text = page.locator("#id_body").bounding_box()
    frame = page.locator(".markdown-preview-frame").bounding_box()
    assert frame["x"] >= text["x"] + text["width"]
    assert text["height"] > 600 and frame["height"] > 600
    page.fill("#id_body", BODY)
    preview = page.frame_locator(".markdown-preview-frame")
    preview.locator(".preview-article #the-old-quay").wait_for()
    # Highlighted as the public article is, with the public stylesheet.
    preview.locator(".preview-article div.highlight pre").wait_for()
    assert preview.locator("link[href*='site.css']").count() == 1
    # Counted as the public article counts them.
    words = display.word_count(markdown.render(BODY))
    assert page.inner_text(".markdown-count") == f"{words} words · 1 min read"
    assert preview.locator("link[href*='code.css']").count() == 1
    # The toolbar wraps the selection.
    page.locator("#id_body").press("End")
    page.locator("#id_body").press("Enter")
    page.click(".markdown-toolbar [data-md=quote]")
    assert page.input_value("#id_body").endswith("> ")
    page.keyboard.type("Ferries")
    page.keyboard.press("Control+Shift+ArrowLeft")
    page.keyboard.press("Control+b")
    assert page.input_value("#id_body").endswith("> **Ferries**")
    page.keyboard.press("End")

    # An image dropped on the Markdown asks for its alt text, then goes in.
    drop_image(page, "#id_body", "dusk.png", image_bytes(size=(40, 30)))
    dialog = page.locator(".markdown-alt-dialog")
    dialog.locator(".markdown-alt").fill("The quay at dusk")
    dialog.locator("button[value=upload]").click()
    page.wait_for_selector(".markdown-upload-status:has-text('Inserted dusk.png')")
    body = page.input_value("#id_body")
    # At the caret, where the quote was started.
    assert body.startswith(BODY + "\n> **Ferries**\n![The quay at dusk](uploads/")
    preview.locator(".preview-article img[alt='The quay at dusk']").wait_for()

    # The work is kept within seconds.
    page.wait_for_selector(".autosave-status:has-text('Unsaved work kept')")
    page.screenshot(path=str(ARTIFACTS / "editing.png"), full_page=True)
    # The preview follows the Markdown's scroll.
    page.fill("#id_body", body + "\n\nMore text.\n" * 80)
    preview.locator(".preview-article #the-old-quay").wait_for()
    page.locator("#id_body").evaluate("t => { t.scrollTop = t.scrollHeight; }")
    frame_window = page.frame_locator(".markdown-preview-frame").owner
    page.wait_for_function(
        "f => f.contentWindow.scrollY > 500",
        arg=frame_window.element_handle(),
    )
    # Leaving with unsaved work asks first; staying keeps it.
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    page.close(run_before_unload=True)
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    # The tab then dies without saving.
    page.context.close()
    post.refresh_from_db()
    assert post.body == "Draft."

    # Edna opens the post; Ann comes back to an offer, and a notice.
    edna = sign_in(browser, base, "edna")
    edna.goto(f"{base}/admin/news/post/{post.pk}/change/")
    page = sign_in(browser, base, "ann")
    page.goto(change)
    assert page.locator(".presence-notice").is_visible()
    assert "Edna" in page.inner_text(".presence-notice")
    assert page.locator(".autosave-offer").is_visible()
    problems = axe_problems(page)
    page.click(".autosave-restore")
    assert "![The quay at dusk](uploads/" in page.input_value("#id_body")
    assert not page.locator(".autosave-offer").is_visible()
    page.click("input[name=_continue]")
    page.wait_for_selector("ul.messagelist")
    post.refresh_from_db()
    assert "![The quay at dusk](uploads/" in post.body
    assert post.image_links.get().image.alt == "The quay at dusk"
    assert not page.locator(".autosave-offer").count()
    # Edna leaves the form: her presence ends at once, not after the window.
    assert Presence.objects.filter(user__username="edna").exists()
    edna.goto(f"{base}/admin/")
    edna.wait_for_timeout(500)
    assert not Presence.objects.filter(user__username="edna").exists()
    assert problems == [], "\n".join(problems)


def test_compare_and_restore_a_revision(live_server, browser):
    ann = make_user("ann", "Authors")
    make_user("edna", "Editors")
    post = make_post(title="Ferry", body="The ferry sails at nine.", status="draft")
    post.bylines.create(author=ann.author)
    base = live_server.url

    page = sign_in(browser, base, "ann")
    page.goto(f"{base}/admin/news/post/{post.pk}/change/")
    page.fill("#id_body", "The ferry sails at ten.")
    page.fill("#id_reason", "New timetable")
    page.click("input[name=_continue]")
    page.wait_for_selector("ul.messagelist")
    page.click("a:text-is('Submit for review')")
    page.click("input[type=submit][value='Submit for review']")
    page.wait_for_selector("ul.messagelist")

    edna = sign_in(browser, base, "edna")
    edna.goto(f"{base}/admin/news/post/{post.pk}/change/")
    edna.fill("#id_body", "The ferry sails at ten, from pier 3.")
    edna.click("input[name=_continue]")
    edna.wait_for_selector("ul.messagelist")
    edna.goto(f"{base}/admin/news/post/{post.pk}/revisions/")
    assert "Comparing revision 1 by ann with revision 2 by edna" in edna.inner_text(
        "#comparing"
    )
    assert edna.inner_text("#diff-body ~ table ins") == ", from pier 3"
    timeline = edna.inner_text("#revisions")
    assert "Submit: Draft → In review" in timeline and "New timetable" in timeline
    problems = axe_problems(edna)
    edna.click("button:text-is('Restore revision 1 by ann')")
    edna.wait_for_selector("ul.messagelist")
    assert "Restored revision 1 by ann." in edna.inner_text("ul.messagelist")
    post.refresh_from_db()
    assert post.body == "The ferry sails at ten."
    assert problems == [], "\n".join(problems)


def test_reschedule_on_the_calendar_by_mouse_and_keyboard(live_server, browser):
    make_user("pat", "Editors", "Publishers")
    today = timezone.localdate()
    # The middle of the month, so that both days stay in the month shown.
    day = today.replace(day=10)
    when = timezone.make_aware(
        timezone.datetime.combine(day, timezone.datetime.min.time())
    ) + timedelta(days=365, hours=9)
    month = when.date().replace(day=1)
    later = make_post(title="Harbour plan", published_at=when)
    draft = make_post(title="Ferry piece", status=Post.Status.DRAFT)
    Post.objects.filter(pk=draft.pk).update(planned_for=when.date())
    base = live_server.url

    page = sign_in(browser, base, "pat")
    page.goto(f"{base}/admin/news/post/calendar/?month={month:%Y-%m}")
    problems = axe_problems(page)
    # The mouse: drag the scheduled post three days on.
    target = when.date() + timedelta(days=3)
    page.locator(f"li[data-post='{later.pk}']").drag_to(
        page.locator(f"td[data-day='{target:%Y-%m-%d}']")
    )
    page.wait_for_selector("ul.messagelist")
    assert "Moved “Harbour plan”" in page.inner_text("ul.messagelist")
    later.refresh_from_db()
    assert timezone.localtime(later.published_at).date() == target
    assert timezone.localtime(later.published_at).hour == 9
    # The keyboard: open the draft's Move, type the day, press Enter.
    page.locator(f"#move-{draft.pk}").locator("..").locator("summary").focus()
    page.keyboard.press("Enter")
    page.locator(f"#move-{draft.pk}-day").focus()
    new_day = when.date() + timedelta(days=1)
    page.fill(f"#move-{draft.pk}-day", f"{new_day:%Y-%m-%d}")
    page.keyboard.press("Enter")
    page.wait_for_selector("ul.messagelist:has-text('Ferry piece')")
    draft.refresh_from_db()
    assert draft.planned_for == new_day
    assert problems == [], "\n".join(problems)


def test_the_site_settings_form_refuses_a_faint_colour_and_renames_the_admin(
    live_server, browser
):
    make_user("chief", superuser=True)
    base = live_server.url
    page = sign_in(browser, base, "chief")
    page.goto(f"{base}/admin/news/sitesettings/")
    assert page.url.endswith("/admin/news/sitesettings/1/change/")
    problems = fits(page) + axe_problems(page)
    page.fill("#id_site_name", "Harbour Times")
    page.fill("#id_accent", "#ffcc00")
    page.click("input[name=_save]")
    error = page.inner_text(".field-accent .errorlist")
    assert "contrasts only 1.5:1 with white" in error
    problems += axe_problems(page)
    page.fill("#id_accent", "#8a1c1c")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist")
    assert page.inner_text("#site-name") == "Harbour Times"
    assert problems == [], "\n".join(problems)
