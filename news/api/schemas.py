"""What the content API answers, as Pydantic models: django-ninja checks every
response against them and makes the OpenAPI 3.1 schema from them. Every URL
in them is absolute.

They are plain Pydantic models, not ninja's Schema: the views hand them dicts,
and Schema's reading of ORM objects cost a third of a list's time.
"""

from datetime import datetime

from pydantic import BaseModel as Schema
from pydantic import Field


class Error(Schema):
    detail: str = Field(description="What was wrong with the request.")


class Rendition(Schema):
    url: str
    width: int = Field(description="Its width in pixels.")
    type: str = Field(description="Its media type, e.g. image/webp.")


class Picture(Schema):
    """An image as readers get it: resized copies (renditions), never the
    uploaded original of a bitmap."""

    url: str = Field(
        description="The largest rendition (an SVG's own file); empty when "
        "none could be made."
    )
    type: str
    width: int = Field(description="The original's width in pixels.")
    height: int = Field(description="The original's height in pixels.")
    alt: str
    caption: str
    credit: str
    srcset: str = Field(description="The renditions in the fallback format.")
    webp_srcset: str = Field(description="The WebP renditions.")
    renditions: list[Rendition]


class Named(Schema):
    """A tag, category or author, as a post names it."""

    name: str
    slug: str
    url: str = Field(description="Its page on the site; empty if it has none.")


class PostSummary(Schema):
    id: int
    title: str
    slug: str
    language: str
    url: str = Field(description="The article on the site.")
    api_url: str = Field(description="This post in the API, with its body.")
    summary: str
    published_at: datetime
    updated_at: datetime | None = Field(
        description="When the post says it was last updated, if it does."
    )
    category: Named | None
    tags: list[Named]
    authors: list[Named]
    banner: Picture | None


class PostDetail(PostSummary):
    html: str = Field(
        description="The body as sanitised HTML, as stored when it was "
        "rendered; every URL in it absolute."
    )
    markdown: str = Field(description="The body as its author wrote it.")
    images: list[Picture] = Field(description="The images the body shows.")


class PostPage(Schema):
    items: list[PostSummary]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last."
    )
    next: str | None = Field(description="The next page's URL; null on the last.")


class Section(Schema):
    """A tag, category or author with published posts."""

    name: str
    slug: str
    url: str = Field(description="Its page on the site; empty if it has none.")
    posts_url: str = Field(description="Its posts in the API.")
    count: int = Field(description="How many published posts it has.")
    description: str = Field(description="A category's description, an author's bio.")


class Author(Section):
    avatar: Picture | None


class SectionList(Schema):
    items: list[Section]


class AuthorList(Schema):
    items: list[Author]
