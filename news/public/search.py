"""Search over published posts, and highlighting of the matched words.

Every search reads through ``Post.objects.published()``, whatever indexes the
words: an index may hold drafts, the results never do.

- SQLite (the embedded default): an FTS5 table, ``news_post_search`` (migration
  ``0013_search_index``), with the porter stemmer over unicode61, so "kernels"
  finds "kernel". unicode61 takes a run of Chinese or Japanese characters for
  one word, so runs of CJK characters are indexed, and searched, as their
  overlapping pairs (bigrams): a two-character word is one token, a longer one
  a phrase of pairs. Ranked by bm25, title over summary over body. The table is
  kept in step with the posts by receivers of the domain signals (``update()``,
  ``remove()``); ``rebuild()`` (the ``rebuild_search_index`` command) makes it
  anew from the posts.
- PostgreSQL: full-text search weighted title > summary > body, ranked, backed
  by the GIN index ``post_search`` on the same expression as ``vector()``, in
  the ``newsdesk`` configuration (english with ``unaccent``) where the
  migration could create it. The english parser cannot split CJK text into
  words either, so CJK words are matched as substrings, which the ``pg_trgm``
  indexes serve.
"""

import bisect
import difflib
import functools
import html
import re

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, Q, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.signals import post_delete
from django.utils.html import conditional_escape, format_html_join, strip_tags

from .. import signals
from ..models import Post

CONFIG = "english"
# The configuration migration 0015 makes: english, with accents removed.
UNACCENT_CONFIG = "newsdesk"
# Longer queries are cut: no one types more, and it bounds the work per request.
MAX_LENGTH = 200
MAX_WORDS = 8
# bm25 weights of the indexed columns: title, summary, body.
WEIGHTS = (10.0, 4.0, 1.0)
CHUNK_SIZE = 500
# How alike a word must be to one of the site's to be offered instead
# (difflib's ratio: "kernal" and "kernel" are 0.83).
SPELLING_CUTOFF = 0.8
_WORD = re.compile(r"\w+")
# Han, kana, Hangul: scripts written without spaces between words.
_CJK = re.compile(
    "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]+"
)


def config():
    """Return the PostgreSQL text search configuration the index is built on."""
    return _config(connection.alias)


@functools.cache
def _config(alias):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_ts_config WHERE cfgname = %s", [UNACCENT_CONFIG]
        )
        return UNACCENT_CONFIG if cursor.fetchone() else CONFIG


def vector(search_config=None):
    """Return the weighted document the GIN index ``post_search`` is built on."""
    search_config = search_config or config()
    return (
        SearchVector("title", weight="A", config=search_config)
        + SearchVector("summary", weight="B", config=search_config)
        + SearchVector("body", weight="C", config=search_config)
    )


def clean(query):
    """Return the query as searched: trimmed, bounded, whitespace collapsed."""
    return " ".join(query[:MAX_LENGTH].split())


def words(query):
    """Return the distinct words of ``query`` (operators and punctuation dropped)."""
    found = dict.fromkeys(word.lower() for word in _WORD.findall(clean(query)))
    return list(found)[:MAX_WORDS]


def bigrams(text):
    """Return ``text`` with every run of CJK characters written as its
    overlapping pairs, apart: "开源社区" -> " 开源 源社 社区 "."""

    def pairs(match):
        run = match.group()
        if len(run) == 1:
            return f" {run} "
        return " " + " ".join(run[i : i + 2] for i in range(len(run) - 1)) + " "

    return _CJK.sub(pairs, text)


def match_expression(query):
    """Return the FTS5 query for ``query``: every word, as a quoted string
    (so nothing in it is an operator), must occur; a CJK word as the phrase of
    its pairs, a single CJK character as the start of a pair."""
    terms = []
    for word in words(query):
        tokens = bigrams(word).split()
        if len(tokens) == 1 and _CJK.fullmatch(tokens[0]) and len(tokens[0]) == 1:
            terms.append(f'"{tokens[0]}"*')
        else:
            terms.append('"' + " ".join(tokens) + '"')
    return " ".join(terms)


def search(query):
    """Return the published posts matching ``query``, best first.

    Each post carries a ``rank``. An empty query, or one of operators only,
    matches nothing.
    """
    if not words(query):
        return Post.objects.none()
    posts = Post.objects.published()
    if connection.vendor == "postgresql":
        return _postgresql(posts, clean(query))
    if connection.vendor == "sqlite":
        return _sqlite(posts, query)
    return _substrings(posts, words(query))


def _sqlite(posts, query):
    expression = match_expression(query)
    # Both statements are fixed text; the query is a parameter.
    matched = RawSQL(_MATCHED, [expression])  # noqa: S611
    rank = RawSQL(_RANK, [expression])  # noqa: S611
    return (
        posts.filter(pk__in=matched)
        .annotate(rank=rank)
        .order_by("-rank", "-published_at", "-id")
    )


