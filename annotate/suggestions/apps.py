"""Suggested spans: attribution cues, their sources and content, proposed by rules, never in
anyone's layer until a member accepts them."""
from django.apps import AppConfig


class SuggestionsConfig(AppConfig):
    name = "annotate.suggestions"
    label = "suggestions"
    default_auto_field = "django.db.models.BigAutoField"
