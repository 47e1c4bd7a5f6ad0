"""/api/v1/ routes of the suggestion layer."""
from django.urls import path

from . import api

urlpatterns = [
    path("documents/<int:pk>/suggestions/", api.DocumentSuggestionsView.as_view(), name="api-document-suggestions"),
    path("projects/<int:pk>/suggestions/", api.ProjectSuggestionsView.as_view(), name="api-project-suggestions"),
    path("projects/<int:pk>/suggestions/settings/", api.SuggestionSettingsView.as_view(), name="api-suggestion-settings"),
    path("projects/<int:pk>/suggestions/stats/", api.SuggestionStatsView.as_view(), name="api-suggestion-stats"),
    path("suggestions/<int:pk>/accept/", api.SuggestionAcceptView.as_view(), name="api-suggestion-accept"),
    path("suggestions/<int:pk>/reject/", api.SuggestionRejectView.as_view(), name="api-suggestion-reject"),
    path("suggestions/<int:pk>/decision/", api.SuggestionDecisionView.as_view(), name="api-suggestion-decision"),
]
