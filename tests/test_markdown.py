"""Tests for news.documents.markdown: what a reader of a rendered post sees, and
never runs."""

import re
from dataclasses import replace
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from news.documents.markdown import (
    _FENCE_OPEN,
    MAX_BODY_CHARS,
    ImageReference,
    MarkdownError,
    ResolvedImage,
    _code_spans,
    _comments,
    image_key,
    image_references,
    render,
)

DISALLOWED_TAGS = {
    "script", "style", "iframe", "object", "embed", "form", "input", "button",
    "base", "meta", "link", "svg", "math", "frame", "frameset", "applet",
}  # fmt: skip
URL_ATTRIBUTES = {
    "href", "src", "srcset", "poster", "action", "formaction", "cite",
    "background", "xlink:href", "data",
}  # fmt: skip
# Browsers ignore these inside a URL's scheme, so "java\tscript:" still runs.
IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f]+")


class ExecutableContentFinder(HTMLParser):
    """Collect every construct in an HTML fragment that could run script."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag in DISALLOWED_TAGS:
            self.found.append(f"<{tag}> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{name} handler on <{tag}>")
            elif name == "style":
                self.found.append(f"style attribute on <{tag}>")
            elif name in URL_ATTRIBUTES and value is not None:
                # A srcset is a list of URLs: any one of them counts.
                urls = value.split(",") if name == "srcset" else [value]
                for url in (IGNORED_IN_URLS.sub("", u).lower() for u in urls):
                    if url.startswith(("javascript:", "vbscript:", "data:")):
                        self.found.append(f"{name}={value!r} on <{tag}>")

    handle_startendtag = handle_starttag


def executable_constructs(html):
    finder = ExecutableContentFinder()
    finder.feed(html)
    finder.close()
    return finder.found


def without_math(html):
    """Return html less its <math> elements, which only TeX in the body makes
    (tests/test_math.py checks those against their own allow-list)."""
    return re.sub(r"<math\b.*?</math>", "", html, flags=re.S)


def assert_nothing_executable(html):
    found = executable_constructs(html)
    assert not found, f"{found} in {html!r}"


RESPONSIVE = ResolvedImage(
    url="/media/images/a.png",
    width=800,
    height=400,
    alt="A chart",
    srcset="/media/r/a-320.jpg 320w, /media/r/a-800.jpg 800w",
    webp_srcset="/media/r/a-320.webp 320w, /media/r/a-800.webp 800w",
    sizes="(min-width: 48rem) min(46rem, 800px), min(100vw, 800px)",
)


def storage(src):
    """Resolve sources under ./images/ the way the importer's storage would."""
    key = image_key(src)
    if key and key.startswith("images/"):
        return ResolvedImage(url=f"https://cdn.example/{key}", width=640, height=480)
    return None


class ImageFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.images = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs))


class TagFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def start_tags(html):
    """Return (tag, attributes) of every start tag in html, in order."""
    finder = TagFinder()
    finder.feed(html)
    finder.close()
    return finder.tags


def img_tags(html):
    """Return the attributes of every <img> in html, as dicts."""
    finder = ImageFinder()
    finder.feed(html)
    finder.close()
    return finder.images


# --- The no-executable-content check ---------------------------------------------


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        "<p><img src=x onerror=alert(1)></p>",
        '<a href=" JaVa\tScRiPt:alert(1)">x</a>',
        '<a href="&#106;avascript:alert(1)">x</a>',
        '<video poster="data:text/html,x"></video>',
        '<p style="color:red">x</p>',
        "<svg></svg>",
    ],
)
def test_the_checker_flags_executable_html(html):
    assert executable_constructs(html)


def test_the_checker_accepts_ordinary_html():
    html = '<p><a href="https://example.com/">x</a><img src="./a.png" alt=""></p>'
    assert executable_constructs(html) == []


# --- Attacks ----------------------------------------------------------------------

