"""Workflow REST endpoints: parse input, call one service or selector, serialise the result."""
import json

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.generics import GenericAPIView
from rest_framework.views import APIView

from annotate.datasets.http import dataset_headers
from annotate.errors import InvalidInput
from annotate.jobs.api import job_accepted, prefers_async
from annotate.jobs.serializers import JobOut
from annotate.jobs.starts import agreement_start, release_runs_as_job, release_start
from annotate.models import Assignment, SpanEvent
from annotate.permissions import (
    ASSIGN,
    FREEZE_RELEASE,
    Access,
    assignment_for_user,
    document_for_adjudicator,
    document_for_user,
    project_for_user,
    release_for_user,
)
from annotate.workflow import releases, selectors, services
from annotate.workflow import serializers as s
from annotate.workflow.models import Release


def _valid(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class NextDocumentView(APIView):
    @extend_schema(
        request=None,
        responses={200: s.AssignmentRowOut, 204: OpenApiResponse(description="Nothing left in the queue.")},
        description="Your next document: your oldest open assignment, or a new one on a document that still "
        "needs reviewers. 204 when the queue is empty.",
    )
    def post(self, request, pk: int):
        project, access = project_for_user(request.user, pk)
        assignment = services.assignment_next(project=project, access=access, user=request.user)
        if assignment is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        assignment = Assignment.objects.select_related("document", "user", "assigned_by").get(pk=assignment.pk)
        return Response(s.AssignmentRowOut(assignment).data)


class AssignmentListView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("username", OpenApiTypes.STR, description="Only this member's assignments."),
            OpenApiParameter("status", OpenApiTypes.STR, description="not_started, in_progress, done or skipped."),
            OpenApiParameter("document", OpenApiTypes.INT),
        ],
        responses=s.AssignmentRowOut(many=True),
        description="Every (document, reviewer) assignment for managers; your own for everyone else.",
    )
    def get(self, request, pk: int):
        project, access = project_for_user(request.user, pk)
        queryset = selectors.project_assignments(project=project, access=access)
        params = request.query_params
        if params.get("username"):
            queryset = queryset.filter(user__username=params["username"])
        if params.get("status"):
            queryset = queryset.filter(status=params["status"])
        if params.get("document", "").isdigit():
            queryset = queryset.filter(document_id=int(params["document"]))
        return Response(s.AssignmentRowOut(queryset, many=True).data)

    @extend_schema(request=s.AssignIn, responses={201: s.AssignmentRowOut(many=True)})
    def post(self, request, pk: int):
        project, access = project_for_user(request.user, pk, may=ASSIGN)
        data = _valid(s.AssignIn, request.data)
        created = services.assignment_assign(
            project=project, access=access, actor=request.user, document_ids=data["documents"], username=data["username"]
        )
        rows = Assignment.objects.filter(pk__in=[a.pk for a in created]).select_related("document", "user", "assigned_by")
        return Response(s.AssignmentRowOut(rows, many=True).data, status=status.HTTP_201_CREATED)


