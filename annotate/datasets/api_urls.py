"""Dataset export and import endpoints under /api/v1/."""
from django.urls import path

from annotate.datasets import api_views

urlpatterns = [
    path("projects/<int:pk>/export/", api_views.ExportView.as_view(), name="api-project-export"),
    path(
        "projects/<int:pk>/export/manifest/", api_views.ExportManifestView.as_view(), name="api-project-export-manifest"
    ),
    path("projects/<int:pk>/import/", api_views.ImportView.as_view(), name="api-project-import"),
]