ATTACKS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    "<<script>script>alert(1)//<</script>/script>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    '<img srcset="javascript:alert(1) 1x" src="a.png">',
    '<img src="x` `<script>alert(1)</script>"` `>',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x=20 y=20>x</text></a></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math href="javascript:alert(1)">x</math>',
    '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "[x](javascript:alert(1))",
    "![x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](jav&#x09;ascript:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x][evil]\n\n[evil]: javascript:alert(1)",
    "![x][evil]\n\n[evil]: javascript:alert(1)",
    "[![x](javascript:alert(1))](javascript:alert(2))",
    "<javascript:alert(1)>",
    '<https://example.com/" onmouseover="alert(1)>',
    '<a href="  javascript:alert(1)">x</a>',
    '<a href=" &#14; javascript:alert(1)">x</a>',
    '<a href="jav&#x0A;ascript:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">',
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    "<a href=javascript:alert(1)>unquoted</a>",
    '<a href="vbscript:msgbox(1)">x</a>',
    "[x](vbscript:msgbox(1))",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><input type=submit></form>',
    '<button formaction="javascript:alert(1)">x</button>',
    "<input onfocus=alert(1) autofocus>",
    '<base href="javascript:alert(1)//">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<link rel=stylesheet href="javascript:alert(1)">',
    "<style>@import 'javascript:alert(1)';</style>",
    '<div style="width: expression(alert(1))">x</div>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
    '<blockquote cite="javascript:alert(1)">x</blockquote>',
    "<details open ontoggle=alert(1)><summary>x</summary></details>",
    '<video><source onerror="alert(1)"></video>',
    "<video poster=javascript:alert(1) src=javascript:alert(2)></video>",
    '<video><source src="javascript:alert(1)"></video>',
    "<audio src=x onerror=alert(1)>",
    "<frameset onload=alert(1)>",
    "<applet code=x></applet>",
    "<template><script>alert(1)</script></template>",
    "<textarea><script>alert(1)</script></textarea>",
    "# Title {onclick=alert(1)}",
    "# Title {#x style=\"color:red\" onmouseover='alert(1)'}",
    'Paragraph\n{: onclick="alert(1)" style="x:expression(alert(1))" }',
    "![x](a.png){onerror=alert(1)}",
    '[x](https://example.com){style="x" onclick="alert(1)"}',
    "[x](https://example.com){href=javascript:alert(1)}",
    "![x](a.png){src=javascript:alert(1)}",
    "[x](&#106;avascript:alert(1))",
    "x[^1]\n\n[^1]: [y](javascript:alert(1))",
    "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
    '<div markdown="1">\n\n[x](javascript:alert(1))\n\n</div>',
    "```\n</code></pre><script>alert(1)</script>\n```",
    "- ```html\n  </code></pre><script>alert(1)</script>\n  ```",
    "`<script>` is shown, <script>alert(1)</script> is not",
    "<!--<img src=x onerror=alert(1)>-->",
    "<!-- --!><img src=x onerror=alert(1)> -->",
    '<a href="https://ok.example/"onclick="alert(1)">x</a>',
    '<picture><source srcset="javascript:alert(1)"><img src="a.png"></picture>',
    '<img src="images/a.png" srcset="images/a.png 1w, javascript:alert(1) 2w">',
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_attack_renders_nothing_executable(attack):
    assert_nothing_executable(render(attack))
    assert_nothing_executable(render(attack, resolve_image=storage))


def test_there_are_at_least_forty_attacks():
    assert len(ATTACKS) >= 40


def test_a_resolver_cannot_smuggle_a_javascript_url():
    def evil(src):
        return ResolvedImage(url="javascript:alert(1)", width=1, height=1)

    html = render('![x](a.png) <img src="b.png">', resolve_image=evil)
    assert_nothing_executable(html)
    assert [img["src"] for img in img_tags(html)] == ["a.png", "b.png"]


def test_a_javascript_url_takes_the_resolvers_srcsets_with_it():
    def evil(src):
        return replace(RESPONSIVE, url="javascript:alert(1)")

    html = render("![x](a.png)", resolve_image=evil)
    assert img_tags(html) == [
        {"alt": "x", "src": "a.png", "loading": "lazy", "decoding": "async"}
    ]
    assert "<picture>" not in html


