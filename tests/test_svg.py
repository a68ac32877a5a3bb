"""SVG images: accepted wherever images enter when they only draw, refused
naming the file and the reason when they could run or fetch anything, shown as
themselves (no renditions) and served only as an image (news.media.svg,
news.media.images, news.public.media)."""

import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from news.documents.exporter import DirectoryWriter, export, posts_for_export
from news.documents.importer import Importer
from news.media import images, renditions, svg
from news.models import Image, Post, Rendition

from .factories import image_bytes, make_post, make_user, read_tree, write_tree

pytestmark = pytest.mark.django_db

SVG_OPEN = (
    '<svg xmlns="http://www.w3.org/2000/svg" '
    'xmlns:xlink="http://www.w3.org/1999/xlink"{attrs}>'
)


def drawing(inner="", attrs=' viewBox="0 0 200 100"'):
    return (SVG_OPEN.format(attrs=attrs) + inner + "</svg>\n").encode()


# A diagram as drawing programs write them: an XML declaration, a bare DOCTYPE,
# Inkscape's own attributes (a Windows path among them), internal references,
# an inline style, an embedded bitmap and a link within the file.
DIAGRAM = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
    b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
    b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" '
    b'xmlns:xlink="http://www.w3.org/1999/xlink" '
    b'xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" '
    b'width="400" viewBox="0 0 200 100" '
    b'inkscape:export-filename="C:\\Users\\ana\\diagram.png">\n'
    b"  <title>Flow</title>\n"
    b'  <defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/>'
    b'</linearGradient><g id="box"><rect width="40" height="20"/></g></defs>\n'
    b"  <style>rect { fill: url(#g); stroke: #333 }</style>\n"
    b'  <use xlink:href="#box" x="10" y="10"/><use href="#box" x="80" y="10"/>\n'
    b'  <image width="4" height="4" href="data:image/png;base64,iVBORw0KGgo="/>\n'
    b'  <a href="#box"><text x="10" y="80" style="fill: red">Start \xe2\x86\x92'
    b"</text></a>\n"
    b"</svg>\n"
)

HOSTILE = {
    "script": (drawing("<script>alert(1)</script>"), "a <script> element"),
    "onload": (
        drawing(attrs=' onload="alert(1)"'),
        'an event attribute, onload="alert(1)" on <svg>',
    ),
    "onclick on a shape": (
        drawing('<rect width="9" height="9" onclick="alert(1)"/>'),
        'an event attribute, onclick="alert(1)" on <rect>',
    ),
    "foreignObject": (
        drawing(
            "<foreignObject><body xmlns='http://www.w3.org/1999/xhtml'>"
            "<img src='x' onerror='alert(1)'/></body></foreignObject>"
        ),
        "a <foreignObject> element",
    ),
    "external href": (
        drawing('<image href="https://evil.example/x.png"/>'),
        'a reference outside the file, href="https://evil.example/x.png" on <image>',
    ),
    "xlink:href to http": (
        drawing('<image xlink:href="http://evil.example/x.png"/>'),
        'a reference outside the file, xlink:href="http://evil.example/x.png"',
    ),
    "use of an external file": (
        drawing('<use href="sprites.svg#icon"/>'),
        'a reference outside the file, href="sprites.svg#icon" on <use>',
    ),
    "javascript: href": (
        drawing('<a href=" javascript:alert(1)"><text>x</text></a>'),
        'a reference outside the file, href="javascript:alert(1)" on <a>',
    ),
    "javascript: xlink:href": (
        drawing('<a xlink:href="JaVaScRiPt:alert(1)"><text>x</text></a>'),
        'xlink:href="JaVaScRiPt:alert(1)" on <a>',
    ),
    "an SVG as a data URI": (
        drawing('<image href="data:image/svg+xml,&lt;svg onload=alert(1)&gt;"/>'),
        "a reference outside the file",
    ),
    "an animation setting an href": (
        drawing('<a><set attributeName="xlink:href" to="javascript:alert(1)"/></a>'),
        'an animation (<set>) that sets the attribute "href"',
    ),
    "url() in a style element": (
        drawing("<style>rect { fill: url( 'https://evil.example/p.svg#a') }</style>"),
        "a style that loads another file (url(https://evil.example/p.svg#a)) "
        "in a <style> element",
    ),
    "url() in a style attribute": (
        drawing('<rect style="background:url(//evil.example/t.png)"/>'),
        "a style that loads another file (url(//evil.example/t.png)), "
        'style="background:url(//evil.example/t.png)" on <rect>',
    ),
    "url() in a presentation attribute": (
        drawing('<rect filter="url(https://evil.example/f.svg#f)"/>'),
        "a style that loads another file",
    ),
    "xml:base": (
        drawing('<g xml:base="https://evil.example/"><use href="#a"/></g>'),
        'an xml:base, xml:base="https://evil.example/" on <g>',
    ),
    "url() after a child of a style element": (
        drawing("<style>a {}<x/>rect { fill: url(https://evil.example/p) }</style>"),
        "a style that loads another file (url(https://evil.example/p))",
    ),
    "@import": (
        drawing('<style>@import "https://evil.example/a.css";</style>'),
        "a style that loads another file (@import) in a <style> element",
    ),
    "a CSS escape hiding url(": (
        drawing(r'<rect style="fill: u\72l(https://evil.example/x)"/>'),
        "a CSS escape",
    ),
    "a stylesheet instruction": (
        b'<?xml-stylesheet href="https://evil.example/a.css"?>' + drawing(),
        "an <?xml-stylesheet?> loads another file",
    ),
    "an HTML element": (
        drawing('<iframe xmlns="http://www.w3.org/1999/xhtml" src="/admin/"/>'),
        "an HTML <iframe> element",
    ),
    "billion laughs": (
        b'<?xml version="1.0"?>\n<!DOCTYPE svg [\n<!ENTITY a "lollollollol">\n'
        + b"".join(
            f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">\n'.encode()
            for i in range(9)
        )
        + b"]>\n"
        + drawing("<text>&j;</text>"),
        "unsafe SVG: it declares a DTD or XML entities",
    ),
    "an external entity": (
        b'<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        + drawing("<text>&x;</text>"),
        "it declares a DTD or XML entities",
    ),
    "a default attribute from a DTD": (
        b'<!DOCTYPE svg [<!ATTLIST svg onload CDATA "alert(1)">]>' + drawing(),
        "it declares a DTD or XML entities",
    ),
}


