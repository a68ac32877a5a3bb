"""The content model, at the bottom of the app: it imports none of its services.

- content: Post (with its queryset), Author, Category, tags and the rows that
  tie them; SiteChange.
- media: Image and Rendition.
- editorial: AuditEntry, Revision, ReviewComment, PreviewLink, Autosave,
  Presence.
- documents: SourceFile, where an imported post came from; ImportJob, an
  admin upload imported on a worker.
- integrations: WebhookSubscription and WebhookDelivery, its log.
- sections: Section, a tag, category or author as pages and queries use it.
- queries: the public site's hand-written SQL (freshness, published_id,
  listed_ids).
- indexes: the tags, categories, authors and months with published posts,
  and how many each has (the index pages).
- relations: writing a post's tags, bylines and image links.
- navigation: MenuItem, the links of the site's header and footer menus;
  SiteSettings, the site's theme (one row).
- lookups: `in` lookups that drop integers no column can hold (registered on
  import, so every query of the project has them).
"""

from . import lookups  # noqa: F401 (registers the lookups)
from .content import (
    Author,
    Category,
    OldSlug,
    Post,
    PostAlias,
    PostAuthor,
    PostImage,
    SiteChange,
    TaggedPost,
)
from .documents import ImportJob, SourceFile
from .editorial import (
    AuditEntry,
    Autosave,
    Presence,
    PreviewLink,
    ReviewComment,
    Revision,
)
from .integrations import WebhookDelivery, WebhookSubscription
from .media import Image, Rendition
from .navigation import MenuItem, SiteSettings
from .sections import Section

__all__ = [
    "AuditEntry",
    "Author",
    "Autosave",
    "Category",
    "Image",
    "ImportJob",
    "MenuItem",
    "OldSlug",
    "Post",
    "PostAlias",
    "PostAuthor",
    "PostImage",
    "Presence",
    "PreviewLink",
    "Rendition",
    "ReviewComment",
    "Revision",
    "Section",
    "SiteSettings",
    "SiteChange",
    "SourceFile",
    "TaggedPost",
    "WebhookDelivery",
    "WebhookSubscription",
]
