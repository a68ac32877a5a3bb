"""The sitemap: every published post, with its last modification."""

from django.contrib.sitemaps import Sitemap

from ..models import Post, queries


class PostSitemap(Sitemap):
    # Well under the protocol's 50,000, so each page is one quick query.
    limit = 5000

    def items(self):
        return (
            Post.objects.published()
            .order_by("-published_at", "-id")
            .only("slug", "language", "published_at", "lastmod", "updated_at")
        )

    def lastmod(self, post):
        return max(filter(None, [post.lastmod, post.published_at, post.updated_at]))

    def get_latest_lastmod(self):
        # The default walks every item; the site's last change is an index lookup.
        changed, _ = queries.freshness()
        return changed


sitemaps = {"posts": PostSitemap}
