"""Pages of the sources view."""
from django.urls import path

from . import views

urlpatterns = [
    path("projects/<int:pk>/sources/", views.sources_page, name="sources-project"),
    path("projects/<int:pk>/sources/merge/", views.sources_merge_page, name="sources-merge"),
    path("projects/<int:pk>/sources/split/", views.sources_split_page, name="sources-split"),
    path("documents/<int:pk>/claims/", views.claims_page, name="sources-claims"),
]
