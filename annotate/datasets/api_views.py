"""Dataset endpoints: streamed export in every registered format, its manifest, and all-or-nothing import."""
from django.http import StreamingHttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from annotate.datasets.selectors import ExportFilters, buffered, export_manifest_with_digest, export_stream
from annotate.datasets.exports.package import package_options
from annotate.datasets.http import dataset_headers
from annotate.errors import InvalidInput
from annotate.datasets.records import CSV_SAFETY
from annotate.datasets.registry import DEFAULT_EXPORT_FORMAT, EXPORT_FORMATS, IMPORT_FORMATS, OFFSET_UNITS, export_format
from annotate.models import Layer
from annotate.permissions import IMPORT_DOCUMENTS, project_for_user
from annotate.jobs.api import job_accepted, prefers_async
from annotate.jobs.serializers import JobOut
from annotate.jobs.starts import export_start, import_start
from annotate.datasets.services import IMPORT_OPTIONS, ON_DUPLICATE


class ExportQuery(serializers.Serializer):
    format = serializers.ChoiceField(choices=EXPORT_FORMATS, default=DEFAULT_EXPORT_FORMAT)
    layer = serializers.ChoiceField(choices=Layer.choices, default=Layer.INDIVIDUAL)
    annotator = serializers.ListField(
        child=serializers.CharField(allow_blank=True), required=False, help_text="Repeat or separate with commas."
    )
    label = serializers.ListField(
        child=serializers.CharField(allow_blank=True), required=False, help_text="Repeat or separate with commas."
    )
    done_only = serializers.BooleanField(default=False, help_text="Only documents an Assignment marks done.")
    published_after = serializers.DateField(required=False)
    published_before = serializers.DateField(required=False)
    annotated_after = serializers.DateField(required=False, help_text="Spans last changed on or after this day.")
    annotated_before = serializers.DateField(required=False)
    offset_unit = serializers.ChoiceField(choices=OFFSET_UNITS, default="codepoint")
    csv_safety = serializers.ChoiceField(
        choices=CSV_SAFETY,
        default="spreadsheet",
        help_text="csv only. spreadsheet: a cell that starts with =, +, -, @, tab or CR gets a leading ' so a "
        "spreadsheet does not run it as a formula. raw: every cell exactly as stored.",
    )
    formats = serializers.ListField(
        child=serializers.CharField(allow_blank=True), required=False,
        help_text="package only: formats beside jsonl (conll, spacy, csv, ...); repeat or separate with commas.",
    )
    split = serializers.CharField(
        required=False, allow_blank=True,
        help_text="package only: train,validation,test percentages, e.g. 80,10,10 (by document, stratified by outlet).",
    )
    seed = serializers.IntegerField(default=0, min_value=0, max_value=2**31 - 1, help_text="package only: the split's seed.")
    license = serializers.CharField(
        default="other", max_length=64, help_text="package only: the dataset card's licence (a Hugging Face identifier)."
    )
    comments = serializers.BooleanField(
        default=False,
        help_text="conll only: also write '# ...' comment lines (manifest, document, annotator, dropped overlapping "
        "spans, end counts). Off by default: spacy convert and CoNLL readers would read them as tokens.",
    )


class ImportIn(serializers.Serializer):
    file = serializers.FileField()
    format = serializers.ChoiceField(choices=IMPORT_FORMATS, required=False, help_text="Else from the file name.")
    on_duplicate = serializers.ChoiceField(
        choices=ON_DUPLICATE, default="refuse", help_text="merge: add the spans to the document with the same text."
    )
    mapping = serializers.CharField(
        required=False, allow_blank=True, max_length=100_000,
        help_text='brat only: JSON {"brat type": "our label" or null to ignore}; types named like our labels need none.',
    )
    annotator = serializers.CharField(
        required=False, allow_blank=True, max_length=150, help_text="brat only: whose spans a plain <name>.ann holds (else yours)."
    )
    offset_unit = serializers.ChoiceField(
        choices=("codepoint", "utf16"), required=False,
        help_text="jsonl only: how the file's span offsets count (utf16 for a utf16 export; default codepoint).",
    )
    layer = serializers.ChoiceField(
        choices=Layer.choices, required=False, help_text="brat only: gold imports every span into the gold layer (a gold/ folder of the zip is gold without it)."
    )


