from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from . import feeds, views
from .cache import public_page
from .sitemaps import sitemaps

app_name = "news"

sitemap_index = public_page(sitemap_views.index)
sitemap_section = public_page(sitemap_views.sitemap)

urlpatterns = [
    path("", views.PostListView.as_view(), name="post_list"),
    path("news/<str:slug>/", views.PostDetailView.as_view(), name="post_detail"),
    path("tags/<str:slug>/", views.TagPostListView.as_view(), name="tag"),
    path(
        "categories/<str:slug>/",
        views.CategoryPostListView.as_view(),
        name="category",
    ),
    path("authors/<str:slug>/", views.AuthorPostListView.as_view(), name="author"),
    path(
        "archive/<int:year>/", views.PostYearArchiveView.as_view(), name="archive_year"
    ),
    path(
        "archive/<int:year>/<int:month>/",
        views.PostMonthArchiveView.as_view(),
        name="archive_month",
    ),
    path("search/", views.SearchView.as_view(), name="search"),
    path("feed/", public_page(feeds.LatestPostsFeed()), name="feed"),
    path("feed/atom/", public_page(feeds.LatestPostsAtomFeed()), name="feed_atom"),
    path("tags/<str:slug>/feed/", public_page(feeds.TagFeed()), name="tag_feed"),
    path(
        "tags/<str:slug>/feed/atom/",
        public_page(feeds.TagAtomFeed()),
        name="tag_feed_atom",
    ),
    path(
        "categories/<str:slug>/feed/",
        public_page(feeds.CategoryFeed()),
        name="category_feed",
    ),
    path(
        "categories/<str:slug>/feed/atom/",
        public_page(feeds.CategoryAtomFeed()),
        name="category_feed_atom",
    ),
    path(
        "authors/<str:slug>/feed/",
        public_page(feeds.AuthorFeed()),
        name="author_feed",
    ),
    path(
        "authors/<str:slug>/feed/atom/",
        public_page(feeds.AuthorAtomFeed()),
        name="author_feed_atom",
    ),
    path(
        "sitemap.xml",
        sitemap_index,
        {"sitemaps": sitemaps, "sitemap_url_name": "news:sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_section,
        {"sitemaps": sitemaps},
        name="sitemap_section",
    ),
    path("robots.txt", views.RobotsView.as_view(), name="robots"),
]
