"""Dataset export and import endpoints under /api/v1/."""
from django.urls import path

from annotate.api import dataset_views

urlpatterns = [
    path("projects/<int:pk>/export/", dataset_views.ExportView.as_view(), name="api-project-export"),
    path(
        "projects/<int:pk>/export/manifest/", dataset_views.ExportManifestView.as_view(), name="api-project-export-manifest"
    ),
    path("projects/<int:pk>/import/", dataset_views.ImportView.as_view(), name="api-project-import"),
]
