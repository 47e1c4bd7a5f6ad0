"""/api/v1/ routes."""
from django.urls import path

from annotate.api import views, workspace_views

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("projects/", views.ProjectListView.as_view(), name="api-project-list"),
    path("projects/<int:pk>/", views.ProjectDetailView.as_view(), name="api-project-detail"),
    path("projects/<int:pk>/archive/", views.ProjectArchiveView.as_view(), name="api-project-archive"),
    path("projects/<int:pk>/invites/", views.InviteListView.as_view(), name="api-invite-list"),
    path("projects/<int:pk>/invites/<int:invite_id>/", views.InviteDetailView.as_view(), name="api-invite-detail"),
    path("projects/<int:pk>/members/", views.MemberListView.as_view(), name="api-member-list"),
    path("projects/<int:pk>/members/<str:username>/", views.MemberDetailView.as_view(), name="api-member-detail"),
    path("projects/<int:pk>/documents/", views.DocumentListView.as_view(), name="api-document-list"),
    path("documents/<int:pk>/", views.DocumentDetailView.as_view(), name="api-document-detail"),
    path("documents/<int:pk>/spans/", views.SpanListView.as_view(), name="api-span-list"),
    path("spans/<int:pk>/", views.SpanDetailView.as_view(), name="api-span-detail"),
    path("spans/<int:pk>/links/", views.SpanLinkListView.as_view(), name="api-span-links"),
    path("spans/<int:pk>/links/<int:target_id>/", views.SpanLinkDetailView.as_view(), name="api-span-link-detail"),
]
urlpatterns += [
    path("documents/<int:pk>/done/", workspace_views.DocumentDoneView.as_view(), name="api-document-done"),
]
