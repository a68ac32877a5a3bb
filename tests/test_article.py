"""What a reader gets on an article page beyond its text: reading time, a
table of contents, heading anchors, highlighted code with a copy button,
footnotes and math as MathML."""

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from .factories import make_post

pytestmark = pytest.mark.django_db

LONG_BODY = (
    "\n\n".join(
        f"## Part {n}\n\n" + "Words in this section of the article. " * 50
        for n in range(1, 5)
    )
    + "\n\n### A detail\n\nMore."
)


def page(client, **post):
    make_post(slug="story", **post)
    response = client.get("/news/story/")
    assert response.status_code == 200
    return response.content.decode()


def test_article_shows_its_reading_time(client):
    content = page(client, title="Long", body="word " * 700)
    assert '<span class="reading-time">4 min read</span>' in content


def test_cjk_articles_are_timed_by_their_characters(client):
    content = page(client, title="中文", body="文" * 1200)
    assert "3 min read" in content


def test_a_long_article_opens_with_its_contents(client):
    content = page(client, title="Long", body=LONG_BODY)
    toc = content[
        content.index('<nav class="toc"') : content.index(
            "</nav>", content.index('<nav class="toc"')
        )
    ]
    assert 'aria-label="Contents"' in toc
    assert re.findall(r'<a href="#([^"]+)">([^<]+)</a>', toc) == [
        ("part-1", "Part 1"),
        ("part-2", "Part 2"),
        ("part-3", "Part 3"),
        ("part-4", "Part 4"),
        ("a-detail", "A detail"),
    ]
    assert content.index('<nav class="toc"') < content.index('<div class="body">')
    # Every entry leads to a heading on the page.
    for anchor in ("part-1", "a-detail"):
        assert f'id="{anchor}"' in content


def test_a_short_article_has_no_contents(client):
    content = page(client, title="Short", body="## One\n\nText.\n\n## Two\n\nText.")
    assert 'class="toc"' not in content


def test_the_contents_threshold_is_a_setting(client, settings):
    settings.NEWSDESK_TOC_MIN_WORDS = 0
    content = page(client, title="Short", body="## One\n\nText.\n\n## Two\n\nText.")
    assert '<nav class="toc" aria-label="Contents">' in content


def test_one_section_needs_no_contents(client, settings):
    settings.NEWSDESK_TOC_MIN_WORDS = 0
    assert 'class="toc"' not in page(client, title="One", body="## Only\n\nText.")


def test_headings_link_to_themselves(client):
    content = page(client, title="T", body="# Ferries\n\nText.")
    assert (
        '<h2 id="ferries">Ferries <a class="anchor" href="#ferries">'
        '<span aria-hidden="true">#</span>'
        '<span class="visually-hidden">Link to this section</span></a></h2>'
    ) in content


def test_code_is_highlighted_focusable_and_gets_a_copy_script(client):
    content = page(client, title="Code", body="```python\ndef f():\n    pass\n```")
    assert '<div class="highlight"><pre tabindex="0">' in content
    assert '<span class="k">def</span>' in content
    assert re.search(
        r'<link rel="stylesheet" href="/static/css/code\.[0-9a-f.]*css">', content
    )
    script = re.search(
        r'<script src="(/static/news/code-copy\.[0-9a-f.]*js)" defer>', content
    )
    assert script
    # Under the CSP (script-src 'self') only script files run: none is inline.
    assert re.findall(r"<script(?![^>]*(?:src=|application/ld\+json))", content) == []


def test_the_copy_script_exists_and_only_enhances():
    script = (Path(django_settings.BASE_DIR) / "static/news/code-copy.js").read_text()
    assert "navigator.clipboard" in script
    assert "if (!navigator.clipboard) return;" in script


def test_footnotes_link_both_ways(client):
    content = page(client, title="Notes", body="Claim.[^1]\n\n[^1]: The source.")
    assert '<a class="footnote-ref" href="#fn:1">1</a>' in content
    assert '<li id="fn:1">' in content and 'href="#fnref:1"' in content


def test_math_is_mathml_on_the_page(client):
    body = "Energy $E=mc^2$.\n\n$$\n\\sum_{i=1}^{n} i = \\frac{n(n+1)}{2}\n$$\n"
    content = page(client, title="Math", body=body)
    assert '<math display="inline"><mrow><mi>E</mi>' in content
    assert '<math display="block" tabindex="0">' in content
    assert "<mfrac>" in content and "$$" not in content


# Code colours: every colour in code.css against its background.


def _luminance(colour):
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [
        c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a, b):
    high, low = sorted([_luminance(a), _luminance(b)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_code_colours_pass_wcag_aa_in_light_and_dark_mode():
    css = (Path(django_settings.BASE_DIR) / "static/css/code.css").read_text()
    light, dark = css.split("@media (prefers-color-scheme: dark)")
    for scheme in (light, dark):
        background = re.search(
            r"\.highlight pre \{[^}]*background: (#[0-9a-f]{6})", scheme
        )[1]
        colours = re.findall(r"color: (#[0-9a-f]{6})", scheme)
        assert len(colours) > 20
        for colour in colours:
            assert _contrast(colour, background) >= 4.5, (colour, background)


def test_the_byline_shows_the_authors_avatars(client):
    from news.models import Author

    from .factories import add_authors, make_image

    ana = Author.objects.create(name="Ana Lima", slug="ana")
    ana.avatar = make_image(size=(300, 300), alt="Ana Lima")
    ana.save()
    li = Author.objects.create(name="Li Wei", slug="li")
    post = make_post(title="Bylined", slug="story")
    add_authors(post, ana, li)
    content = client.get("/news/story/").content.decode()
    byline = re.search(r'<span class="authors">(.*?)</span>', content, re.S)[1]
    ana_link = re.search(
        r'<a href="/authors/ana/" rel="author">(.*?)</a>', byline, re.S
    )[1]
    # The picture beside the name is decorative: the name is the link's text.
    assert 'class="byline-avatar"' in ana_link and 'alt=""' in ana_link
    assert "/media/renditions/" in ana_link and ana_link.endswith("Ana Lima")
    assert '<a href="/authors/li/" rel="author">Li Wei</a>' in byline
    # Cards keep their bylines plain.
    home = client.get("/").content.decode()
    assert "byline-avatar" not in home