_MATCHED = "SELECT rowid FROM news_post_search WHERE news_post_search MATCH %s"
# bm25() is lower for better matches; its weights are title, summary, body (as
# WEIGHTS).
_RANK = (
    "SELECT -bm25(news_post_search, 10.0, 4.0, 1.0) FROM news_post_search "
    "WHERE news_post_search MATCH %s AND rowid = news_post.id"
)
_DELETE = "DELETE FROM news_post_search WHERE rowid = %s"
_INSERT = (
    "INSERT INTO news_post_search (rowid, title, summary, body) VALUES (%s, %s, %s, %s)"
)


def _postgresql(posts, query):
    # The english parser takes a run of CJK characters for one word; those
    # words are matched as substrings instead (pg_trgm's indexes).
    cjk = list(dict.fromkeys(_CJK.findall(query)))[:MAX_WORDS]
    text = _CJK.sub(" ", query)
    rank = Value(0.0)
    if words(text):
        # websearch_to_tsquery accepts any input: quotes, "or" and "-word" are
        # operators, everything else is text, and nothing is a syntax error.
        ts_query = SearchQuery(text, search_type="websearch", config=config())
        posts = posts.annotate(document=vector()).filter(document=ts_query)
        rank = SearchRank(vector(), ts_query)
    for run in cjk:
        posts = posts.filter(
            Q(title__contains=run) | Q(summary__contains=run) | Q(body__contains=run)
        )
    if cjk:
        rank = rank + _substring_rank(cjk, "contains")
    return posts.annotate(rank=rank).order_by("-rank", "-published_at", "-id")


def _substrings(posts, terms):
    for term in terms:
        posts = posts.filter(
            Q(title__icontains=term)
            | Q(summary__icontains=term)
            | Q(body__icontains=term)
        )
    rank = _substring_rank(terms, "icontains")
    return posts.annotate(rank=rank).order_by("-rank", "-published_at", "-id")


def _substring_rank(terms, lookup):
    return sum(
        (
            Case(When(**{f"{field}__{lookup}": term}, then=Value(weight)), default=0.0)
            for term in terms
            for field, weight in zip(("title", "summary", "body"), WEIGHTS, strict=True)
        ),
        start=Value(0.0),
    )


# -- the SQLite index -----------------------------------------------------------


def _indexed():
    return connection.vendor == "sqlite"


def document(post):
    """Return the text of ``post`` as indexed: (title, summary, body), the body
    as readers see it (no Markdown or HTML), CJK runs as pairs."""
    body = html.unescape(strip_tags(post.body_html))
    return tuple(bigrams(text) for text in (post.title, post.summary, body))


def update(posts):
    """Index ``posts`` (an iterable of Post) anew."""
    if not _indexed():
        return
    rows = [(post.pk, *document(post)) for post in posts]
    with connection.cursor() as cursor:
        cursor.executemany(_DELETE, [(row[0],) for row in rows])
        cursor.executemany(_INSERT, rows)


def remove(pks):
    """Take the posts ``pks`` out of the index."""
    if not _indexed():
        return
    with connection.cursor() as cursor:
        cursor.executemany(_DELETE, [(pk,) for pk in pks])


def rebuild():
    """Index every post anew, in chunks; return how many were indexed (0 where
    the database indexes posts by itself)."""
    if not _indexed():
        return 0
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM news_post_search")
    count = 0
    batch = []
    posts = Post.objects.only("title", "summary", "body_html").order_by("pk")
    for post in posts.iterator(chunk_size=CHUNK_SIZE):
        batch.append(post)
        if len(batch) == CHUNK_SIZE:
            update(batch)
            count += len(batch)
            batch = []
    update(batch)
    return count + len(batch)


def _post_touched(sender, post, **kwargs):
    update([post])


def _post_deleted(sender, instance, **kwargs):
    remove([instance.pk])


def register_signal_handlers():
    """Keep the index in step with the posts (news.apps calls this)."""
    signals.post_published.connect(_post_touched, dispatch_uid="search-published")
    signals.post_unpublished.connect(_post_touched, dispatch_uid="search-unpublished")
    signals.post_changed.connect(_post_touched, dispatch_uid="search-changed")
    post_delete.connect(_post_deleted, sender=Post, dispatch_uid="search-delete")


def vocabulary(texts):
    """Return the distinct words of ``texts`` worth suggesting: three letters
    or more, lowercased, CJK runs left out (a misspelling there is another
    character, not a near one)."""
    found = {
        word.lower()
        for text in texts
        for word in _WORD.findall(text)
        if len(word) >= 3 and not _CJK.search(word) and not word.isdigit()
    }
    return sorted(found)


def close_spelling(query, known):
    """Return ``query`` with each word not in ``known`` (a sorted list from
    vocabulary()) replaced by the closest one that is, or "" when no word
    changes."""
    corrected, changed = [], False
    for word in words(query):
        index = bisect.bisect_left(known, word)
        if (index < len(known) and known[index] == word) or len(word) < 3:
            corrected.append(word)
            continue
        close = difflib.get_close_matches(word, known, n=1, cutoff=SPELLING_CUTOFF)
        if close:
            changed = True
        corrected.append(close[0] if close else word)
    return " ".join(corrected) if changed else ""


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