@pytest.mark.parametrize(
    "srcset",
    [
        "javascript:alert(1) 320w",
        "/m/a-320.webp 320w, javascript:alert(1) 640w",
        " JaVaScRiPt:alert(1) 320w",
        "data:image/svg+xml,<svg/onload=alert(1)> 320w",
        "/m/a-320.webp 320w,javascript:alert(1) 640w",
        '/m/a-320.webp 320w", onerror="alert(1)',
        "/m/a-320.webp",
        "/m/a-320.webp 320w, ",
    ],
)
def test_a_resolver_cannot_smuggle_a_bad_srcset(srcset):
    def evil(src):
        return replace(RESPONSIVE, srcset=srcset, webp_srcset=srcset)

    html = render("![x](a.png)", resolve_image=evil)
    assert_nothing_executable(html)
    assert "<picture>" not in html
    assert img_tags(html) == [
        {
            "alt": "x",
            "src": "/media/images/a.png",
            "width": "800",
            "height": "400",
            "loading": "lazy",
            "decoding": "async",
        }
    ]


def test_resolved_values_are_attribute_escaped():
    def quoting(src):
        return ResolvedImage(url='/m/a".png', width=1, height=2, alt='"><script>')

    html = render("![](a.png)", resolve_image=quoting)
    assert_nothing_executable(html)
    assert img_tags(html) == [
        {
            "src": '/m/a".png',
            "alt": '"><script>',
            "width": "1",
            "height": "2",
            "loading": "lazy",
            "decoding": "async",
        }
    ]


def test_resolved_sizes_are_attribute_escaped():
    def quoting(src):
        return replace(RESPONSIVE, sizes='100vw"><script>alert(1)</script>')

    html = render("![](a.png)", resolve_image=quoting)
    assert_nothing_executable(html)
    assert "<script>" not in html
    assert img_tags(html)[0]["sizes"] == '100vw"><script>alert(1)</script>'


@pytest.mark.parametrize(
    "text",
    [
        "a\x00b\x00<\x00script>alert(1)</script>",
        "\x02wzxhzdk:99\x03 and \x02wzxhzdk:0\x03",
        "<div><div><span></div></p></table>" * 20,
        '<div markdown="1">\n\n' * 200,
        ">" * 2000 + " deep",
        "".join("  " * i + "- x\n" for i in range(150)),
        "<" + "a" * 5000,
        "```\n" * 51,
        "![" * 300 + "](x)",
        "\ufeff\u202e\ufffe\U0010ffff",
        "lone \ud800 surrogate",
    ],
)
def test_odd_input_renders_without_error(text):
    assert_nothing_executable(render(text, resolve_image=storage))


DANGEROUS_FRAGMENTS = [
    "<script>", "</script>", "<img", "<svg", "<math>", "<a", "<iframe", "<style>",
    " src=", " href=", " onerror=", " onload=", " style=", "javascript:",
    "jav&#x09;ascript:", "JaVaScRiPt&colon;", "data:text/html,", "vbscript:",
    "alert(1)", '"', "'", ">", "/>", "`", "```", "\n", "\n\n", "    ", "- ",
    "[x](", "![y](", ")", "]", "[r]: ", "{onclick=x}", "{: style=x}", "&#106;",
    "<!--", "-->", '<div markdown="1">', "</div>", "<details open", " ontoggle=",
    "<![CDATA[", "]]>", "\\", "\x00",
]  # fmt: skip


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(DANGEROUS_FRAGMENTS), max_size=40).map("".join))
def test_no_mix_of_dangerous_fragments_renders_anything_executable(text):
    assert_nothing_executable(render(text, resolve_image=storage))
    image_references(text)  # must not raise either


# --- Rendering --------------------------------------------------------------------


def test_table_renders_with_header_cells_and_alignment():
    html = render("| Name | Count |\n|:-----|------:|\n| A | 1 |\n")
    assert '<th align="left">Name</th>' in html
    assert '<td align="right">1</td>' in html


def test_table_right_after_a_paragraph_line_still_renders():
    html = render("Main meetings:\n|Meeting|Cadence|\n|--|--|\n|Crimson|Weekly|\n")
    assert html.startswith("<p>Main meetings:</p>\n<table>")
    assert "<td>Crimson</td>" in html


def test_footnote_reference_links_to_the_note():
    html = render("Claim.[^1]\n\n[^1]: Source.\n")
    assert '<sup id="fnref:1"><a class="footnote-ref" href="#fn:1">1</a></sup>' in html
    assert '<li id="fn:1">' in html
    assert 'class="footnote-backref" href="#fnref:1"' in html


