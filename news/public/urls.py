from django.contrib.sitemaps import views as sitemap_views
from django.urls import path
from django.utils.translation import gettext_noop

from ..editorial import preview_views
from . import feeds, views
from .cache import public_page
from .locale import default_language_only
from .sitemaps import sitemaps

app_name = "news"

# One sitemap for every language (news.public.sitemaps names each page's
# translations); robots.txt names it.
sitemap_index = default_language_only(public_page(sitemap_views.index))
sitemap_section = default_language_only(public_page(sitemap_views.sitemap))

urlpatterns = [
    path("", views.PostListView.as_view(), name="post_list"),
    path("news/<str:slug>/", views.PostDetailView.as_view(), name="post_detail"),
    *(
        path(f"{kind}/", views.IndexView.as_view(kind=kind, heading=heading), name=name)
        for kind, heading, name in [
            ("tags", gettext_noop("Tags"), "tag_index"),
            ("categories", gettext_noop("Categories"), "category_index"),
            ("authors", gettext_noop("Authors"), "author_index"),
            ("archive", gettext_noop("Archive"), "archive"),
        ]
    ),
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
    path("feed/json/", public_page(feeds.LatestPostsJsonFeed()), name="feed_json"),
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
    path(
        "robots.txt",
        default_language_only(views.RobotsView.as_view()),
        name="robots",
    ),
    path("theme.css", views.theme_css, name="theme_css"),
]

# Previews (news/editorial/preview_views.py): kept apart from the public views.
urlpatterns += [
    path(
        "preview/revision/<int:pk>/",
        preview_views.RevisionPreviewView.as_view(),
        name="revision_preview",
    ),
    path(
        "preview/<str:signed>/",
        preview_views.SharedPreviewView.as_view(),
        name="shared_preview",
    ),
]

# RSS, Atom and JSON Feed for each tag, category and author.
for prefix, name, rss, atom, json in [
    ("tags", "tag", feeds.TagFeed, feeds.TagAtomFeed, feeds.TagJsonFeed),
    (
        "categories",
        "category",
        feeds.CategoryFeed,
        feeds.CategoryAtomFeed,
        feeds.CategoryJsonFeed,
    ),
    ("authors", "author", feeds.AuthorFeed, feeds.AuthorAtomFeed, feeds.AuthorJsonFeed),
]:
    urlpatterns += [
        path(f"{prefix}/<str:slug>/feed/", public_page(rss()), name=f"{name}_feed"),
        path(
            f"{prefix}/<str:slug>/feed/atom/",
            public_page(atom()),
            name=f"{name}_feed_atom",
        ),
        path(
            f"{prefix}/<str:slug>/feed/json/",
            public_page(json()),
            name=f"{name}_feed_json",
        ),
    ]
