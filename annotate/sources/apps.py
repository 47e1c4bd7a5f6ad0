"""The sources view: who the project's stories let speak (the sources attributions name), how
often, where and when; and per document, a claim map."""
from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "annotate.sources"
    label = "sources"
    default_auto_field = "django.db.models.BigAutoField"
