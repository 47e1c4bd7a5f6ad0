from django.urls import path

from . import views

urlpatterns = [path("projects/<int:pk>/suggestions/switch/", views.suggestions_switch, name="suggestions-switch")]
