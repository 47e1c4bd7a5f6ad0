from django.urls import path

from . import views

urlpatterns = [path("projects/<int:pk>/documents/from-web/", views.article_import_page, name="articles-import")]
