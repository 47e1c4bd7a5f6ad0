"""DRF permission classes for the routes outside a project (the rest goes through annotate.permissions)."""
from rest_framework.permissions import BasePermission

from annotate.permissions import may_read_api_schema


class ApiSchemaReader(BasePermission):
    """/api/schema/ and /api/docs/: signed in (session or token) unless API_SCHEMA_PUBLIC."""

    def has_permission(self, request, view) -> bool:
        return may_read_api_schema(request.user)
