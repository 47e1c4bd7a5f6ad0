"""The team workflow app: queue, agreement, adjudication into gold, releases."""
from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "annotate.workflow"
    label = "workflow"
    default_auto_field = "django.db.models.BigAutoField"
