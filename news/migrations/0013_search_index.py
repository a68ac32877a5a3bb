"""Search indexes: an FTS5 table on SQLite; unaccent and pg_trgm on PostgreSQL.

SQLite: ``news_post_search`` (news.public.search), porter stemming over
unicode61, filled from the posts here and kept in step by the search
receivers afterwards.

PostgreSQL: the extensions are created where the role may (both are trusted
extensions from PostgreSQL 13, so a database owner may); where it may not, the
migration says so and search keeps the english configuration and plain
substring matching for CJK. With unaccent, the ``newsdesk`` configuration is
english with accents removed, and the GIN index ``post_search`` is rebuilt on
it; with pg_trgm, title, summary and body get trigram indexes for CJK words.
"""

from django.db import migrations

TABLE = "news_post_search"
TRIGRAM_COLUMNS = ("title", "summary", "body")


def _search_index(config):
    # Frozen copy of news.public.search.vector(config).
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector

    vector = (
        SearchVector("title", weight="A", config=config)
        + SearchVector("summary", weight="B", config=config)
        + SearchVector("body", weight="C", config=config)
    )
    return GinIndex(vector, name="post_search")


def _bigrams(text):
    # Frozen copy of news.public.search.bigrams().
    import re

    cjk = re.compile(
        "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]+"
    )

    def pairs(match):
        run = match.group()
        if len(run) == 1:
            return f" {run} "
        return " " + " ".join(run[i : i + 2] for i in range(len(run) - 1)) + " "

    return cjk.sub(pairs, text)


def _try(schema_editor, sql):
    """Run ``sql`` in a savepoint; return whether the database allowed it."""
    from django.db import DatabaseError, transaction

    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute(sql)
    except DatabaseError as exc:
        print(f"\n  search: skipped ({exc.__class__.__name__}: {exc})".rstrip())
        return False
    return True


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        import html

        from django.utils.html import strip_tags

        schema_editor.execute(
            f"CREATE VIRTUAL TABLE {TABLE} USING fts5(title, summary, body, "
            "tokenize = 'porter unicode61 remove_diacritics 2')"
        )
        Post = apps.get_model("news", "Post")
        rows = [
            (pk, _bigrams(title), _bigrams(summary), _bigrams(html.unescape(strip_tags(body))))
            for pk, title, summary, body in Post.objects.values_list(
                "pk", "title", "summary", "body_html"
            ).iterator()
        ]
        with schema_editor.connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {TABLE} (rowid, title, summary, body) VALUES (%s, %s, %s, %s)",
                rows,
            )
    elif vendor == "postgresql":
        Post = apps.get_model("news", "Post")
        if _try(schema_editor, "CREATE EXTENSION IF NOT EXISTS unaccent") and _try(
            schema_editor,
            "CREATE TEXT SEARCH CONFIGURATION newsdesk (COPY = english); "
            "ALTER TEXT SEARCH CONFIGURATION newsdesk ALTER MAPPING FOR "
            "hword, hword_part, word WITH unaccent, english_stem",
        ):
            schema_editor.remove_index(Post, _search_index("english"))
            schema_editor.add_index(Post, _search_index("newsdesk"))
        if _try(schema_editor, "CREATE EXTENSION IF NOT EXISTS pg_trgm"):
            for column in TRIGRAM_COLUMNS:
                schema_editor.execute(
                    f"CREATE INDEX post_{column}_trgm ON news_post "
                    f"USING gin ({column} gin_trgm_ops)"
                )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")
    elif vendor == "postgresql":
        Post = apps.get_model("news", "Post")
        for column in TRIGRAM_COLUMNS:
            schema_editor.execute(f"DROP INDEX IF EXISTS post_{column}_trgm")
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = 'newsdesk'")
            unaccented = cursor.fetchone() is not None
        if unaccented:
            schema_editor.remove_index(Post, _search_index("newsdesk"))
            schema_editor.add_index(Post, _search_index("english"))
            schema_editor.execute("DROP TEXT SEARCH CONFIGURATION newsdesk")


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0012_webhooks"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
