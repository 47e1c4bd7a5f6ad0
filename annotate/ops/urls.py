"""Operators' endpoints, outside /api/: probes and metrics."""
from django.urls import path

from annotate.ops import health, metrics

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
]
