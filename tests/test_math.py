"""TeX math in post bodies, shown as MathML made on the server
(news.documents.math through news.documents.markdown.render). No database."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from news.documents import math
from news.documents.markdown import render

from .test_markdown import executable_constructs, without_math

# The openEuler liveness post's formula, inside a list item as it is there.
LIVENESS = r"""- live-out: 变量a在节点n的任一后继的live-in集合中。
  $$
  in[n] = use[n]\cup(out[n]-def[n])\\
  out[n] = in[s_1]\cup in[s_2]
  $$
"""


def test_inline_math_is_mathml_in_the_paragraph():
    html = render("Energy is $E=mc^2$ here.")
    assert html == (
        '<p>Energy is <math display="inline"><mrow><mi>E</mi><mo>=</mo><mi>m</mi>'
        "<msup><mi>c</mi><mn>2</mn></msup></mrow></math> here.</p>"
    )


def test_display_math_spans_lines_inside_a_list_item():
    html = render(LIVENESS)
    assert '<math display="block">' in html
    assert "<msub><mi>s</mi><mn>1</mn></msub>" in html
    assert "<mo>∪</mo>" in html
    assert "$$" not in html
    assert html.startswith("<ul>\n<li>live-out")


def test_tex_underscores_and_stars_are_not_emphasis():
    html = render("$a_1 * b_2 * c_3$ and *b*")
    assert "<em>" not in without_math(html).replace("<em>b</em>", "")
    assert html.count("<msub>") == 3


@pytest.mark.parametrize(
    "text",
    [
        "It costs $5 and $10.",
        "Set $HOME/$USER first.",
        "A lone $ sign.",
        "`$x$` in code",
        "```\n$x$\n```",
        "    $x$ indented code",
        "<!-- $x$ -->",
        r"Escaped \$x\$ dollars.",
    ],
)
def test_dollars_that_are_not_math_stay_text(text):
    assert "<math" not in render(text)


def test_tex_that_cannot_be_converted_is_shown_as_written():
    assert render(r"Broken $\frac{$ here.") == r"<p>Broken $\frac{$ here.</p>"
    assert "<math" not in render("$" + "x" * (math.MAX_TEX_CHARS + 1) + "$")


@pytest.mark.parametrize(
    "tex",
    [
        r"$\href{javascript:alert(1)}{x}$",
        r"$\text{<script>alert(1)</script>}$",
        r"$$</p><img src=x onerror=alert(1)>$$",
        r"$\text{<img src=x onerror=alert(1)>}$",
        r'$\mathrm{" onmouseover="alert(1)}$',
        r"$\color{red;background:url(javascript:alert(1))}{x}$",
        r"$\style{color:red}{x}$",
    ],
)
def test_math_carries_nothing_executable(tex):
    html = render(tex)
    assert executable_constructs(without_math(html)) == []
    for tag, attrs in re.findall(r"<(\w+)([^>]*)>", html):
        assert tag in math.TAGS | {"p"}, html
        for name, value in re.findall(r'(\S+)="([^"]*)"', attrs):
            assert name in math.ATTRIBUTES[tag] and math.allowed_value(value), html
    assert "href" not in html and "javascript" not in html.replace("{", "")


def test_raw_mathml_written_in_a_body_is_still_removed():
    html = render('<math><mtext><a href="https://x.example">x</a></mtext></math>')
    assert "<math" not in html and "<mtext" not in html


def test_an_author_cannot_forge_a_formula_token():
    # Tokens hold a fresh random nonce: text shaped like one stays text.
    html = render("$x$ mathml0000000000000000x0 and mathmlx0")
    assert html.count("<math") == 1
    assert "mathml0000000000000000x0 and mathmlx0" in html


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="$\\{}^_&x1 \n<>`", max_size=60))
def test_any_dollar_soup_renders_without_error(text):
    html = render(text)
    assert executable_constructs(without_math(html)) == []
