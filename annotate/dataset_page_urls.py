"""Dataset pages."""
from django.urls import path

from annotate import dataset_views

urlpatterns = [
    path("projects/<int:pk>/import/", dataset_views.project_import, name="project-import"),
]
