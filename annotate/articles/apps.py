"""Article import: a news story from its web page (a URL, or a saved HTML or MHTML file)."""
from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "annotate.articles"
    label = "articles"
    default_auto_field = "django.db.models.BigAutoField"
