"""Which files are posts: an MDX file, a Hugo section's ``_index.md`` and a
page with a non-post ``layout`` are skipped, each saying why and how to
import it anyway."""

import posixpath

# Layouts of pages that are not posts: a site's home, its plain pages, and the
# lists of its sections, categories, tags and archives.
NON_POST_LAYOUTS = frozenset(
    [
        "page",
        "home",
        "default",
        "index",
        "list",
        "archive",
        "archives",
        "category",
        "categories",
        "tag",
        "tags",
        "search",
        "blog-category",
        "section",
    ]
)


def not_a_post_file(relpath, *, mdx):
    """Return why the file at ``relpath`` is not read as a post, or None."""
    name = posixpath.basename(relpath)
    if name.lower().endswith(".mdx") and not mdx:
        return (
            "an MDX file (Markdown with JSX), not imported; --mdx reads it as Markdown"
        )
    if name == "_index.md":
        return "a Hugo section's list page (_index.md), not a post"
    return None


def not_a_post(doc, *, include_layouts):
    """Return why the document ``doc`` is a page and not a post, or None;
    ``include_layouts`` are layouts (folded) imported as posts all the same."""
    layouts = [v for k, v in doc.meta.items() if str(k).casefold() == "layout"]
    layout = str(layouts[0]).strip() if layouts else ""
    if (
        layout.casefold() in NON_POST_LAYOUTS
        and layout.casefold() not in include_layouts
    ):
        return (
            f"layout {layout!r} is a page, not a post; "
            f"--include-layout {layout} imports it"
        )
    return None
