"""Endpoints the browser workspace needs beyond spans: marking one's own work on a document done."""
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from annotate import services
from annotate.permissions import document_for_user


class AssignmentOut(serializers.Serializer):
    document = serializers.IntegerField(source="document_id")
    user = serializers.CharField(source="user.username", help_text="Whose work this is (always you).")
    status = serializers.CharField(help_text="done, or in_progress after a reopen.")
    done_at = serializers.DateTimeField(allow_null=True)


class DocumentDoneView(APIView):
    """Your own work on the document: POST marks it done, DELETE reopens it. Any member."""

    @extend_schema(request=None, responses=AssignmentOut)
    def post(self, request, pk: int):
        document, access = document_for_user(request.user, pk, with_text=False)
        assignment = services.assignment_mark_done(document=document, access=access)
        return Response(AssignmentOut(assignment).data)

    @extend_schema(request=None, responses=AssignmentOut)
    def delete(self, request, pk: int):
        document, access = document_for_user(request.user, pk, with_text=False)
        assignment = services.assignment_reopen(document=document, access=access)
        return Response(AssignmentOut(assignment).data)
