"""Where fields are in a front matter: Zola's [taxonomies] and [extra] tables,
keys an operator maps to fields, and Jekyll's space-separated names; read, and
written back in their place."""

from datetime import UTC

import pytest

from news.documents.frontmatter import fields, parse, serialize, update
from news.documents.frontmatter.keymap import parse_map, read_map_file

# Zola's front matter, as its documentation shows it: TOML, taxonomies in
# their table, and a theme's own keys under [extra].
ZOLA = """+++
title = "Zola post"
date = 2024-03-01
description = "Short."

[taxonomies]
tags = ["rust", "ssg"]
categories = ["Programming"]
series = ["one"]

[extra]
banner = "banner.png"
author = "Vincent"
toc = true
+++
Body
"""


def read(text, **options):
    return fields(parse(text.encode()), tz=UTC, name="p.md", **options)


def rewritten(text, changes, **options):
    return serialize(update(parse(text.encode()), changes, **options)).decode()


def test_zola_taxonomies_and_extra_are_read_as_fields():
    post = read(ZOLA)
    assert (post.tags, post.category) == (["rust", "ssg"], "Programming")
    assert (post.banner, post.authors, post.summary) == (
        "banner.png",
        ["Vincent"],
        "Short.",
    )
    # What the tables hold besides fields stays with the post, in its table.
    assert post.extra == {"taxonomies": {"series": ["one"]}, "extra": {"toc": True}}


def test_zola_fields_are_written_back_into_their_tables():
    changes = {
        "tags": ["rust"],
        "category": "Go",
        "extra": {"taxonomies": {"series": ["two"]}, "extra": {"toc": False}},
    }
    assert rewritten(ZOLA, changes) == ZOLA.replace(
        'tags = ["rust", "ssg"]', 'tags = ["rust"]'
    ).replace('["Programming"]', '["Go"]').replace('["one"]', '["two"]').replace(
        "toc = true", "toc = false"
    )


def test_unchanged_zola_values_rewrite_nothing():
    post = read(ZOLA)
    same = {"tags": post.tags, "category": post.category, "extra": post.extra}
    assert rewritten(ZOLA, same) == ZOLA


def test_a_table_without_its_field_keys_keeps_them():
    # Removing a table's other keys leaves the keys that are fields.
    assert rewritten(ZOLA, {"extra": {"extra": None, "taxonomies": None}}) == (
        ZOLA.replace('series = ["one"]\n', "").replace("toc = true\n", "")
    )


def test_new_zola_fields_go_into_the_tables_zola_allows():
    text = (
        '+++\ntitle = "x"\n\n[taxonomies]\nseries = ["a"]\n\n[extra]\ntoc = true\n+++\n'
    )
    assert rewritten(
        text, {"tags": ["a"], "category": "C", "banner": "b.png", "summary": "S"}
    ) == (
        '+++\ntitle = "x"\ndescription = "S"\n\n[taxonomies]\nseries = ["a"]\n'
        'tags = ["a"]\ncategories = ["C"]\n\n[extra]\ntoc = true\nbanner = "b.png"\n'
        "+++\n"
    )


def test_tables_in_yaml_are_read_and_written_back_in_place():
    text = "---\ntitle: x\ntaxonomies:\n  tags: [a, b]\n  series: [s]\n---\n"
    assert read(text).tags == ["a", "b"]
    assert read(text).extra == {"taxonomies": {"series": ["s"]}}
    assert rewritten(text, {"tags": ["z"]}) == (
        "---\ntitle: x\ntaxonomies:\n  tags:\n    - z\n  series:\n    - s\n---\n"
    )


def test_top_level_keys_come_before_keys_in_tables():
    text = '+++\ntitle = "x"\ntags = ["top"]\n\n[taxonomies]\ntags = ["t"]\n+++\n'
    post = read(text)
    assert post.tags == ["top"]
    assert post.extra == {"taxonomies": {"tags": ["t"]}}


MAPPED = "---\ntitle: x\nimage: i.png\nparams:\n  cover: c.png\n  x: 1\n---\n"


def test_a_mapped_key_is_read_as_its_field_before_the_known_ones():
    post = read(MAPPED, field_map={"params.cover": "banner"})
    assert post.banner == "c.png"
    assert post.extra == {"image": "i.png", "params": {"x": 1}}
    assert read(MAPPED, field_map={"Image": "tags"}).tags == ["i.png"]
    assert read(MAPPED, field_map={"Image": "tags"}).banner is None


