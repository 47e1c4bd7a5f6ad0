"""Workflow pages (dashboard, queue, assignments, agreement, adjudication, releases, history)."""
from django.urls import path

from annotate.workflow import views

urlpatterns = [
    path("projects/<int:pk>/dashboard/", views.dashboard, name="workflow-dashboard"),
    path("projects/<int:pk>/next/", views.queue_next, name="workflow-next"),
    path("projects/<int:pk>/assignments/", views.assignments, name="workflow-assignments"),
    path("projects/<int:pk>/agreement/", views.agreement, name="workflow-agreement"),
    path("projects/<int:pk>/adjudication/", views.adjudication_list, name="workflow-adjudication"),
    path("documents/<int:pk>/adjudicate/", views.adjudicate, name="workflow-adjudicate"),
    path("projects/<int:pk>/releases/", views.releases, name="workflow-releases"),
    path("projects/<int:pk>/releases/<int:number>/", views.release_detail, name="workflow-release"),
    path(
        "projects/<int:pk>/releases/<int:number>/download/<str:fmt>/",
        views.release_download,
        name="workflow-release-download",
    ),
    path(
        "projects/<int:pk>/releases/<int:number>/download/",
        views.release_download,
        {"fmt": "package"},
        name="workflow-release-download-package",
    ),
    path("projects/<int:pk>/history/", views.history, name="workflow-history"),
]
