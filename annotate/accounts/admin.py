"""Invites in the admin: read-only evidence of who was invited when (the secret is not stored)."""
from django.contrib import admin

from annotate.accounts.models import Invite


@admin.register(Invite)
class InviteAdmin(admin.ModelAdmin):
    list_display = ["id", "project", "email", "username", "role", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["role"]
    raw_id_fields = ["project", "invited_by", "accepted_by"]
    readonly_fields = ["secret_sha256"]
