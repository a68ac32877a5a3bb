"""The media library in Chromium at 1280 px: an author finds an image by its
words, opens it, and sees where it is used; the library and the image page pass
axe-core with no critical or serious violation."""

import pytest

from news.media import images, library, renditions
from news.models import PostImage

from .browser import ARTIFACT_ROOT
from .factories import image_bytes, make_post, make_user
from .test_desk_browser import axe_problems, fits, sign_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ARTIFACTS = ARTIFACT_ROOT / "desk"


def test_an_author_finds_an_image_and_where_it_is_used(
    live_server, browser, media_root
):
    make_user("ann", "Authors")
    for n in range(30):
        image, _ = images.store(
            image_bytes(size=(320, 200), color=(n * 8, 90, 200 - n * 6)),
            alt=f"Harbour photo number {n}",
        )
        renditions.ensure(image)
    crane, _ = images.store(
        image_bytes(size=(300, 200), color=(250, 250, 0)), alt="A yellow crane"
    )
    images.store(
        b"<svg xmlns='http://www.w3.org/2000/svg' width='8' height='8'/>",
        alt="Site logo",
    )
    post = make_post(title="Cranes return to the quay", banner=crane)
    other = make_post(title="A history of lifting")
    PostImage.objects.create(post=other, image=crane, reference="crane.png")
    base = live_server.url

    page = sign_in(browser, base, "ann")
    page.goto(f"{base}/admin/news/image/")
    page.click("text=Media library")
    page.wait_for_selector(".library-grid")
    assert page.locator(".library-grid li").count() == 32
    # Every thumbnail loads (they load lazily: ask for them all now).
    page.evaluate(
        "document.querySelectorAll('.library-grid img').forEach(i => i.loading = 'eager')"
    )
    thumbnails = page.locator(".library-grid img")
    for n in range(thumbnails.count()):
        thumbnails.nth(n).scroll_into_view_if_needed()
    page.wait_for_load_state("networkidle")
    widths = thumbnails.evaluate_all(
        "imgs => imgs.map(i => i.complete && i.naturalWidth)"
    )
    assert all(widths), widths
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "media-library.png"), full_page=True)
    problems = fits(page) + axe_problems(page)

    page.fill("#library-q", "crane")
    page.click("button:has-text('Find')")
    page.wait_for_url("**q=crane*")
    assert page.locator(".library-grid li").all_inner_texts() == [
        "A yellow crane\n300×200 PNG"
    ]
    page.select_option("#library-kind", label="Vector (SVG)")
    page.fill("#library-q", "")
    page.click("button:has-text('Find')")
    page.wait_for_url("**kind=vector*")
    assert page.locator(".library-grid li").all_inner_texts() == [
        "Site logo\n8×8 SVG, not used"
    ]
    problems += axe_problems(page)

    page.goto(f"{base}/admin/news/image/library/?q=crane")
    page.click(".library-grid a")
    page.wait_for_selector(".image-uses")
    assert page.locator(".image-uses li").all_inner_texts() == [
        "Cranes return to the quay (banner)",
        "A history of lifting (in the body)",
    ]
    assert crane.sha256 not in page.inner_text("body")
    problems += fits(page) + axe_problems(page)
    link = page.locator(".image-uses a", has_text="Cranes return to the quay")
    assert link.get_attribute("href") == f"/admin/news/post/{post.pk}/change/"
    assert problems == []


def test_an_editor_sets_the_focal_point_by_clicking(live_server, browser, media_root):
    from django.contrib.auth.models import Permission

    from news.models import Image

    editor = make_user("edna", "Editors")
    editor.user_permissions.add(Permission.objects.get(codename="change_image"))
    image, _ = images.store(image_bytes(size=(400, 200)), alt="Boats at the quay")
    make_post(title="Boats return", banner=image)
    base = live_server.url

    page = sign_in(browser, base, "edna")
    page.goto(f"{base}/admin/news/image/{image.pk}/change/")
    picture = page.locator(".focal-picture img")
    box = picture.bounding_box()
    # A click a quarter across and three quarters down.
    page.mouse.click(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.75)
    assert page.input_value("#id_focal_x") == "25"
    assert page.input_value("#id_focal_y") == "75"
    assert page.locator(".focal-marker").is_visible()
    problems = fits(page) + axe_problems(page)
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist")
    image = Image.objects.get()
    assert (image.focal_x, image.focal_y) == (25, 75)
    assert problems == []


