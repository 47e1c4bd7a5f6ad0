"""/api/v1/ sources view and claim maps: parse, call one selector or service, serialise."""
import csv
import io

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from annotate.datasets.api_views import _IgnoreFormatParameter
from annotate.errors import invalid
from annotate.datasets.exports.csv import spreadsheet_safe
from annotate.permissions import document_for_user, project_for_user

from .selectors import document_claims, project_sources, sources_csv_rows
from .services import sources_merge, sources_split

LAYER = OpenApiParameter("layer", str, enum=["individual", "gold"], description="individual (default) or gold.")


def sources_csv(result: dict, *, safety: str, project_id: int) -> HttpResponse:
    """The sources as CSV (RFC 4180, UTF-8); formula-leading cells neutralised unless csv_safety=raw."""
    if safety not in ("spreadsheet", "raw"):
        raise invalid("csv_safety", "spreadsheet (default) or raw.")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in sources_csv_rows(result):
        writer.writerow(row if safety == "raw" else [spreadsheet_safe(cell) for cell in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="project-{project_id}-sources-{result["layer"]}.csv"'
    return response


class ProjectSourcesView(APIView):
    content_negotiation_class = _IgnoreFormatParameter  # `format` is json or csv here, as in the export
    @extend_schema(
        parameters=[LAYER,
                    OpenApiParameter("format", str, enum=["json", "csv"], description="json (default) or csv."),
                    OpenApiParameter("csv_safety", str, enum=["spreadsheet", "raw"])],
        responses={(200, "application/json"): OpenApiTypes.OBJECT, (200, "text/csv"): OpenApiTypes.STR},
        description="Every source the project's attributions name (as you may read them under blind review), grouped "
        "by a normalised key and by merges: attributions, documents, outlets, months, reporting verbs, labels of what "
        "they are quoted as saying.",
    )
    def get(self, request, pk: int):
        _, access = project_for_user(request.user, pk)
        result = project_sources(access=access, layer=request.query_params.get("layer"))
        wanted = request.query_params.get("format", "json")
        if wanted == "csv":
            return sources_csv(result, safety=request.query_params.get("csv_safety", "spreadsheet"), project_id=pk)
        if wanted != "json":
            raise invalid("format", "json or csv.")
        return Response(result)


class SourceMergeView(APIView):
    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT,
                   description='{"sources": [...], "into": "..."}: count those sources as one (reviewers, managers).')
    def post(self, request, pk: int):
        _, access = project_for_user(request.user, pk)
        data = request.data if isinstance(request.data, dict) else {}
        return Response(sources_merge(access=access, sources=data.get("sources"), into=data.get("into")))


class SourceSplitView(APIView):
    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT,
                   description='{"key": "..."}: undo the merge that put this source under another.')
    def post(self, request, pk: int):
        _, access = project_for_user(request.user, pk)
        data = request.data if isinstance(request.data, dict) else {}
        return Response(sources_split(access=access, key=data.get("key")))


class DocumentClaimsView(APIView):
    @extend_schema(parameters=[LAYER], responses=OpenApiTypes.OBJECT,
                   description="The claim map: attributions with source and linked content; disputed claims with basis "
                   "and evidence; in text order, as you may read them under blind review.")
    def get(self, request, pk: int):
        document, access = document_for_user(request.user, pk, with_text=False)
        return Response(document_claims(document=document, access=access, layer=request.query_params.get("layer")))
