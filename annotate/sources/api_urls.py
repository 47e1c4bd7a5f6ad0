"""/api/v1/ routes of the sources view."""
from django.urls import path

from . import api

urlpatterns = [
    path("projects/<int:pk>/sources/", api.ProjectSourcesView.as_view(), name="api-project-sources"),
    path("projects/<int:pk>/sources/merge/", api.SourceMergeView.as_view(), name="api-sources-merge"),
    path("projects/<int:pk>/sources/split/", api.SourceSplitView.as_view(), name="api-sources-split"),
    path("documents/<int:pk>/claims/", api.DocumentClaimsView.as_view(), name="api-document-claims"),
]