def test_fenced_code_is_highlighted_with_classes_not_inline_styles():
    html = render("```python\nimport os\n```\n")
    assert '<div class="highlight"><pre>' in html
    assert '<span class="kn">import</span>' in html
    assert "style=" not in html


def test_fence_inside_a_list_item_renders_as_a_code_block():
    html = render("- Check:\n\n    - ```bash\n       md5sum a b\n       ```\n")
    assert '<li><div class="highlight"><pre><span></span><code>md5sum' in html
    assert "```" not in html


def test_fence_inside_a_blockquote_stays_in_the_quote():
    html = render("> Run:\n> ```bash\n> echo hi\n> ```\n> Done.\n")
    assert html.startswith('<blockquote>\n<p>Run:</p>\n<div class="highlight">')
    assert "<p>Done.</p>\n</blockquote>" in html


def test_code_in_a_fence_is_shown_as_text():
    html = render("```\n<img src=x onerror=alert(1)>\n```\n")
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert img_tags(html) == []


def test_headings_get_anchor_ids_in_ascii_and_chinese():
    html = render("# Hello World\n\n## 中文 标题\n")
    assert '<h2 id="hello-world">Hello World</h2>' in html
    assert '<h3 id="中文-标题">中文 标题</h3>' in html


def test_body_headings_sit_one_level_below_the_page_title():
    html = render("# One\n\n<h1>Raw</h1>\n\n###### Six\n")
    assert "<h1" not in html
    assert '<h2 id="one">One</h2>' in html
    assert "<h2>Raw</h2>" in html
    assert '<h6 id="six">Six</h6>' in html


def test_external_link_gets_rel_noopener_and_relative_link_does_not():
    html = render("[out](https://example.com/a) [in](/news/b/) [top](#top)")
    assert '<a href="https://example.com/a" rel="noopener noreferrer">out</a>' in html
    assert '<a href="/news/b/">in</a>' in html
    assert '<a href="#top">top</a>' in html


def test_author_rel_target_and_classes_are_dropped():
    html = render('<a href="/x" rel="opener" target="_blank" class="btn">x</a>')
    assert '<a href="/x">x</a>' in html


def test_attr_list_keeps_ids_but_drops_classes_and_handlers():
    html = render("## Sign the CLA {#Signcla .unnumbered onclick=alert(1)}\n")
    assert '<h3 id="Signcla">Sign the CLA</h3>' in html


def test_markdown_and_html_images_are_served_from_storage_with_their_size():
    html = render(
        '![Booth](./images/1.jpg)\n\n<img src="images/2.jpg" width="1000">',
        resolve_image=storage,
    )
    assert img_tags(html) == [
        {
            "alt": "Booth",
            "src": "https://cdn.example/images/1.jpg",
            "width": "640",
            "height": "480",
            "loading": "lazy",
            "decoding": "async",
        },
        {
            "src": "https://cdn.example/images/2.jpg",
            "width": "640",
            "alt": "",
            "height": "480",
            "loading": "lazy",
            "decoding": "async",
        },
    ]


def test_resolved_srcsets_are_served_in_a_picture_with_a_webp_source():
    html = render("A chart: ![](./images/a.png)", resolve_image=lambda src: RESPONSIVE)
    assert start_tags(html) == [
        ("p", {}),
        ("picture", {}),
        (
            "source",
            {
                "type": "image/webp",
                "srcset": RESPONSIVE.webp_srcset,
                "sizes": RESPONSIVE.sizes,
            },
        ),
        (
            "img",
            {
                "alt": "A chart",
                "src": "/media/images/a.png",
                "width": "800",
                "height": "400",
                "srcset": RESPONSIVE.srcset,
                "sizes": RESPONSIVE.sizes,
                "loading": "lazy",
                "decoding": "async",
            },
        ),
    ]
    assert html.endswith("</picture></p>")


def test_a_srcset_without_webp_is_served_on_the_img_alone():
    def jpeg_only(src):
        return replace(RESPONSIVE, webp_srcset="")

    html = render('<img src="a.png" alt="Own">', resolve_image=jpeg_only)
    assert "<picture>" not in html and "<source" not in html
    assert img_tags(html)[0]["srcset"] == RESPONSIVE.srcset
    assert img_tags(html)[0]["sizes"] == RESPONSIVE.sizes
    assert img_tags(html)[0]["alt"] == "Own"


