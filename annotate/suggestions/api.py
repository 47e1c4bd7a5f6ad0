"""/api/v1/ suggestion endpoints: parse, call one service, serialise."""
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from annotate.api.views import _valid
from annotate.jobs.api import job_accepted
from annotate.permissions import document_for_user, project_for_user, suggestion_for_user

from . import serializers as s
from .jobs import suggestions_start
from .services import (
    document_suggestions,
    suggestion_accept,
    suggestion_reject,
    suggestion_reopen,
    suggestion_stats,
    suggestions_configure,
    suggestions_enabled,
)


class DocumentSuggestionsView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("include", str, enum=["decided"], description="decided: also the suggestions "
                                     "you accepted or rejected, with your decision.")],
        responses=s.DocumentSuggestionsOut,
        description="Suggested spans for the document, in text order: attribution cues with their source and the ids "
        "of the content they attribute, the content, and quotations. Not in anyone's layer until accepted. Omits what "
        "you have decided on and what is already one of your spans.",
    )
    def get(self, request, pk: int):
        document, access = document_for_user(request.user, pk, with_text=False)
        include = request.query_params.get("include") == "decided"
        return Response(document_suggestions(document=document, access=access, include_decided=include))


class ProjectSuggestionsView(APIView):
    @extend_schema(request=s.StartIn, responses={202: None}, description="Managers: run the suggester over every "
                   "document of the project as a job (202 with the job; poll /api/v1/jobs/{id}/).")
    def post(self, request, pk: int):
        _, access = project_for_user(request.user, pk)
        job = suggestions_start(access=access, force=_valid(s.StartIn, request.data)["force"])
        return job_accepted(job)


class SuggestionSettingsView(APIView):
    @extend_schema(responses=s.SettingsIO)
    def get(self, request, pk: int):
        project_for_user(request.user, pk)
        return Response({"enabled": suggestions_enabled(pk)})

    @extend_schema(request=s.SettingsIO, responses=s.SettingsIO, description="Managers turn suggestions on or off.")
    def put(self, request, pk: int):
        _, access = project_for_user(request.user, pk)
        data = request.data if isinstance(request.data, dict) else {}
        return Response({"enabled": suggestions_configure(access=access, enabled=data.get("enabled"))})


class SuggestionStatsView(APIView):
    @extend_schema(responses=s.StatsOut, description="How often the project's members accept suggestions, per rule "
                   "(reviewers and managers; counts over all members, never per member).")
    def get(self, request, pk: int):
        _, access = project_for_user(request.user, pk)
        return Response(suggestion_stats(access=access))


class SuggestionAcceptView(APIView):
    @extend_schema(request=s.AcceptIn, responses={201: s.AcceptOut}, description="Accept into your own layer; a cue "
                   "is accepted with its content and their links, in one step. A body edits the suggestion first.")
    def post(self, request, pk: int):
        suggestion, document, access = suggestion_for_user(request.user, pk)
        changes = dict(_valid(s.AcceptIn, request.data if isinstance(request.data, dict) else {}))
        result = suggestion_accept(suggestion=suggestion, document=document, access=access, actor=request.user, changes=changes)
        return Response(result, status=201)


class SuggestionRejectView(APIView):
    @extend_schema(request=None, responses=s.RejectOut, description="Reject for yourself (a cue with its content); "
                   "not proposed to you again, also after a rerun.")
    def post(self, request, pk: int):
        suggestion, document, access = suggestion_for_user(request.user, pk)
        return Response(suggestion_reject(suggestion=suggestion, document=document, access=access))


class SuggestionDecisionView(APIView):
    @extend_schema(responses=s.ReopenOut, description="Take back your decision (undo a rejection); spans stay.")
    def delete(self, request, pk: int):
        suggestion, _, access = suggestion_for_user(request.user, pk)
        return Response(suggestion_reopen(suggestion=suggestion, access=access))
