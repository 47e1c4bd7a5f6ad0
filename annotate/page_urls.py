"""Browser pages (session auth + CSRF)."""
from django.contrib.auth import views as auth_views
from django.urls import path

from annotate import views

urlpatterns = [
    path("", views.project_list, name="project-list"),
    path("login/", auth_views.LoginView.as_view(template_name="login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("projects/<int:pk>/", views.project_detail, name="project-detail"),
    path("documents/<int:pk>/", views.document_workspace, name="document-workspace"),
]