def test_resolver_is_asked_with_the_src_as_written():
    asked = []

    def recording(src):
        asked.append(src)

    render(
        "![a](./images/a b.png) ![b](<./images/c d.png>)\n\n"
        "<IMG SRC='./images/e&amp;f.png'> ![r][ref]\n\n[ref]: images//g.png\n",
        resolve_image=recording,
    )
    assert asked == [
        "./images/a b.png",
        "./images/c d.png",
        "./images/e&f.png",
        "images//g.png",
    ]


def test_missing_alt_falls_back_to_the_stored_alt_text():
    def with_alt(src):
        return ResolvedImage(url="/media/a.png", width=None, height=None, alt="Stored")

    html = render(
        '![](a.png) ![Own](b.png) <img src="c.png" width=9>', resolve_image=with_alt
    )
    assert [(img["alt"], img.get("width")) for img in img_tags(html)] == [
        ("Stored", None),
        ("Own", None),
        ("Stored", None),
    ]


def test_unresolved_image_keeps_the_authors_src_and_loads_lazily():
    html = render(
        '![x](./missing.png)\n\n<img src="/img/news/a.png" width="500">',
        resolve_image=storage,
    )
    assert img_tags(html) == [
        {"alt": "x", "src": "./missing.png", "loading": "lazy", "decoding": "async"},
        {
            "src": "/img/news/a.png",
            "width": "500",
            "loading": "lazy",
            "decoding": "async",
        },
    ]


def test_unresolved_javascript_image_stays_without_a_src():
    assert img_tags(render("![x](javascript:alert(1))")) == [
        {"alt": "x", "loading": "lazy", "decoding": "async"}
    ]


@pytest.mark.parametrize("text", ["![s](./images/a b.png)", "![s](<./images/a b.png>)"])
def test_image_path_with_spaces_renders_an_image(text):
    assert [img["src"] for img in img_tags(render(text))] == ["./images/a b.png"]


def test_vue_components_disappear_and_the_post_around_them_stays():
    html = render(
        "<ClientOnly>\n  <news-newsHeader />\n</ClientOnly>\n\n"
        '<div class="markdown">\n\nIntro **bold**.\n\n'
        "<div align='center'>\n\n<img src=\"/img/a.png\">\n\n</div><br>\n\n"
        "Outro.\n\n</div>\n"
    )
    assert "clientonly" not in html.lower()
    assert "newsheader" not in html.lower()
    assert "<p>Intro <strong>bold</strong>.</p>" in html
    assert '<div align="center">' in html
    assert "<p>Outro.</p>" in html


def test_center_and_font_are_reduced_to_their_content():
    html = render('<center><font color="red">Red</font> text</center>')
    assert "Red text" in html
    assert "center" not in html
    assert "font" not in html


def test_video_keeps_its_controls_and_sources():
    html = render(
        '<video width="100%" controls>\n  <source type="video/mp4"\n'
        '  src="https://cdn.example/v.mp4">\n</video>'
    )
    assert '<video width="100%" controls="">' in html
    assert '<source type="video/mp4" src="https://cdn.example/v.mp4">' in html


# --- Image keys -------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "./images/1 a.jpg",
        "images/1 a.jpg",
        "images//1 a.jpg",
        "./images/./1 a.jpg",
        "<images/1 a.jpg>",
        "images/1%20a.jpg",
        "images/1%20a.jpg?v=2#top",
        "images/x/../1 a.jpg",
    ],
)
def test_equal_files_get_equal_image_keys(written):
    assert image_key(written) == "images/1 a.jpg"


def test_site_absolute_key_stays_distinct_from_relative():
    assert image_key("/img/news/x.png") == "/img/news/x.png"
    assert image_key("img/news/x.png") == "img/news/x.png"


def test_leading_parent_segments_are_kept_for_the_importer_to_judge():
    assert image_key("../shared/x.png") == "../shared/x.png"
    assert image_key("./a/../../x.png") == "../x.png"


def test_windows_path_gets_a_key_with_forward_slashes():
    assert image_key("D:\\wordtomd\\img\\x/media/image8.png") == (
        "D:/wordtomd/img/x/media/image8.png"
    )