def test_a_mapped_field_is_written_back_under_its_key():
    assert rewritten(
        MAPPED, {"banner": "d.png"}, field_map={"params.cover": "banner"}
    ) == MAPPED.replace("c.png", "d.png")
    text = "---\ntitle: x\nheadline: Old\n---\n"
    changes = {"title": "New"}
    assert rewritten(text, changes, field_map={"headline": "title"}) == (
        "---\ntitle: x\nheadline: New\n---\n"
    )


def test_map_entries_name_fields_or_their_known_keys():
    assert parse_map(["heroImage=banner", "byline = author", "x.y=pubDate"]) == {
        "heroImage": "banner",
        "byline": "authors",
        "x.y": "date",
    }


@pytest.mark.parametrize(
    "entry, message",
    [
        ("heroImage", "'heroImage' is not KEY=FIELD (e.g. heroImage=banner)"),
        ("=banner", "'=banner' is not KEY=FIELD (e.g. heroImage=banner)"),
        ("a..b=banner", "'a..b=banner': the key 'a..b' has an empty part"),
        (
            "heroImage=bannr",
            "'heroImage=bannr': unknown field 'bannr' (fields: aliases, authors, "
            "banner, category, date, draft, expires, language, slug, summary, "
            "tags, title, translation_key, updated)",
        ),
    ],
)
def test_a_map_entry_that_cannot_be_read_says_why(entry, message):
    with pytest.raises(ValueError) as caught:
        parse_map([entry])
    assert str(caught.value) == message


def test_a_map_file_is_lines_of_key_field_and_its_errors_name_the_line():
    text = "# Astro\nheroImage=banner\n\nbyline=authors\n"
    assert read_map_file(text, "map.txt") == {
        "heroImage": "banner",
        "byline": "authors",
    }
    with pytest.raises(ValueError) as caught:
        read_map_file("heroImage=banner\nbyline\n", "map.txt")
    assert str(caught.value).startswith("map.txt:2: 'byline' is not KEY=FIELD")


def test_jekyll_categories_and_tags_may_be_space_separated():
    post = read("---\ntitle: x\ncategories: jekyll update\ntags: a b\n---\n")
    assert (post.category, post.tags) == ("jekyll", ["a", "b"])
    # A list, a comma-separated string, and the singular `category` are names
    # as written.
    assert read("---\ntitle: x\ntags: [big data, ai]\n---\n").tags == [
        "big data",
        "ai",
    ]
    assert read("---\ntitle: x\ntags: big data, ai\n---\n").tags == ["big data", "ai"]
    assert read("---\ntitle: x\ncategory: release notes\n---\n").category == (
        "release notes"
    )


def test_a_space_separated_category_is_not_rewritten_unless_it_changes():
    text = "---\ntitle: x\ncategories: jekyll update\n---\n"
    assert rewritten(text, {"category": "jekyll"}) == text
    assert rewritten(text, {"category": "news"}) == (
        "---\ntitle: x\ncategories: news\n---\n"
    )


def test_inline_authors_and_the_single_authors_keys_describe_them():
    post = read(
        "---\ntitle: x\nauthors:\n  name: Joel\n  title: Co-creator\n"
        "  image_url: /img/joel.png\n  socials: {x: joel}\n---\n"
    )
    assert post.authors == ["Joel"]
    assert post.author_profiles == {
        "Joel": {"title": "Co-creator", "image_url": "/img/joel.png"}
    }
    post = read(
        "---\ntitle: x\nauthor: Joel\nauthor_title: Co-creator\n"
        "author_url: https://example.org/joel\n---\n"
    )
    assert post.author_profiles == {
        "Joel": {"title": "Co-creator", "url": "https://example.org/joel"}
    }
    # Kept as written, for export.
    assert post.extra == {
        "author_title": "Co-creator",
        "author_url": "https://example.org/joel",
    }


def test_a_key_mapped_deep_in_a_table_stays_when_the_table_changes():
    text = '+++\ntitle = "x"\n\n[params.social]\nimage = "i.png"\nsite = "a"\n+++\n'
    field_map = {"params.social.image": "banner"}
    post = read(text, field_map=field_map)
    assert (post.banner, post.extra) == ("i.png", {"params": {"social": {"site": "a"}}})
    changes = {"extra": {"params": {"social": {"site": "b"}}}}
    assert rewritten(text, changes, field_map=field_map) == text.replace(
        'site = "a"', 'site = "b"'
    )
    yaml = "---\ntitle: x\nparams:\n  social:\n    image: i.png\n    site: a\n---\n"
    assert rewritten(yaml, changes, field_map=field_map) == yaml.replace(
        "site: a", "site: b"
    )
