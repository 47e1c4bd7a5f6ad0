"""Merges of sources: a person's decision that two keys name one voice."""
from django.db import models

from annotate.models import Project


class SourceMerge(models.Model):
    """Attributions whose source key is `key` count under `into` (always a key that is not merged
    itself: merging resolves chains when it is made). Deleting the row splits them again."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="source_merges")
    key = models.CharField(max_length=300)
    into = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "key"], name="source_merge_one_per_key"),
            models.CheckConstraint(condition=~models.Q(key=models.F("into")), name="source_merge_not_into_itself"),
        ]