class AssignmentDetailView(APIView):
    @extend_schema(responses=s.AssignmentRowOut)
    def get(self, request, pk: int):
        assignment, _ = assignment_for_user(request.user, pk)
        return Response(s.AssignmentRowOut(assignment).data)

    @extend_schema(request=s.AssignmentPatchIn, responses=s.AssignmentRowOut)
    def patch(self, request, pk: int):
        assignment, access = assignment_for_user(request.user, pk)
        data = _valid(s.AssignmentPatchIn, request.data)
        assignment = services.assignment_update(assignment=assignment, access=access, actor=request.user, **data)
        assignment = Assignment.objects.select_related("document", "user", "assigned_by").get(pk=assignment.pk)
        return Response(s.AssignmentRowOut(assignment).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        assignment, access = assignment_for_user(request.user, pk)
        services.assignment_delete(assignment=assignment, access=access)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AgreementView(APIView):
    throttle_scope = "agreement"

    @extend_schema(
        responses=s.AgreementOut,
        description="Span F1 (exact, overlap), Cohen's kappa and Krippendorff's alpha on tokens, overall, per "
        "label, per pair of reviewers and per document (most disagreement first). Null measures say why in "
        "`undefined`. Token measures are inflated by unlabelled text.",
    )
    def get(self, request, pk: int):
        project, access = project_for_user(request.user, pk)
        return Response(selectors.project_agreement(project=project, access=access))

    @extend_schema(
        request=None,
        responses={202: JobOut},
        description="Compute the same report in a worker (for large projects): 202 with the job; its result "
        "holds the report as `agreement`, and the GET above answers from the cache afterwards.",
    )
    def post(self, request, pk: int):
        project, access = project_for_user(request.user, pk)
        return job_accepted(agreement_start(project=project, access=access, actor=request.user))


def _adjudication(document, access: Access) -> dict:
    return {"document": document.pk, **selectors.adjudication_groups(document=document, access=access)}


class AdjudicationView(APIView):
    @extend_schema(responses=s.AdjudicationOut, description="Every counted reviewer's spans grouped, and the gold layer.")
    def get(self, request, pk: int):
        document, access = document_for_user(request.user, pk, with_text=False)
        return Response(_adjudication(document, access))


class GoldAcceptView(APIView):
    @extend_schema(request=s.GoldAcceptIn, responses={201: s.GoldSpanOut})
    def post(self, request, pk: int):
        document, access = document_for_adjudicator(request.user, pk, with_text=False)
        data = _valid(s.GoldAcceptIn, request.data)
        gold = services.gold_accept(
            document=document, access=access, actor=request.user, span_ids=data["spans"], fields=data.get("fields")
        )
        row = next(r for r in selectors.gold_rows(document_id=document.pk) if r["id"] == gold.pk)
        return Response(row, status=status.HTTP_201_CREATED)


class GoldAcceptAgreedView(APIView):
    @extend_schema(request=None, responses=s.AcceptedOut, description="Accept every span all reviewers agree on.")
    def post(self, request, pk: int):
        document, access = document_for_adjudicator(request.user, pk, with_text=False)
        created = services.gold_accept_agreed(document=document, access=access, actor=request.user)
        return Response({"accepted": len(created), "gold": selectors.gold_rows(document_id=document.pk)})


class GoldRejectView(APIView):
    @extend_schema(request=s.SpanIdsIn, responses=s.AdjudicationOut)
    def post(self, request, pk: int):
        document, access = document_for_adjudicator(request.user, pk, with_text=False)
        data = _valid(s.SpanIdsIn, request.data)
        services.gold_reject(document=document, access=access, actor=request.user, span_ids=data["spans"])
        return Response(_adjudication(document, access))


class GoldUnrejectView(APIView):
    @extend_schema(request=s.SpanIdsIn, responses=s.AdjudicationOut)
    def post(self, request, pk: int):
        document, access = document_for_adjudicator(request.user, pk, with_text=False)
        services.gold_unreject(document=document, access=access, span_ids=_valid(s.SpanIdsIn, request.data)["spans"])
        return Response(_adjudication(document, access))


class ReleaseListView(APIView):
    @extend_schema(responses=s.ReleaseOut(many=True))
    def get(self, request, pk: int):
        project, access = project_for_user(request.user, pk)
        listed = selectors.project_releases(project=project, access=access).select_related("created_by")
        return Response(s.ReleaseOut(releases.releases_as_read(releases=listed, access=access), many=True).data)

    @extend_schema(
        request=s.ReleaseIn,
        responses={201: s.ReleaseOut, 202: JobOut},
        description="Freeze the next release: 201 with it, or, for a project of more than "
        "JOBS_INLINE_RELEASE_MAX_DOCUMENTS documents (or with `Prefer: respond-async`), 202 with the job "
        "that freezes it (its result names the release number).",
    )
    def post(self, request, pk: int):
        project, access = project_for_user(request.user, pk, may=FREEZE_RELEASE)
        data = _valid(s.ReleaseIn, request.data)
        if release_runs_as_job(project=project, prefer_async=prefers_async(request)):
            return job_accepted(release_start(project=project, access=access, actor=request.user, **data))
        release = releases.release_freeze(project=project, access=access, actor=request.user, **data)
        return Response(s.ReleaseOut(release).data, status=status.HTTP_201_CREATED)


class ReleaseDetailView(APIView):
    @extend_schema(responses=s.ReleaseOut)
    def get(self, request, pk: int, number: int):
        release, access = release_for_user(request.user, pk, number)
        return Response(s.ReleaseOut(releases.releases_as_read(releases=[release], access=access)[0]).data)


def _render_options(fmt: str, params) -> dict | None:
    """conll's comments and a package's formats, split, seed and licence, as the export takes them."""
    from annotate.datasets.api_views import render_options_of

    seed = params.get("seed") or "0"
    if not seed.isdigit():
        raise InvalidInput({"seed": ["A whole number."]})
    data = {
        "format": fmt, "comments": params.get("comments") in ("1", "true"), "formats": params.getlist("formats"),
        "split": params.get("split"), "seed": int(seed), "license": params.get("license") or "other",
    }  # fmt: skip
    return render_options_of(data)


def release_download_response(release: Release, fmt: str, params, access: Access) -> HttpResponse:
    """The frozen bytes as an attachment named after the project, release number and layer."""
    files = releases.release_files()
    if fmt not in files:
        raise Http404(f"No format {fmt!r}; use one of: {', '.join(sorted(files))}.")
    layer = params.get("layer") or "gold"
    offset_unit = params.get("offset_unit") or "codepoint"
    csv_safety = params.get("csv_safety") or "spreadsheet"
    manifest: dict = {}
    body = releases.release_render(
        release=release, fmt=fmt, layer=layer, offset_unit=offset_unit, access=access, csv_safety=csv_safety,
        manifest_out=manifest, render_options=_render_options(fmt, params),
    )
    content_type, suffix = files[fmt]
    response = HttpResponse(body, content_type=content_type)
    if manifest:  # an export format: its manifest in the headers (annotate.datasets.http)
        manifest_url = reverse("api-release-download", args=[release.project_id, release.number, "manifest"])
        dataset_headers(response, manifest, manifest_url=manifest_url, content_sha256=manifest["content_sha256"], body=body)
    part = "" if fmt in releases.EXTRA_FILES else f"-{layer}" + ("-utf16" if offset_unit == "utf16" else "")
    filename = f"project-{release.project_id}-v{release.number}{part}.{suffix}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class ReleaseDownloadView(APIView):
    throttle_scope = "release_download"

    @extend_schema(
        parameters=[
            OpenApiParameter("layer", OpenApiTypes.STR, description="gold (default), or individual when the release has it."),
            OpenApiParameter("offset_unit", OpenApiTypes.STR, description="codepoint (default) or utf16 (jsonl, csv)."),
            OpenApiParameter(
                "csv_safety", OpenApiTypes.STR, description="csv: spreadsheet (default, formula-like cells defused) or raw."
            ),
            OpenApiParameter("comments", OpenApiTypes.BOOL, description="conll: also write '# ...' comment lines."),
        ],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
        description="The release as a file: an export format (annotate.datasets.registry) of its frozen "
        "records, or its manifest, agreement report or provenance. The same bytes every time.",
    )
    def get(self, request, pk: int, number: int, fmt: str):
        release, access = release_for_user(request.user, pk, number)
        return release_download_response(release, fmt, request.query_params, access)


class ReleasePackageDownloadView(ReleaseDownloadView):
    @extend_schema(
        operation_id="v1_projects_releases_download_package",
        parameters=[
            OpenApiParameter("layer", OpenApiTypes.STR, description="gold (default), or individual when the release has it."),
            OpenApiParameter("formats", OpenApiTypes.STR, description="Formats beside jsonl, e.g. conll,spacy."),
            OpenApiParameter("split", OpenApiTypes.STR, description="train,validation,test percentages, e.g. 80,10,10."),
            OpenApiParameter("seed", OpenApiTypes.INT, description="The split's seed (default 0)."),
            OpenApiParameter("license", OpenApiTypes.STR, description="The dataset card's licence (default other)."),
        ],
        responses={(200, "application/zip"): OpenApiTypes.BINARY},
        description="What a release downloads by default: the dataset package (zip with jsonl data, manifest.json, "
        "agreement.json, guidelines.md and a Hugging Face dataset card). docs/export-formats.md#package.",
    )
    def get(self, request, pk: int, number: int, fmt: str = "package"):
        return super().get(request, pk, number, "package")


class ProgressView(APIView):
    @extend_schema(responses=s.ProgressOut)
    def get(self, request, pk: int):
        project, access = project_for_user(request.user, pk)
        return Response(selectors.project_progress(project=project, access=access))


class HistoryView(GenericAPIView):
    queryset = SpanEvent.objects.none()  # for the schema; span_history scopes by project
    serializer_class = s.EventOut

    @extend_schema(
        parameters=[OpenApiParameter("document", OpenApiTypes.INT, description="Only this document's history.")],
        responses=s.EventOut(many=True),
        description="Span history (create, update, delete with before and after), oldest first, paginated. "
        "Managers see every event, other members their own actions.",
    )
    def get(self, request, pk: int):
        project, access = project_for_user(request.user, pk)
        document_id = request.query_params.get("document")
        events = selectors.span_history_pages(
            project=project, access=access, document_id=int(document_id) if (document_id or "").isdigit() else None
        )
        page = selectors.history_expanded(list(self.paginate_queryset(events)))
        return self.get_paginated_response([selectors.event_as_dict(e) for e in page])


class HistoryExportView(APIView):
    throttle_scope = "export"

    @extend_schema(
        responses={(200, "application/x-ndjson"): OpenApiTypes.BINARY},
        description="The whole visible span history as JSON lines, streamed.",
    )
    def get(self, request, pk: int):
        project, access = project_for_user(request.user, pk)
        events = selectors.span_history(project=project, access=access)
        lines = (
            json.dumps(selectors.event_as_dict(e), ensure_ascii=False, sort_keys=True) + "\n"
            for e in selectors.history_rows(events)
        )
        response = StreamingHttpResponse(lines, content_type="application/x-ndjson; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="project-{project.pk}-history.jsonl"'
        return response
