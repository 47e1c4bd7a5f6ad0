"""Workflow data: where each gold span came from, rejected spans, and frozen releases."""
from django.conf import settings
from django.db import models
from django.db.models import Q

from annotate.models import Document, Project, Span


class GoldOrigin(models.Model):
    """One source span (an individual reviewer's) that a gold span was accepted from.

    The source's username, label and offsets are copied: the gold layer keeps its attribution
    even after the reviewer changes or deletes their own span."""

    gold_span = models.ForeignKey(Span, on_delete=models.CASCADE, related_name="gold_origins")
    source_span = models.ForeignKey(Span, null=True, on_delete=models.SET_NULL, related_name="gold_uses")
    source_username = models.CharField(max_length=150)
    source_label = models.CharField(max_length=16)
    source_start = models.PositiveIntegerField()
    source_end = models.PositiveIntegerField()
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    accepted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["gold_span", "source_span"], name="goldorigin_unique_source_per_gold"),
        ]


class SpanRejection(models.Model):
    """An adjudicator decided that this individual span does not go into the gold layer."""

    span = models.OneToOneField(Span, on_delete=models.CASCADE, related_name="rejection")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    rejected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    rejected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class Release(models.Model):
    """A numbered, immutable snapshot of a project's gold layer (and optionally the individual
    layers): the frozen records, their manifest and the agreement report at freeze time.

    Nothing updates a row once written; downloads render from `records` alone, so they are the
    same bytes whatever happens to the project afterwards."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="releases")
    number = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    includes_individual = models.BooleanField(default=False)
    records = models.JSONField(help_text="The frozen documents with their spans, in release order.")
    manifest = models.JSONField()
    agreement = models.JSONField(help_text="The agreement report when the release was frozen.")
    content_sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="release_unique_number_per_project"),
            models.CheckConstraint(condition=Q(number__gte=1), name="release_number_positive"),
        ]

    def __str__(self):
        return f"v{self.number} {self.name}"