def test_a_diagram_is_stored_byte_for_byte_with_its_shown_size():
    image, created = images.store(DIAGRAM, alt="The flow")
    assert created
    assert image.file.name == f"images/{image.sha256[:2]}/{image.sha256}.svg"
    assert default_storage.open(image.file.name).read() == DIAGRAM
    # width 400, and a height in the viewBox's proportions.
    assert (image.width, image.height) == (400, 200)


@pytest.mark.parametrize(
    ("attrs", "size"),
    [
        (' width="120" height="80"', (120, 80)),
        (' width="120px" height="80.4px" viewBox="0 0 10 10"', (120, 80)),
        (' width="1in" height="72pt"', (96, 96)),
        (' height="50" viewBox="0,0,300,150"', (100, 50)),
        (' width="100%" height="100%" viewBox="0 0 640 480"', (640, 480)),
        ("", svg.DEFAULT_SIZE),
    ],
)
def test_the_shown_size_comes_from_width_height_and_viewbox(attrs, size):
    assert images.inspect(drawing(attrs=attrs)) == images.ImageInfo("SVG", *size)


@pytest.mark.parametrize(("data", "reason"), HOSTILE.values(), ids=HOSTILE.keys())
def test_an_svg_that_could_run_or_fetch_anything_is_refused(data, reason):
    with pytest.raises(images.InvalidImage) as refused:
        images.store(data, alt="x")
    assert reason in str(refused.value)
    assert not Image.objects.exists()


@pytest.mark.parametrize(
    "style",
    [
        "@font-face { font-family: F; src: url(data:font/woff2;base64,d09GMgAB) }",
        "@font-face { src: url('data:application/font-woff;base64,d09GRgAB') }",
        "rect { fill: url(data:image/png;base64,iVBORw0KGgo=) }",
    ],
)
def test_a_style_may_embed_fonts_and_bitmaps_whole(style):
    image, created = images.store(drawing(f"<style>{style}</style>"), alt="x")
    assert created and image.file.name.endswith(".svg")


