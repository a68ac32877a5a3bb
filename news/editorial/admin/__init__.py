"""The editorial admin, by what it edits: posts (posts.py), images
(media.py), authors, categories, tags, menus and the theme (sections.py), and
the records the app keeps (records.py). Importing the package registers them
all (news.admin)."""

from . import media, posts, records, sections
from .common import ReadOnlyAdmin
from .media import ImageAdmin

__all__ = ["ImageAdmin", "ReadOnlyAdmin", "media", "posts", "records", "sections"]
