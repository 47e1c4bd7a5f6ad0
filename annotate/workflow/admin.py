"""The Django admin for workflow rows; releases are read-only there, as everywhere."""
from django.contrib import admin

from annotate.workflow import models


@admin.register(models.GoldOrigin)
class GoldOriginAdmin(admin.ModelAdmin):
    list_display = ["id", "gold_span", "source_span", "source_username", "accepted_by", "accepted_at"]
    raw_id_fields = ["gold_span", "source_span", "accepted_by"]


@admin.register(models.SpanRejection)
class SpanRejectionAdmin(admin.ModelAdmin):
    list_display = ["id", "span", "document", "rejected_by", "rejected_at"]
    raw_id_fields = ["span", "document", "rejected_by"]


@admin.register(models.Release)
class ReleaseAdmin(admin.ModelAdmin):
    list_display = ["id", "project", "number", "name", "content_sha256", "created_by", "created_at"]
    exclude = ["records"]  # megabytes of JSON; download the release instead

    def has_change_permission(self, request, obj=None):
        return False
