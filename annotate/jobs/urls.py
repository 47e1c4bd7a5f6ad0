"""Job routes under /api/v1/."""
from django.urls import path

from annotate.jobs import api

urlpatterns = [
    path("jobs/<int:pk>/", api.JobDetailView.as_view(), name="api-job-detail"),
    path("jobs/<int:pk>/cancel/", api.JobCancelView.as_view(), name="api-job-cancel"),
    path("jobs/<int:pk>/download/", api.JobDownloadView.as_view(), name="api-job-download"),
    path("jobs/", api.JobListView.as_view(), name="api-job-list"),
]
