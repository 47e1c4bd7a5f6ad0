"""The Django admin covers every model."""
from django.contrib import admin
from django.db import models as django_models

from annotate import models


class MembershipInline(admin.TabularInline):
    model = models.Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(models.Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "reviewers_per_document", "blind_review", "created_at"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(models.Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["id", "project", "user", "role"]
    list_filter = ["role"]
    raw_id_fields = ["project", "user"]


@admin.register(models.Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["id", "title", "project", "outlet", "published_on", "length"]
    search_fields = ["title", "outlet", "external_id"]
    list_filter = ["language"]
    raw_id_fields = ["project", "created_by"]
    readonly_fields = ["length", "text_sha256", "received_sha256"]
    formfield_overrides = {django_models.URLField: {"assume_scheme": "https"}}


@admin.register(models.Span)
class SpanAdmin(admin.ModelAdmin):
    list_display = ["id", "document", "annotator", "label", "start", "end", "version"]
    list_filter = ["label"]
    raw_id_fields = ["document", "annotator"]
    readonly_fields = ["quote", "version"]


@admin.register(models.SpanLink)
class SpanLinkAdmin(admin.ModelAdmin):
    list_display = ["id", "attribution", "target"]
    raw_id_fields = ["attribution", "target"]


@admin.register(models.Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["id", "document", "user", "status", "updated_at"]
    list_filter = ["status"]
    raw_id_fields = ["document", "user", "assigned_by"]


@admin.register(models.SpanChange)
class SpanChangeAdmin(admin.ModelAdmin):
    list_display = ["id", "project", "document", "span_id_value", "actor", "action", "at"]
    list_filter = ["action"]
    raw_id_fields = ["project", "document", "actor"]


@admin.register(models.SpanBatch)
class SpanBatchAdmin(admin.ModelAdmin):
    list_display = ["id", "project", "actor", "reason", "at"]
    list_filter = ["reason"]
    raw_id_fields = ["project", "actor"]


@admin.register(models.SpanBatchDocument)
class SpanBatchDocumentAdmin(admin.ModelAdmin):
    list_display = ["id", "batch", "document"]
    raw_id_fields = ["batch", "document"]


@admin.register(models.SpanEvent)
class SpanEventAdmin(admin.ModelAdmin):
    """The history as one row per span change (a database view): read only."""

    list_display = ["id", "project", "document", "span_id_value", "actor", "action", "at", "batch"]
    list_filter = ["action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