@pytest.mark.parametrize(
    "written",
    [
        "{{ site.baseurl }}/assets/x.png",
        "{{site.baseurl}}/assets/x.png",
        "{{ site.url }}{{ site.baseurl }}/assets/x.png",
        '{{ "/assets/x.png" | relative_url }}',
        "{{ '/assets/x.png' | absolute_url }}",
        '{{ "assets/x.png" | relative_url }}',
    ],
)
def test_liquid_around_a_site_path_is_that_site_path(written):
    assert image_key(written) == "/assets/x.png"


@pytest.mark.parametrize(
    "written",
    [
        "{{ page.image }}",
        "{{ site.baseurl }}",
        "{{ x | upcase }}/a.png",
        '{{ "/a.png" | upcase }}',
        "{{ unclosed/a.png",
    ],
)
def test_other_liquid_is_left_as_written(written):
    assert image_key(written) == written


def test_liquid_around_a_web_address_is_remote():
    assert image_key('{{ "https://cdn.example/a.png" | absolute_url }}') is None


@given(st.text(alphabet="{} |'\"/.ab", max_size=60))
def test_any_braces_give_a_key_or_none_without_error(written):
    key = image_key(written)
    assert key is None or isinstance(key, str)


@pytest.mark.parametrize(
    "written",
    [
        "",
        "   ",
        "<>",
        "https://img-blog.csdnimg.cn/a.png",
        "HTTP://example.com/a.png",
        "//cdn.example/a.png",
        "data:image/png;base64,AAAA",
        "javascript:alert(1)",
        "mailto:a@example.com",
    ],
)
def test_remote_and_empty_references_have_no_key(written):
    assert image_key(written) is None


# --- Image references -------------------------------------------------------------

DOCUMENT = """\
Intro ![inline](./images/1.jpg "Title") and ![wrapped](<./images/a b.png>).

![spaced](./images/c d.png)

![by reference][logo]

<p><IMG alt='x' SRC='./images/html.png'></p>
<img
  width=10 src="./images/multi line.png">

```bash
![fenced](./images/no1.png)
<img src="./images/no2.png">
```

- ```bash
  ![in a list fence](./images/no3.png)
  ```

~~~
<img src="./images/no4.png">
~~~

Inline `![code](./images/no5.png)` and ``<img src="no6.png">``.

[logo]: ./images/logo.png "Logo"
"""


def test_image_references_are_found_with_kind_and_line():
    assert image_references(DOCUMENT) == [
        ImageReference("./images/1.jpg", 1, "md"),
        ImageReference("./images/a b.png", 1, "md"),
        ImageReference("./images/c d.png", 3, "md"),
        ImageReference("./images/logo.png", 5, "md"),
        ImageReference("./images/html.png", 7, "html"),
        ImageReference("./images/multi line.png", 8, "html"),
    ]


def test_every_image_reference_is_one_the_renderer_looks_up():
    asked = []
    render(DOCUMENT, resolve_image=lambda src: asked.append(src))
    assert [ref.src for ref in image_references(DOCUMENT)] == asked


def test_unclosed_fence_does_not_hide_images():
    refs = image_references("```\n![a](x.png)\n")
    assert refs == [ImageReference("x.png", 2, "md")]


def test_remote_references_are_reported_too():
    refs = image_references("![a](https://example.com/a.png)")
    assert refs == [ImageReference("https://example.com/a.png", 1, "md")]


# --- The real corpus --------------------------------------------------------------


def corpus_body(path):
    text = path.read_text(encoding="utf-8").removeprefix("\ufeff")
    text = text.replace("\r\n", "\n")
    lines = text.split("\n")
    if lines[0].strip() == "---" and "---" in lines[1:]:
        lines = lines[lines.index("---", 1) + 1 :]
    return "\n".join(lines)


def test_every_corpus_post_renders_without_executable_content(corpus):
    posts = sorted(corpus.rglob("*.md"))
    assert posts
    for path in posts:
        html = render(corpus_body(path), resolve_image=storage)
        found = executable_constructs(without_math(html))
        assert not found, f"{path}: {found}"


