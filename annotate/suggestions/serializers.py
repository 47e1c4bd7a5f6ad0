"""Shapes of the suggestion API (documented in the OpenAPI schema)."""
from rest_framework import serializers

from annotate.api.serializers import SpanOut
from annotate.models import Label


class SuggestionOut(serializers.Serializer):
    id = serializers.IntegerField()
    document = serializers.IntegerField()
    label = serializers.ChoiceField(choices=Label.choices)
    start = serializers.IntegerField(help_text="Code point offset, inclusive.")
    end = serializers.IntegerField(help_text="Code point offset, exclusive.")
    quote = serializers.CharField(help_text="text[start:end]")
    source = serializers.CharField(help_text="attribution cues: who the text says is speaking.")
    score = serializers.FloatField(help_text="The rule's confidence, 0 to 1.")
    rule = serializers.CharField(help_text="The rule that fired (see docs/suggestions.md).")
    cue = serializers.IntegerField(allow_null=True, help_text="Content: the id of the cue that attributes it.")
    links = serializers.ListField(child=serializers.IntegerField(), help_text="A cue: the ids of its content.")
    decision = serializers.ChoiceField(choices=["accepted", "rejected"], allow_null=True,
                                       help_text="Yours, with include=decided; otherwise always null.")


class DocumentSuggestionsOut(serializers.Serializer):
    enabled = serializers.BooleanField(help_text="False when a manager has turned suggestions off.")
    suggestions = SuggestionOut(many=True)


class AcceptIn(serializers.Serializer):
    """Edit, then accept: any of these replace the suggestion's own (the cue's content is kept)."""

    label = serializers.ChoiceField(choices=Label.choices, required=False)
    start = serializers.IntegerField(min_value=0, max_value=2**31 - 1, required=False)
    end = serializers.IntegerField(min_value=0, max_value=2**31 - 1, required=False)
    quote = serializers.CharField(required=False, trim_whitespace=False)
    source = serializers.CharField(required=False, allow_blank=True, max_length=300)
    note = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)


class AcceptOut(serializers.Serializer):
    accepted = serializers.ListField(child=serializers.IntegerField(), help_text="Suggestions accepted (a cue with its content).")
    spans = SpanOut(many=True, help_text="The spans written in your layer, or yours that were identical.")
    links = serializers.ListField(child=serializers.ListField(child=serializers.IntegerField()), help_text="[attribution, target] pairs made.")


class RejectOut(serializers.Serializer):
    rejected = serializers.ListField(child=serializers.IntegerField())


class ReopenOut(serializers.Serializer):
    reopened = serializers.ListField(child=serializers.IntegerField())


class SettingsIO(serializers.Serializer):
    enabled = serializers.BooleanField()


class StartIn(serializers.Serializer):
    force = serializers.BooleanField(required=False, default=False, help_text="Rerun even where suggestions are current.")


class RuleStatsOut(serializers.Serializer):
    rule = serializers.CharField()
    label = serializers.CharField()
    accepted = serializers.IntegerField()
    edited = serializers.IntegerField()
    rejected = serializers.IntegerField()
    acceptance_rate = serializers.FloatField(allow_null=True)


class StatsOut(serializers.Serializer):
    proposed = serializers.IntegerField()
    accepted = serializers.IntegerField(help_text="Decisions: accepted as proposed.")
    edited = serializers.IntegerField(help_text="Decisions: accepted after an edit.")
    rejected = serializers.IntegerField()
    acceptance_rate = serializers.FloatField(allow_null=True)
    per_rule = RuleStatsOut(many=True)
