"""Setup pages: projects, members and invites, documents."""
from django.urls import path

from annotate.project_setup import views

urlpatterns = [
    path("projects/new/", views.project_new, name="setup-project-new"),
    path("projects/<int:pk>/settings/", views.project_settings, name="setup-project-settings"),
    path("projects/<int:pk>/archive/", views.project_archive, name="setup-project-archive"),
    path("projects/<int:pk>/delete/", views.project_delete, name="setup-project-delete"),
    path("projects/<int:pk>/members/", views.members, name="setup-members"),
    path("projects/<int:pk>/members/<int:member_id>/role/", views.member_role, name="setup-member-role"),
    path("projects/<int:pk>/members/<int:member_id>/remove/", views.member_remove, name="setup-member-remove"),
    path("projects/<int:pk>/invites/<int:invite_id>/revoke/", views.invite_revoke, name="setup-invite-revoke"),
    path("projects/<int:pk>/documents/new/", views.document_new, name="setup-document-new"),
    path("projects/<int:pk>/documents/upload/", views.document_upload, name="setup-document-upload"),
    path("documents/<int:pk>/edit/", views.document_edit, name="setup-document-edit"),
    path("documents/<int:pk>/delete/", views.document_delete, name="setup-document-delete"),
    path("markdown/preview/", views.markdown_preview, name="setup-markdown-preview"),
]
