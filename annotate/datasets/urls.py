"""Dataset pages (the import form posts here)."""
from django.urls import path

from annotate.datasets import views

urlpatterns = [
    path("projects/<int:pk>/import/", views.project_import, name="project-import"),
]
