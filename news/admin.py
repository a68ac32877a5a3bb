from django.contrib import admin
from django.urls import path

from . import admin_views
from .models import Author, Category, Image, Post, PostAuthor, PostImage


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "user"]
    search_fields = ["name", "slug", "bio"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["avatar", "user"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = ["__str__", "width", "height", "created_at"]
    search_fields = ["alt", "caption", "credit", "sha256", "file"]
    readonly_fields = ["sha256", "width", "height", "created_at"]
    date_hierarchy = "created_at"


class PostAuthorInline(admin.TabularInline):
    model = PostAuthor
    extra = 0
    autocomplete_fields = ["author"]


class PostImageInline(admin.TabularInline):
    model = PostImage
    extra = 0
    raw_id_fields = ["image"]
    fields = ["reference", "image", "path"]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "category", "published_at", "updated_at"]
    list_filter = ["status", "category", "authors", "tags"]
    search_fields = ["title", "slug", "summary", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    raw_id_fields = ["banner"]
    readonly_fields = ["status", "created_at", "updated_at"]
    inlines = [PostAuthorInline, PostImageInline]
    list_select_related = ["category"]
    actions = [admin_views.export_zip]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "body"]}),
        (
            "Publication",
            {"fields": ["status", "published_at", "lastmod", "category", "tags"]},
        ),
        ("Media", {"fields": ["banner"]}),
        (
            "More",
            {"classes": ["collapse"], "fields": ["extra", "created_at", "updated_at"]},
        ),
    ]

    def get_urls(self):
        view = self.admin_site.admin_view(admin_views.import_view)
        return [
            path("import/", view, {"model_admin": self}, name="news_post_import"),
            *super().get_urls(),
        ]

    def has_export_permission(self, request):
        return request.user.has_perm("news.export_post")
