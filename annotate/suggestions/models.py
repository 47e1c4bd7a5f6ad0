"""The suggestion layer. Suggestions come from the text alone, so every member of the project may
see them; what a member does with one (accept, reject) is that member's own decision, kept per
member so that under blind review nobody learns from a suggestion what another reviewer marked."""
from django.conf import settings
from django.db import models

from annotate.models import Document, Label, Project, Span


class SuggestionSettings(models.Model):
    """Per project; a project without a row has suggestions on."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="suggestion_settings")
    enabled = models.BooleanField(default=True)


class SuggestedDocument(models.Model):
    """When the suggester last read a document, and which rules it used (a rerun replaces the rest)."""

    document = models.OneToOneField(Document, on_delete=models.CASCADE, related_name="suggested")
    rules_version = models.CharField(max_length=64)
    suggested_at = models.DateTimeField(auto_now=True)


class Suggestion(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="suggestions")
    label = models.CharField(max_length=16, choices=Label.choices)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    quote = models.TextField()
    source = models.CharField(max_length=300, blank=True)
    rule = models.CharField(max_length=40)
    score = models.FloatField()
    cue = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="contents",
        help_text="For content: the attribution cue that attributes it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document_id", "start", "end", "label"]
        constraints = [
            models.UniqueConstraint(fields=["document", "label", "start", "end"], name="suggestion_unique_span"),
            models.CheckConstraint(condition=models.Q(start__lt=models.F("end")), name="suggestion_start_before_end"),
        ]


class Decision(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class SuggestionDecision(models.Model):
    """One member's answer to one suggestion. A rerun of the suggester keeps every suggestion
    someone has decided on, so a rejection is remembered and not proposed to that member again."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="decisions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    decision = models.CharField(max_length=16, choices=Decision.choices)
    span = models.ForeignKey(Span, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    edited = models.BooleanField(default=False, help_text="Accepted after changing its offsets or label.")
    decided_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["suggestion", "user"], name="one_decision_per_member")]
