"""The content API's URLs, under /api/ (cms.urls).

Every one of them, the schema and the reference page included, is a public
page to news.public.cache: the page cache keeps its answers, and each carries
an ETag, Last-Modified and the pages' Cache-Control, and answers 304 to a
request that already has it. API answers change exactly when pages do: both
come from the published content.
"""

from ..public.cache import public_page
from .views import api

urlpatterns, app_name, namespace = api.urls
for pattern in urlpatterns:
    pattern.callback = public_page(pattern.callback)