@pytest.mark.parametrize(
    "target",
    ["data:image/svg+xml;base64,PHN2Zz4=", "data:text/html,hi", "data:,x"],
)
def test_a_style_may_not_embed_other_documents(target):
    with pytest.raises(images.InvalidImage, match="a style that loads another file"):
        images.store(drawing(f"<style>rect {{ fill: url({target}) }}</style>"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<svg onload=alert(1)>", "not a recognised image file: not well-formed XML"),
        (
            b"<svg width='10' height='10'/>",
            "not a recognised image file: XML whose root is not an <svg> element "
            'in the SVG namespace (xmlns="http://www.w3.org/2000/svg")',
        ),
        (b"<html><body>hi</body></html>", "not a recognised image file"),
    ],
)
def test_xml_that_is_not_an_svg_is_not_an_image(data, message):
    with pytest.raises(images.InvalidImage) as refused:
        images.store(data)
    assert message in str(refused.value)


def test_the_pixel_cap_holds_for_the_size_an_svg_declares(settings):
    settings.NEWSDESK_MAX_IMAGE_PIXELS = 100 * 100
    with pytest.raises(images.InvalidImage, match="101x100 pixels, over the limit"):
        images.store(drawing(attrs=' width="101" height="100"'))


def test_svg_can_be_turned_off_in_the_format_allowlist(settings):
    settings.NEWSDESK_IMAGE_FORMATS = ("JPEG", "PNG")
    with pytest.raises(images.InvalidImage, match="SVG images are not accepted"):
        images.store(DIAGRAM)


def test_an_svg_has_no_renditions_and_is_shown_as_itself():
    image, _ = images.store(DIAGRAM, alt="The flow")
    shown = renditions.picture(image)
    assert shown.vector
    assert (shown.src, shown.width, shown.height) == (image.file.url, 400, 200)
    assert shown.srcset == shown.webp_srcset == ""
    assert not Rendition.objects.exists()
    assert default_storage.listdir("")[0] == ["images"]


SITE = {
    "news/flow.md": "---\ntitle: The flow\ndate: 2024-05-01\nbanner: img/banner.svg\n---\n"
    "How it works:\n\n![The flow](img/flow.svg)\n\n![A photo](img/photo.png)\n",
    "news/img/flow.svg": DIAGRAM,
    "news/img/banner.svg": drawing(
        '<rect width="10" height="5"/>', ' viewBox="0 0 16 9"'
    ),
    "news/img/photo.png": image_bytes(size=(30, 20)),
}


def test_imported_svgs_are_shown_as_img_with_their_size_and_come_back_out(
    client, tmp_path
):
    report = Importer(status=Post.Status.PUBLISHED).run(
        [write_tree(tmp_path / "in", SITE)]
    )
    assert (report.created, report.warnings, report.failed) == (1, 0, 0), [
        str(p) for p in report.problems
    ]
    post = Post.objects.get()
    flow = Image.objects.get(file__endswith=".svg", width=400)
    assert post.banner.file.name.endswith(".svg")
    page = client.get(post.get_absolute_url()).content.decode()
    body = f'<img alt="The flow" src="{flow.file.url}" width="400" height="200"'
    assert body in page
    banner = re.search(r'<figure class="banner">(.*?)</figure>', page, re.S)[1]
    assert banner.startswith(f'<img src="{post.banner.file.url}"')
    assert 'width="16" height="9"' in banner
    # The PNG beside them still gets its renditions; the SVGs get none.
    assert page.count("<picture>") == 1
    assert ".svg" not in "".join(re.findall(r"<picture>.*?</picture>", page, re.S))
    assert set(Rendition.objects.values_list("image__file", flat=True)) == {
        Image.objects.get(file__endswith=".png").file.name
    }
    # An SVG is no preview image for social sites or search engines: they
    # get the post's drawn social card (news.media.social) instead.
    previews = re.findall(r'(?:og:image|twitter:image)" content="([^"]+)"', page)
    assert len(previews) == 2
    assert all("/media/social/" in url and url.endswith(".png") for url in previews)
    assert ".svg" not in re.search(r'"image": \[[^]]*\]', page)[0]
    export(posts_for_export(), DirectoryWriter(tmp_path / "out"))
    assert read_tree(tmp_path / "out") == read_tree(tmp_path / "in")


