"""The sitemap: every published post, with its last modification, and on a
site of several languages each post's published translations as
``xhtml:link`` alternates (and ``x-default``), pointing both ways."""

from django.contrib.sitemaps import Sitemap

from .. import languages
from ..models import Post, queries


class PostSitemap(Sitemap):
    # Well under the protocol's 50,000, so each page is one quick query.
    limit = 5000

    def items(self):
        return (
            Post.objects.published()
            .order_by("-published_at", "-id")
            .only(
                "slug",
                "language",
                "translation_key",
                "published_at",
                "lastmod",
                "updated_at",
            )
        )

    def lastmod(self, post):
        return max(filter(None, [post.lastmod, post.published_at, post.updated_at]))

    def get_latest_lastmod(self):
        # The default walks every item; the site's last change is an index lookup.
        changed, _ = queries.freshness()
        return changed

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page, site, protocol)
        if languages.is_multilingual():
            root = f"{self.get_protocol(protocol)}://{self.get_domain(site)}"
            add_alternates(urls, root)
        return urls


def add_alternates(urls, root):
    """Give each of the sitemap's ``urls`` whose post has published
    translations the URL of every version by language, and x-default (the
    default language's version, else its own); in one query for the page."""
    keys = {url["item"].translation_key for url in urls} - {""}
    groups: dict[str, dict[str, Post]] = {}
    versions = (
        Post.objects.published()
        .filter(translation_key__in=keys)
        .only("slug", "language", "translation_key")
    )
    for post in versions:
        groups.setdefault(post.translation_key, {})[post.language] = post
    for url in urls:
        group = groups.get(url["item"].translation_key, {})
        if len(group) < 2:
            continue
        url["alternates"] = [
            {"lang_code": code, "location": root + group[code].get_absolute_url()}
            for code in languages.codes()
            if code in group
        ]
        default = group.get(languages.default(), url["item"])
        url["alternates"].append(
            {"lang_code": "x-default", "location": root + default.get_absolute_url()}
        )


sitemaps = {"posts": PostSitemap}
