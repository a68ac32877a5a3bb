"""The read-only content API (docs/api.md): published posts, tags, categories
and authors as JSON, built with django-ninja, at /api/.

- views: the NinjaAPI and its endpoints; every read goes through
  ``Post.objects.published()`` or news.models.indexes.
- schemas: what each response holds (the OpenAPI 3.1 schema is made from them).
- serialize: posts and images as those schemas, with absolute URLs.
- cursor: the opaque cursors of the post list.
- docs: the reference page at /api/docs/, rendered here from the schema.
- urls: the API's URLs, each under the public pages' caching rules.
"""