def test_an_unsafe_svg_in_an_import_is_a_warning_naming_it_and_why(tmp_path):
    tree = write_tree(
        tmp_path,
        {
            "post.md": "---\ntitle: T\nbanner: evil.svg\n---\n![](chart.svg)\n",
            "evil.svg": HOSTILE["onload"][0],
            "chart.svg": HOSTILE["xlink:href to http"][0],
        },
    )
    report = Importer().run([tree])
    warnings = [str(p) for p in report.problems if p.level == "warning"]
    assert report.created == 1
    assert any(
        'evil.svg: unsafe SVG: an event attribute, onload="alert(1)" on <svg>' in w
        for w in warnings
    ), warnings
    assert any(
        "chart.svg: unsafe SVG: a reference outside the file, "
        'xlink:href="http://evil.example/x.png" on <image>' in w
        for w in warnings
    ), warnings
    assert not Image.objects.exists()
    assert Post.objects.get().banner is None


def test_the_admin_import_takes_markdown_with_its_svg_files(client):
    client.force_login(make_user("ed", superuser=True))
    files = [
        SimpleUploadedFile("post.md", b"---\ntitle: T\n---\n![Flow](flow.svg)\n"),
        SimpleUploadedFile("flow.svg", DIAGRAM, content_type="image/svg+xml"),
    ]
    response = client.post(
        "/admin/news/post/import/", {"files": files, "status": "draft"}
    )
    assert "1 created" in response.content.decode()
    link = Post.objects.get().image_links.get()
    assert link.image.file.read() == DIAGRAM


@pytest.fixture
def author(client):
    user = make_user("ann", "Authors")
    client.force_login(user)
    return user


def test_the_admin_adds_a_diagram_as_it_is(client, author, media_root):
    response = client.post(
        "/admin/news/image/add/",
        {
            "upload": SimpleUploadedFile("flow.svg", DIAGRAM, "image/svg+xml"),
            "alt": "The flow",
        },
    )
    assert response.status_code == 302
    image = Image.objects.get()
    assert image.file.name.endswith(".svg")
    assert (media_root / image.file.name).read_bytes() == DIAGRAM
    assert (image.width, image.height) == (400, 200)


def test_the_admin_refuses_an_unsafe_svg_naming_it_and_why(client, author, media_root):
    response = client.post(
        "/admin/news/image/add/",
        {
            "upload": SimpleUploadedFile("evil.svg", HOSTILE["script"][0]),
            "alt": "Evil",
        },
    )
    assert response.status_code == 200
    assert "evil.svg: unsafe SVG: a &lt;script&gt; element" in response.content.decode()
    assert not Image.objects.exists()
    assert not any(p.is_file() for p in media_root.rglob("*"))


def test_the_post_form_uploads_a_diagram_and_refuses_an_unsafe_one(client, author):
    url = reverse("admin:news_post_upload_image")
    response = client.post(
        url, {"image": SimpleUploadedFile("flow.svg", DIAGRAM), "alt": "The flow"}
    )
    assert response.status_code == 200
    assert response.json()["markdown"].endswith(".svg)")
    response = client.post(
        url,
        {"image": SimpleUploadedFile("x.svg", HOSTILE["foreignObject"][0]), "alt": "X"},
    )
    assert response.status_code == 400
    assert response.json()["error"].startswith(
        "x.svg: unsafe SVG: a <foreignObject> element"
    )


SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


def test_a_stored_svg_is_served_as_an_image_that_runs_nothing(client, settings):
    settings.DEBUG = False
    image, _ = images.store(DIAGRAM, alt="The flow")
    response = client.get(f"/media/{image.file.name}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == DIAGRAM
    assert response["Content-Type"] == "image/svg+xml"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == SVG_POLICY
    assert response["Content-Disposition"].startswith("inline")
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"


def test_an_svg_put_there_by_hand_gets_the_same_policy(client, settings, media_root):
    settings.DEBUG = False
    (media_root / "drawing.svg").write_bytes(HOSTILE["script"][0])
    for headers in ({}, {"Range": "bytes=0-9"}):
        response = client.get("/media/drawing.svg", headers=headers)
        assert response["Content-Type"] == "image/svg+xml"
        assert response["Content-Security-Policy"] == SVG_POLICY
        assert response["X-Content-Type-Options"] == "nosniff"


def test_a_banner_svg_is_an_img_on_list_pages_and_the_article(client):
    image, _ = images.store(DIAGRAM, alt="The flow")
    post = make_post(title="Uses it", banner=image)
    shown = f'<img src="{image.file.url}" width="400" height="200" alt="The flow"'
    for url in ("/", post.get_absolute_url()):
        page = client.get(url).content.decode()
        assert shown in page, url
        assert "<picture>" not in page, url
