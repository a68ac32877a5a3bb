"""Section: a tag, category or author, as list pages, feeds and queries use it."""

from dataclasses import dataclass
from typing import Any

from django.urls import reverse


@dataclass(frozen=True)
class Section:
    """One tag, category or author: what its list page, its feeds and the
    queries of its posts need of it. Small and picklable, so that a page keeps
    it in the fragment cache instead of loading the row."""

    TAG = "tag"
    CATEGORY = "category"
    AUTHOR = "author"

    kind: str
    pk: int
    name: str = ""
    slug: str = ""
    lede: str = ""  # a category's description, an author's bio
    website: str = ""  # an author's own page (Author.url)
    # Reversed once when made: a list page shows them on every request.
    rss_url: str = ""
    atom_url: str = ""
    json_url: str = ""
    # A category's image or an author's avatar as shown (a
    # news.media.renditions.Picture), set by news.public.fragments.section.
    picture: Any = None
    # An author's bio as sanitised HTML (Markdown), set by the same function.
    lede_html: str = ""

    @classmethod
    def of(cls, obj):
        """Return the Section of a Tag, Category or Author row."""
        kind = obj._meta.model_name
        if kind not in (cls.TAG, cls.CATEGORY, cls.AUTHOR):
            raise TypeError(f"{obj!r} is not a tag, category or author")
        # An author's bio is Markdown: the page's description is its text.
        lede = obj.bio_text() if kind == cls.AUTHOR else getattr(obj, "description", "")
        feed = f"news:{kind}_feed"
        return cls(
            kind,
            obj.pk,
            obj.name,
            obj.slug,
            lede,
            website=getattr(obj, "url", ""),
            rss_url=reverse(feed, args=[obj.slug]),
            atom_url=reverse(f"{feed}_atom", args=[obj.slug]),
            json_url=reverse(f"{feed}_json", args=[obj.slug]),
        )
