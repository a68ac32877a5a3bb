"""An article's body as its page shows it: news.documents.display over
news.documents.markdown's output. No database."""

import re

import pytest

from news.documents import display, markdown
from news.documents.markdown import ResolvedImage

from .factories import HOSTILE
from .test_markdown import start_tags


def shown(body, title="Harbour reopens", eager_image=False, resolve_image=None):
    rendered = markdown.render(body, resolve_image=resolve_image)
    return display.article_body(rendered, title=title, eager_image=eager_image)


ANCHOR = re.compile(r' <a class="anchor" href="#[^"]*">.*?</a>')


def outline(body, title="Harbour reopens"):
    """Return the body as shown less the headings' links to themselves."""
    return ANCHOR.sub("", shown(body, title))


@pytest.mark.parametrize(
    "body",
    [
        "# Harbour reopens\n\nThe text.",
        "#   Harbour   reopens  \n\nThe text.",
        "Harbour Reopens\n===\n\nThe text.",
        "\n\n# harbour reopens {#top}\n\nThe text.",
    ],
)
def test_a_leading_heading_that_repeats_the_title_is_not_shown(body):
    assert shown(body) == "<p>The text.</p>"


@pytest.mark.parametrize(
    "body",
    [
        "# Harbour reopens today\n\nThe text.",
        "The text.\n\n# Harbour reopens",
        "## Other\n\n# Harbour reopens",
    ],
)
def test_other_headings_stay(body):
    assert outline(body) == markdown.render(body)


def test_the_outline_keeps_its_shape_without_the_title():
    # "# Title" then "##" sections: the sections become the page's <h2>s.
    html = outline("# Harbour reopens\n\nIntro.\n\n## Ferries\n\n### Times\n\n## Ask")
    assert html == (
        '<p>Intro.</p>\n<h2 id="ferries">Ferries</h2>\n'
        '<h3 id="times">Times</h3>\n<h2 id="ask">Ask</h2>'
    )


def test_later_top_level_headings_are_not_promoted_to_h1():
    html = outline("# Harbour reopens\n\n# Ferries\n\n## Times")
    assert html == '<h2 id="ferries">Ferries</h2>\n<h3 id="times">Times</h3>'


def test_a_title_with_markup_characters_is_compared_as_text():
    title = 'Q&A: 5 > 3, "yes"'
    assert shown(f"# {title}\n\nText.", title=title) == "<p>Text.</p>"
    # Sanitised away, the script is not the title's text: the heading stays.
    body = f"# {HOSTILE}\n\nText."
    assert shown(body, title=HOSTILE).startswith("<h2")


def test_code_blocks_take_keyboard_focus():
    html = shown("```python\nprint('a very long line')\n```\n\n    indented code\n")
    assert html.count('<pre tabindex="0">') == 2
    assert "<pre>" not in html


def test_tables_take_keyboard_focus():
    html = shown("| a | b |\n|---|---|\n| 1 | 2 |")
    assert html.startswith('<table tabindex="0">\n<thead>')


def test_code_text_that_looks_like_a_tag_is_left_alone():
    html = shown(
        '`<pre>` and `<img loading="lazy">` and `<h2>x</h2>`', eager_image=True
    )
    assert "tabindex" not in html and "fetchpriority" not in html
    assert "&lt;pre&gt;" in html


def resolve(src):
    return ResolvedImage(url=f"/media/{src}", width=800, height=600, alt=src)


def test_only_the_first_image_loads_eagerly_when_asked():
    body = "Intro.\n\n![a](a.png)\n\n![b](b.png)\n\n<img src='c.png'>"
    html = shown(body, eager_image=True, resolve_image=resolve)
    assert html.count('loading="eager" fetchpriority="high"') == 1
    assert html.count('loading="lazy"') == 2
    assert html.index('loading="eager"') < html.index('alt="b"')


def test_every_image_stays_lazy_under_a_banner():
    html = shown("![a](a.png)\n\n![b](b.png)", resolve_image=resolve)
    assert html.count('loading="lazy"') == 2
    assert "eager" not in html and "fetchpriority" not in html


def test_an_alt_text_cannot_fake_the_attributes():
    html = shown('![loading="lazy" x](a.png)\n\n![b](b.png)', eager_image=True)
    assert 'alt="loading=&quot;lazy&quot; x"' in html
    assert html.count('loading="eager" fetchpriority="high"') == 1
    first_img = html[html.index("<img") : html.index(">", html.index("<img"))]
    assert 'loading="eager"' in first_img