@pytest.mark.parametrize(
    "post",
    [
        "openeuler-portal-mirror/app/en/news/20240422-openEuler Shines Alongside "
        "Partners at FOSSASIA Summit 2024/index.md",
        "openeuler-portal-mirror/app/en/news/20240307-openEuler Global Ecosystem "
        "Collaboration Workshop/index.md",
        "website-v2/web-ui/docs/en/news/20220731-report07.md",
        "website-v2/web-ui/docs/zh/news/20220815.md",
    ],
)
def test_corpus_image_references_match_a_simple_count(corpus, post):
    path = corpus / post
    body = corpus_body(path)
    refs = image_references(body)
    assert len(refs) >= body.count("<img") + body.count("![")
    lines = body.split("\n")
    for ref in refs:
        assert ref.src in lines[ref.line - 1]


def test_fossasia_seed_article_references_its_five_images(corpus):
    path = (
        corpus / "openeuler-portal-mirror/app/en/news/20240422-openEuler Shines "
        "Alongside Partners at FOSSASIA Summit 2024/index.md"
    )
    refs = image_references(corpus_body(path))
    assert [ref.src for ref in refs] == [f"./images/{n}.jpg" for n in range(1, 6)]
    html = render(corpus_body(path), resolve_image=storage)
    assert [img["src"] for img in img_tags(html)] == [
        f"https://cdn.example/images/{n}.jpg" for n in range(1, 6)
    ]


@pytest.mark.parametrize(
    "body",
    ["[" * 20000, "[^" * 10000, "``[" * 8000, "<div " * 20000, "*[" * 10000],
    ids=["brackets", "footnotes", "code-brackets", "open-tags", "emphasis"],
)
def test_a_body_that_would_take_too_long_is_refused(body):
    with pytest.raises(MarkdownError, match="too complex to render in 0.2 s"):
        render(body, seconds=0.2)


@pytest.mark.parametrize("body", ["1. " * 5000, "- " * 5000 + "x"])
def test_a_body_nested_too_deeply_is_refused(body):
    with pytest.raises(MarkdownError, match="nests lists or quotes too deeply"):
        render(body)


def test_a_body_over_the_length_limit_is_refused():
    with pytest.raises(MarkdownError, match="the limit is 2,000,000"):
        render("a" * (MAX_BODY_CHARS + 1))


def test_deep_blockquotes_render():
    # "> " repeated once made the fence pattern backtrack for minutes.
    assert "<blockquote>" in render("> " * 200 + "deep")


# The pattern the linear scan replaced: the same spans, in quadratic time.
QUADRATIC_CODE_SPAN = re.compile(
    r"(?<![\\`])(`+)(?!`)(?:(?!\n[ \t]*\n).)+?(?<!`)\1(?!`)", re.DOTALL
)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="`\\ \na", max_size=40))
def test_code_spans_are_found_as_the_pattern_found_them(text):
    found = [m.span() for m in QUADRATIC_CODE_SPAN.finditer(text)]
    assert _code_spans(text) == found


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="<!->a\n", max_size=40))
def test_comments_are_found_as_the_pattern_found_them(text):
    found = [m.span() for m in re.finditer(r"<!--.*?-->", text, re.DOTALL)]
    assert _comments(text) == found


# The fence pattern before: "> > > ..." could split in many ways.
BACKTRACKING_FENCE = re.compile(
    r"^(?P<prefix>(?:[ \t]*(?:>[ \t]?|(?:[-+*]|\d{1,9}[.)])[ \t]+))*[ \t]*)"
    r"(?P<fence>`{3,}|~{3,})(?P<info>.*)$"
)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="> \t-*1.)`~a", max_size=16))
def test_fences_open_as_the_pattern_opened_them(line):
    old, new = BACKTRACKING_FENCE.match(line), _FENCE_OPEN.match(line)
    assert (old and old.groupdict()) == (new and new.groupdict())


@pytest.mark.parametrize(
    ("body", "url"),
    [
        ('<img src="\\\\evil.example\\share\\x.png">', "//evil.example/share/x.png"),
        ('<a href="\\\\evil.example\\x">x</a>', "//evil.example/x"),
        ('<a href="/\\evil.example/x">x</a>', "//evil.example/x"),
        ("[x](<\\\\evil.example\\x>)", "/evil.example/x"),
    ],
)  # fmt: skip
def test_backslashes_in_urls_are_read_as_browsers_read_them(body, url):
    html = render(body)
    assert "\\" not in html
    assert f'="{url}"' in html
    if url.startswith("//") and "<a " in html:
        assert 'rel="noopener noreferrer"' in html  # another host: an external link
