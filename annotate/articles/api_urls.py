from django.urls import path

from . import api

urlpatterns = [path("projects/<int:pk>/articles/", api.ArticleImportView.as_view(), name="api-article-import")]
