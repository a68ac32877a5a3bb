from django.urls import path

from . import preview_views, views

app_name = "news"

urlpatterns = [
    path("", views.PostListView.as_view(), name="post_list"),
    path("news/<str:slug>/", views.PostDetailView.as_view(), name="post_detail"),
]

# Previews (news/preview_views.py): kept apart from the public views above.
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