def test_choosing_a_banner_shows_its_thumbnail(live_server, browser, media_root):
    from news.models import Post, PostAuthor

    ann = make_user("ann", "Authors")
    quay, _ = images.store(image_bytes(size=(300, 200)), alt="The quay at dawn")
    renditions.ensure(quay)
    post = make_post(title="Quay reopens", status=Post.Status.DRAFT)
    PostAuthor.objects.create(post=post, author=ann.author)
    base = live_server.url

    page = sign_in(browser, base, "ann")
    page.goto(f"{base}/admin/news/post/{post.pk}/change/")
    preview = page.locator(".image-choice-preview")
    assert not preview.is_visible()
    page.select_option(
        "#id_banner",
        label=page.locator(
            "#id_banner option", has_text="The quay at dawn"
        ).inner_text(),
    )
    preview.wait_for(state="visible")
    src = preview.get_attribute("src")
    assert src.startswith("/media/renditions/") and src.endswith(".webp"), src
    assert preview.evaluate("img => img.complete && img.naturalWidth") > 0
    assert axe_problems(page) == []


def test_the_banner_is_chosen_by_thumbnail_in_a_dialog(
    live_server, browser, media_root
):
    from news.models import Post, PostAuthor

    ann = make_user("ann", "Authors")
    quay, _ = images.store(image_bytes(size=(300, 200)), alt="The quay at dawn")
    renditions.ensure(quay)
    ferry, _ = images.store(
        image_bytes(size=(300, 200), color=(10, 10, 220)), alt="A ferry leaving"
    )
    renditions.ensure(ferry)
    post = make_post(title="Quay reopens", status=Post.Status.DRAFT, banner=quay)
    PostAuthor.objects.create(post=post, author=ann.author)
    base = live_server.url

    page = sign_in(browser, base, "ann")
    page.goto(f"{base}/admin/news/post/{post.pk}/change/")
    dialog = page.get_by_role("dialog", name="Choose an image")
    assert not dialog.is_visible()
    opener = page.get_by_role("button", name="Choose by thumbnail")
    opener.click()
    dialog.wait_for(state="visible")
    picks = dialog.locator(".image-choice-pick")
    picks.first.wait_for()
    assert picks.all_inner_texts() == [
        "A ferry leaving\n300×200 PNG",
        "The quay at dawn\n300×200 PNG",
    ]
    page.wait_for_load_state("networkidle")
    assert all(
        picks.locator("img").evaluate_all(
            "imgs => imgs.map(i => i.complete && i.naturalWidth)"
        )
    )
    assert quay.sha256 not in dialog.inner_text()
    # The search field has the focus; what is typed narrows the grid.
    assert page.evaluate("document.activeElement.type") == "search"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "banner-dialog.png"))
    problems = axe_problems(page)
    page.keyboard.type("ferry")
    picks.filter(has_text="The quay").wait_for(state="detached")
    assert picks.all_inner_texts() == ["A ferry leaving\n300×200 PNG"]
    # Chosen with the keyboard: Tab to the thumbnail, Enter picks it.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.image") == str(ferry.pk)
    page.keyboard.press("Enter")
    assert not dialog.is_visible()
    assert page.input_value("#id_banner") == str(ferry.pk)
    preview = page.locator(".image-choice-preview")
    assert preview.get_attribute("src") == library.thumbnail_url(ferry)
    # Focus is back on the button that opened the dialog; Escape closes it.
    assert page.evaluate("document.activeElement.textContent") == "Choose by thumbnail"
    opener.click()
    dialog.wait_for(state="visible")
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist")
    post.refresh_from_db()
    assert post.banner == ferry
    assert problems == []


def test_without_javascript_the_banner_is_chosen_in_the_list(
    live_server, browser, media_root
):
    from news.models import Post, PostAuthor

    ann = make_user("ann", "Authors")
    images.store(image_bytes(size=(300, 200)), alt="The quay at dawn")
    ferry, _ = images.store(
        image_bytes(size=(300, 200), color=(10, 10, 220)), alt="A ferry leaving"
    )
    post = make_post(title="Quay reopens", status=Post.Status.DRAFT)
    PostAuthor.objects.create(post=post, author=ann.author)
    base = live_server.url

    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{base}/admin/login/?next=/admin/news/post/{post.pk}/change/")
    page.fill("#id_username", "ann")
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    page.wait_for_selector("#id_banner")
    assert not page.get_by_role("button", name="Choose by thumbnail").is_visible()
    page.select_option(
        "#id_banner",
        label=page.locator("#id_banner option", has_text="A ferry").inner_text(),
    )
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist")
    post.refresh_from_db()
    assert post.banner == ferry
    context.close()
