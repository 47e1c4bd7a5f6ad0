"""Top-level routes: pages, the REST API under /api/v1/, its schema and docs, the admin."""
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    # The API first: Django tries the routes in order, and the pages' routes (none of which
    # starts with api/) cost every API request a failed match each. The span save's routes
    # (annotate.api.urls) lead.
    path("api/v1/", include("annotate.api.urls")),
    path("api/v1/", include("annotate.datasets.api_urls")),
    path("api/v1/", include("annotate.workflow.api_urls")),
    path("api/v1/", include("annotate.jobs.urls")),
    path("api/v1/", include("annotate.suggestions.api_urls")),
    path("api/v1/", include("annotate.sources.api_urls")),
    path("api/v1/", include("annotate.articles.api_urls")),
    path("", include("annotate.page_urls")),
    path("", include("annotate.workflow.urls")),
    path("", include("annotate.datasets.urls")),
    path("", include("annotate.project_setup.urls")),
    path("", include("annotate.accounts.urls")),
    path("", include("annotate.sources.urls")),
    path("", include("annotate.articles.urls")),
    path("", include("annotate.suggestions.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up code as a file: no inline script, so the
    # Content-Security-Policy holds on the docs page too.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("admin/", admin.site.urls),
    path("", include("annotate.ops.urls")),
]

handler500 = "annotate.ops.unavailable.server_error"