class _IgnoreFormatParameter(DefaultContentNegotiation):
    """`format` names the export format here, not a DRF renderer; errors are always JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def _split(values) -> tuple[str, ...]:
    return tuple(sorted({part.strip() for value in values or () for part in value.split(",") if part.strip()}))


def _export_request(request, pk: int) -> tuple[dict, ExportFilters]:
    query = ExportQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    data = query.validated_data
    filters = ExportFilters(
        layer=data["layer"],
        annotators=_split(data.get("annotator")),
        labels=_split(data.get("label")),
        done_only=data["done_only"],
        published_after=data.get("published_after"),
        published_before=data.get("published_before"),
        annotated_after=data.get("annotated_after"),
        annotated_before=data.get("annotated_before"),
    )
    data["render_options"] = render_options_of(data)
    return data, filters


def render_options_of(data: dict) -> dict | None:
    """RenderOptions fields from the query (conll's comments, a package's files and split); 400
    with the parameter named when a package option is wrong."""
    options: dict = {"comments": True} if data.get("comments") else {}
    if data.get("format") == "package":
        package, problems = package_options(
            formats=_split(data.get("formats")), split=data.get("split"), seed=data.get("seed", 0),
            license=data.get("license") or "other",
        )  # fmt: skip
        if problems:
            raise InvalidInput(problems)
        options.update(package)
    return options or None


def _export_arguments(pk: int, data: dict, filters: ExportFilters) -> dict:
    """What export_stream and export_manifest_with_digest both take, so the two always agree."""
    keys = ("format", "offset_unit", "csv_safety", "render_options")
    return {"project_id": pk, "filters": filters, **{key: data[key] for key in keys}}


class ExportView(APIView):
    content_negotiation_class = _IgnoreFormatParameter
    throttle_scope = "export"

    @extend_schema(
        parameters=[ExportQuery],
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="The export, streamed.")},
        description="The project's labels as a dataset, streamed from one snapshot. Any member may export; an "
        "annotator's export holds only their own spans. Formats: docs/export-formats.md.",
    )
    def get(self, request, pk: int):
        _, access = project_for_user(request.user, pk)
        data, filters = _export_request(request, pk)
        export = export_format(data["format"])
        head: dict = {}
        chunks = export_stream(access=access, manifest_head=head, **_export_arguments(pk, data, filters))
        next(chunks)  # takes the snapshot and fills `head`: the headers state the manifest of this very body
        response = StreamingHttpResponse(buffered(chunks), content_type=export.media_type)
        response["Content-Disposition"] = f'attachment; filename="project-{pk}-{filters.layer}.{export.extension}"'
        manifest_url = reverse("api-project-export-manifest", args=[pk])
        query = request.META.get("QUERY_STRING", "")
        dataset_headers(response, head, manifest_url=f'{manifest_url}{"?" + query if query else ""}')
        response["Cache-Control"] = "no-store"
        return response


    @extend_schema(
        parameters=[ExportQuery],
        request=None,
        responses={202: JobOut},
        description="The same export written to a file by a worker: 202 with the job; when it has succeeded "
        "its result holds the download link (GET /api/v1/jobs/{id}/download/). For exports too large to "
        "stream to a client in one go.",
    )
    def post(self, request, pk: int):
        _, access = project_for_user(request.user, pk)
        data, filters = _export_request(request, pk)
        job = export_start(
            access=access, project_id=pk, actor=request.user, format=data["format"], offset_unit=data["offset_unit"], filters=filters
        )
        return job_accepted(job)


class ExportManifestView(APIView):
    content_negotiation_class = _IgnoreFormatParameter
    throttle_scope = "export"  # it reads the whole export to digest it

    @extend_schema(
        parameters=[ExportQuery],
        responses={200: OpenApiTypes.OBJECT},
        description="The manifest of the export the same parameters would give, with its content_sha256 "
        "(the csv export's manifest comes only from here).",
    )
    def get(self, request, pk: int):
        _, access = project_for_user(request.user, pk)
        data, filters = _export_request(request, pk)
        manifest = export_manifest_with_digest(access=access, **_export_arguments(pk, data, filters))
        return Response(manifest)


class ImportView(APIView):
    parser_classes = [MultiPartParser]
    content_negotiation_class = _IgnoreFormatParameter
    throttle_scope = "import"

    @extend_schema(
        request={"multipart/form-data": ImportIn},
        responses={201: JobOut, 202: JobOut},
        description="Documents from a jsonl (with pre-annotated spans), csv, txt or zip file, or a brat standoff zip "
        "(format=brat, with mapping, annotator and layer; docs/export-formats.md), all or nothing. "
        "Managers only. A file of at most JOBS_INLINE_IMPORT_MAX_BYTES (1 MB) is imported in the request: 201 "
        "with the finished job (result: documents, spans, skipped, duplicates), or 400 naming each bad line and "
        "field, 409 listing refused duplicates, 413 past a limit. A larger file (or any, with the header "
        "`Prefer: respond-async`) is queued: 202 with the job to poll (Location); its errors come in the job's "
        "`error`, in the same shape. docs/jobs.md.",
    )
    def post(self, request, pk: int):
        project, access = project_for_user(request.user, pk, may=IMPORT_DOCUMENTS)
        upload = request.FILES.get("file")
        if upload is None:
            raise InvalidInput({"file": ["Send the file as multipart field 'file'."]})
        fields = ("format", "on_duplicate", *IMPORT_OPTIONS)
        shape = ImportIn(data={"file": upload, **{k: v for k, v in request.data.items() if k in fields}})
        shape.is_valid(raise_exception=True)
        job, ran_inline = import_start(
            project=project,
            access=access,
            actor=request.user,
            upload=upload,
            format=shape.validated_data.get("format"),
            on_duplicate=shape.validated_data["on_duplicate"],
            options={name: shape.validated_data[name] for name in IMPORT_OPTIONS if name in shape.validated_data},
            in_background=prefers_async(request),
        )
        return job_accepted(job, ran_inline=ran_inline)
