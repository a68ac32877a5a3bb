"""Feed formats: RSS 2.0, Atom and JSON Feed 1.1 written from Django's
feedgenerator dicts, and HTML with its links made absolute for a feed.

Pure functions and classes over text: no ORM. news.public.feeds fills the
generators; what they add to Django's own:

- RSS and Atom go out as ``application/xml``: browsers apply the feed's XSLT
  stylesheet to that type, while they show ``application/rss+xml`` as text or
  offer it as a download. Feed readers read the document, whatever its type.
- An item's ``content_html`` (the full article, with absolute URLs) is RSS's
  ``content:encoded`` and Atom's ``<content type="html">``; the description
  stays the summary.
- Atom carries the stylesheets as RSS does (Django writes them only in RSS).
"""

import json
import re
from urllib.parse import urljoin

from django.utils.feedgenerator import (
    Atom1Feed,
    Rss201rev2Feed,
    SyndicationFeed,
    rfc3339_date,
)
from django.utils.xmlutils import SimplerXMLGenerator

XML_CONTENT_TYPE = "application/xml; charset=utf-8"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"

# nh3 (news.documents.markdown) writes every attribute double-quoted, with any
# quote inside escaped, so an attribute value is everything up to the next quote.
_URL_ATTRIBUTE = re.compile(r'(\s(?:href|src|poster)=")([^"]*)(")')
_SRCSET = re.compile(r'(\ssrcset=")([^"]*)(")')


def absolute_urls(html, base):
    """Return sanitised ``html`` with every link and image URL (``href``,
    ``src``, ``poster``, ``srcset``) resolved against ``base``, so that it
    reads the same in a feed reader as on the site."""

    def link(match):
        return match[1] + urljoin(base, match[2]) + match[3]

    def srcset(match):
        candidates = []
        for candidate in match[2].split(","):
            url, _, descriptor = candidate.strip().partition(" ")
            absolute = urljoin(base, url)
            candidates.append(f"{absolute} {descriptor}".strip())
        return match[1] + ", ".join(candidates) + match[3]

    return _SRCSET.sub(srcset, _URL_ATTRIBUTE.sub(link, html))


class RssFeed(Rss201rev2Feed):
    content_type = XML_CONTENT_TYPE

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:content": CONTENT_NS}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content:encoded", item["content_html"])


class AtomFeed(Atom1Feed):
    content_type = XML_CONTENT_TYPE

    def write(self, outfile, encoding):
        # As Atom1Feed.write(), with the stylesheets before the root element.
        handler = SimplerXMLGenerator(outfile, encoding, short_empty_elements=True)
        handler.startDocument()
        for stylesheet in self.feed["stylesheets"] or []:
            handler.processingInstruction("xml-stylesheet", stylesheet)
        handler.startElement("feed", self.root_attributes())
        self.add_root_elements(handler)
        self.write_items(handler)
        handler.endElement("feed")

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content", item["content_html"], {"type": "html"})


class JsonFeed(SyndicationFeed):
    """JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/).

    Items need an ``id`` and one of ``content_html`` or ``content_text``: the
    full article when the feed has it, else the summary as text. An item's
    ``image`` (an absolute URL) is its banner.
    """

    content_type = "application/feed+json; charset=utf-8"

    def write(self, outfile, encoding):
        outfile.write(json.dumps(self.document(), ensure_ascii=False, indent=1))

    def document(self):
        """Return the feed as the dict JSON Feed 1.1 describes."""
        feed = self.feed
        document = {
            "version": JSON_FEED_VERSION,
            "title": feed["title"],
            "home_page_url": feed["link"],
            "feed_url": feed["feed_url"],
            "description": feed["description"],
            "language": feed["language"],
            "items": [self.item(item) for item in self.items],
        }
        if feed["author_name"]:
            document["authors"] = [{"name": feed["author_name"]}]
        return {key: value for key, value in document.items() if value is not None}

    def item(self, item):
        entry = {
            "id": item["unique_id"] or item["link"],
            "url": item["link"],
            "title": item["title"],
        }
        if item.get("content_html"):
            entry["content_html"] = item["content_html"]
            if item.get("summary"):
                entry["summary"] = item["summary"]
        else:
            entry["content_text"] = item.get("summary") or ""
        if item.get("image"):
            entry["image"] = entry["banner_image"] = item["image"]
        if item["pubdate"]:
            entry["date_published"] = rfc3339_date(item["pubdate"])
        if item["updateddate"]:
            entry["date_modified"] = rfc3339_date(item["updateddate"])
        if item.get("authors"):
            entry["authors"] = [{"name": name} for name in item["authors"]]
        if item["categories"]:
            entry["tags"] = list(item["categories"])
        if item.get("language"):
            entry["language"] = item["language"]
        return entry
