"""Workflow REST endpoints under /api/v1/."""
from django.urls import path

from annotate.workflow import api_views as v

urlpatterns = [
    path("projects/<int:pk>/next/", v.NextDocumentView.as_view(), name="api-next-document"),
    path("projects/<int:pk>/assignments/", v.AssignmentListView.as_view(), name="api-assignment-list"),
    path("assignments/<int:pk>/", v.AssignmentDetailView.as_view(), name="api-assignment-detail"),
    path("projects/<int:pk>/agreement/", v.AgreementView.as_view(), name="api-agreement"),
    path("projects/<int:pk>/progress/", v.ProgressView.as_view(), name="api-progress"),
    path("projects/<int:pk>/history/", v.HistoryView.as_view(), name="api-history"),
    path("projects/<int:pk>/history/export/", v.HistoryExportView.as_view(), name="api-history-export"),
    path("documents/<int:pk>/adjudication/", v.AdjudicationView.as_view(), name="api-adjudication"),
    path("documents/<int:pk>/gold/accept/", v.GoldAcceptView.as_view(), name="api-gold-accept"),
    path("documents/<int:pk>/gold/accept-agreed/", v.GoldAcceptAgreedView.as_view(), name="api-gold-accept-agreed"),
    path("documents/<int:pk>/gold/reject/", v.GoldRejectView.as_view(), name="api-gold-reject"),
    path("documents/<int:pk>/gold/unreject/", v.GoldUnrejectView.as_view(), name="api-gold-unreject"),
    path("projects/<int:pk>/releases/", v.ReleaseListView.as_view(), name="api-release-list"),
    path("projects/<int:pk>/releases/<int:number>/", v.ReleaseDetailView.as_view(), name="api-release-detail"),
    path(
        "projects/<int:pk>/releases/<int:number>/download/<str:fmt>/",
        v.ReleaseDownloadView.as_view(),
        name="api-release-download",
    ),
    # what a release downloads by default: the dataset package (annotate.datasets.exports.package)
    path(
        "projects/<int:pk>/releases/<int:number>/download/",
        v.ReleasePackageDownloadView.as_view(),
        name="api-release-download-package",
    ),
]