# with_absolute_urls(): the body as the content API gives it


def test_relative_urls_become_absolute_and_others_stay():
    body = (
        '<p><a href="/tags/x/">x</a> <a href="https://example.org/a?b=1&amp;c=2">e</a>'
        ' <a href="mailto:a@example.org">m</a> <a href="#fn:1">1</a></p>'
        '<picture><source type="image/webp" srcset="/media/a.webp 320w, /media/b.webp 640w">'
        '<img src="/media/a.png" alt="A &quot;quoted&quot; alt" srcset="/media/a.png 320w"></picture>'
        '<video src="v.mp4" poster="/media/p.png" controls></video>'
    )
    shown = display.with_absolute_urls(body, "https://news.example/")
    assert '<a href="https://news.example/tags/x/">' in shown
    assert '<a href="https://example.org/a?b=1&amp;c=2">' in shown
    assert '<a href="mailto:a@example.org">' in shown
    assert '<a href="#fn:1">' in shown
    assert (
        'srcset="https://news.example/media/a.webp 320w, '
        'https://news.example/media/b.webp 640w"'
    ) in shown
    assert (
        '<img src="https://news.example/media/a.png" alt="A &quot;quoted&quot; alt"'
        in shown
    )
    assert (
        'src="https://news.example/v.mp4" poster="https://news.example/media/p.png"'
        in shown
    )


def test_text_that_looks_like_an_attribute_is_left_alone():
    # Text and attribute values are escaped by the renderer: only real tags change.
    body = (
        '<pre><code>&lt;img src="/x.png"&gt; src="/y"</code></pre>'
        '<img src="/z.png" alt="src=&quot;/w&quot;">'
    )
    shown = display.with_absolute_urls(body, "http://h/")
    assert '&lt;img src="/x.png"&gt; src="/y"' in shown
    assert '<img src="http://h/z.png" alt="src=&quot;/w&quot;">' in shown


def test_an_unparsable_url_is_left_as_it_is():
    body = '<a href="http://[x/">broken</a>'
    assert display.with_absolute_urls(body, "http://h/") == body


def test_section_headings_link_to_themselves():
    html = shown("Intro.\n\n# Ferries & boats\n\nText.")
    assert html.endswith(
        '<h2 id="ferries-boats">Ferries &amp; boats <a class="anchor" '
        'href="#ferries-boats"><span aria-hidden="true">#</span>'
        '<span class="visually-hidden">Link to this section</span></a></h2>\n'
        "<p>Text.</p>"
    )


def test_a_heading_id_cannot_break_out_of_its_link():
    html = shown('# x" onclick="alert(1)\n\nText.')
    assert [(tag, attrs) for tag, attrs in start_tags(html) if tag != "span"] == [
        ("h2", {"id": "x-onclickalert1"}),
        ("a", {"class": "anchor", "href": "#x-onclickalert1"}),
        ("p", {}),
    ]


def test_the_contents_nest_the_top_two_levels_of_headings():
    body = markdown.render(
        "# Harbour reopens\n\n## Ferries\n\n### Times\n\n#### Detail\n\n"
        "## Ask & go\n\n### Office"
    )
    entries = display.contents(body, title="Harbour reopens")
    assert [(e.level, e.id, e.text) for e in entries] == [
        (2, "ferries", "Ferries"),
        (2, "ask-go", "Ask & go"),
    ]
    assert [c.text for c in entries[0].children] == ["Times"]
    assert [c.text for c in entries[1].children] == ["Office"]


def test_unicode_headings_keep_their_anchors():
    body = markdown.render("## 寄存器分配\n\n文字。")
    assert [e.id for e in display.contents(body, title="x")] == ["寄存器分配"]


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("Short.", 1),
        ("word " * 230, 1),
        ("word " * 231, 2),
        ("word " * 1150, 5),
        ("字" * 400, 1),
        ("字" * 1200, 3),
        ("字" * 400 + " word" * 230, 2),
    ],
)
def test_reading_time_counts_words_and_cjk_characters(text, minutes):
    assert display.reading_minutes(markdown.render(text)) == minutes


def test_code_and_markup_are_not_read_as_words():
    html = markdown.render('<img src="a.png" alt="x">\n\n`one`')
    assert display.word_count(html) == 1


def test_plain_text_keeps_words_whole_and_blocks_apart():
    html = markdown.render(
        "Covers the *harbour*; see [her site](https://a.example/).\n\nAnd &amp; more."
    )
    assert display.plain_text(html) == "Covers the harbour; see her site. And & more."
