"""Search over published posts, and highlighting of the matched words.

On PostgreSQL: full-text search weighted title > summary > body, ranked, backed
by the GIN index ``post_search`` (migration ``site``) on the same expression as
``vector()``. Elsewhere (SQLite): every word must occur in the title, summary or
body, and posts rank by where the words occur.
"""

import html
import re

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, Q, Value, When
from django.utils.html import conditional_escape, format_html_join, strip_tags

from ..models import Post

CONFIG = "english"
# Longer queries are cut: no one types more, and it bounds the work per request.
MAX_LENGTH = 200
MAX_WORDS = 8
_WORD = re.compile(r"\w+")


def vector():
    """Return the weighted document the GIN index ``post_search`` is built on."""
    return (
        SearchVector("title", weight="A", config=CONFIG)
        + SearchVector("summary", weight="B", config=CONFIG)
        + SearchVector("body", weight="C", config=CONFIG)
    )


def clean(query):
    """Return the query as searched: trimmed, bounded, whitespace collapsed."""
    return " ".join(query[:MAX_LENGTH].split())


def words(query):
    """Return the distinct words of ``query`` (operators and punctuation dropped)."""
    found = dict.fromkeys(word.lower() for word in _WORD.findall(clean(query)))
    return list(found)[:MAX_WORDS]


def search(query):
    """Return the published posts matching ``query``, best first.

    Each post carries a ``rank``. An empty query, or one of operators only,
    matches nothing.
    """
    terms = words(query)
    if not terms:
        return Post.objects.none()
    posts = Post.objects.published()
    if connection.vendor == "postgresql":
        # websearch_to_tsquery accepts any input: quotes, "or" and "-word" are
        # operators, everything else is text, and nothing is a syntax error.
        ts_query = SearchQuery(clean(query), search_type="websearch", config=CONFIG)
        return (
            posts.annotate(document=vector())
            .filter(document=ts_query)
            .annotate(rank=SearchRank(vector(), ts_query))
            .order_by("-rank", "-published_at", "-id")
        )
    for term in terms:
        posts = posts.filter(
            Q(title__icontains=term)
            | Q(summary__icontains=term)
            | Q(body__icontains=term)
        )
    rank = sum(
        (
            Case(When(**{f"{field}__icontains": term}, then=Value(weight)), default=0)
            for term in terms
            for field, weight in (("title", 4), ("summary", 2), ("body", 1))
        ),
        start=Value(0),
    )
    return posts.annotate(rank=rank).order_by("-rank", "-published_at", "-id")


def highlight(text, terms):
    """Return ``text`` escaped, with every occurrence of ``terms`` in <mark>.

    The text is split on the raw matches and each piece escaped on its own, so a
    term can never match inside an entity the escaping made.
    """
    if not terms:
        return conditional_escape(text)
    pattern = re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)
    pairs, start = [], 0
    for match in pattern.finditer(text):
        pairs.append((text[start : match.start()], match.group()))
        start = match.end()
    return format_html_join("", "{}<mark>{}</mark>", pairs) + conditional_escape(
        text[start:]
    )


def excerpt(post, terms, length=240):
    """Return up to ``length`` characters of the post's text around the first
    match, preferring the summary, highlighted."""
    text = post.summary or html.unescape(strip_tags(post.body_html))
    text = " ".join(text.split())
    lowered = text.lower()
    positions = [p for p in (lowered.find(term) for term in terms) if p >= 0]
    first = min(positions, default=0)
    start = max(0, first - length // 3)
    snippet = text[start : start + length]
    if start > 0:
        snippet = "…" + snippet
    if start + length < len(text):
        snippet += "…"
    return highlight(snippet, terms)
