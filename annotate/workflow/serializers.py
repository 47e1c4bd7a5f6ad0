"""Workflow API shapes: inputs checked for type only, outputs described for the schema."""
from rest_framework import serializers

from annotate.api.serializers import MAX_OFFSET
from annotate.models import Assignment, AssignmentStatus


class AssignmentRowOut(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username")
    document_title = serializers.CharField(source="document.title")
    assigned_by = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = [
            "id",
            "document",
            "document_title",
            "username",
            "status",
            "skip_reason",
            "assigned_by",
            "created_at",
            "started_at",
            "done_at",
        ]

    def get_assigned_by(self, assignment) -> str | None:
        return assignment.assigned_by.username if assignment.assigned_by_id else None


class AssignIn(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    documents = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=1000)


class AssignmentPatchIn(serializers.Serializer):
    status = serializers.ChoiceField(choices=AssignmentStatus.choices, required=False)
    skip_reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    username = serializers.CharField(required=False, max_length=150, help_text="Reassign (managers).")


class MeasureOut(serializers.Serializer):
    span_f1_exact = serializers.FloatField(allow_null=True)
    span_f1_overlap = serializers.FloatField(allow_null=True)
    cohen_kappa = serializers.FloatField(allow_null=True)
    krippendorff_alpha = serializers.FloatField(allow_null=True)
    spans = serializers.IntegerField()
    undefined = serializers.DictField(child=serializers.CharField(), help_text="Why a null measure is undefined.")


class PairOut(MeasureOut):
    a = serializers.CharField()
    b = serializers.CharField()
    documents = serializers.IntegerField()
    labels = serializers.DictField(child=MeasureOut())


class DocumentAgreementOut(MeasureOut):
    id = serializers.IntegerField()
    title = serializers.CharField()
    reviewers = serializers.ListField(child=serializers.CharField())


class AgreementOut(serializers.Serializer):
    reviewers = serializers.ListField(child=serializers.CharField())
    documents_compared = serializers.IntegerField()
    overall = MeasureOut()
    labels = serializers.DictField(child=MeasureOut())
    pairs = PairOut(many=True)
    documents = DocumentAgreementOut(many=True)
    notes = serializers.DictField(child=serializers.CharField())


class GoldFieldsIn(serializers.Serializer):
    start = serializers.IntegerField(min_value=0, max_value=MAX_OFFSET, required=False)
    end = serializers.IntegerField(min_value=0, max_value=MAX_OFFSET, required=False)
    label = serializers.CharField(max_length=32, required=False)
    note = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    source = serializers.CharField(required=False, allow_blank=True)
    dispute_basis = serializers.CharField(required=False, allow_blank=True, max_length=32)
    evidence_links = serializers.ListField(child=serializers.CharField(max_length=2000), required=False)


class GoldAcceptIn(serializers.Serializer):
    spans = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=50)
    fields = GoldFieldsIn(required=False, help_text="The adjudicator's edit; omit to copy the agreeing spans.")


class SpanIdsIn(serializers.Serializer):
    spans = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=1000)


class OriginOut(serializers.Serializer):
    span = serializers.IntegerField(allow_null=True, help_text="The source span, null once it is deleted.")
    annotator = serializers.CharField()
    label = serializers.CharField()
    start = serializers.IntegerField()
    end = serializers.IntegerField()


class GoldSpanOut(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField()
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    quote = serializers.CharField()
    note = serializers.CharField()
    source = serializers.CharField()
    dispute_basis = serializers.CharField()
    evidence_links = serializers.ListField(child=serializers.CharField())
    links = serializers.ListField(child=serializers.IntegerField())
    version = serializers.IntegerField()
    origins = OriginOut(many=True)


class GroupSpanOut(serializers.Serializer):
    id = serializers.IntegerField()
    annotator = serializers.CharField()
    note = serializers.CharField()
    source = serializers.CharField()
    dispute_basis = serializers.CharField()
    evidence_links = serializers.ListField(child=serializers.CharField())
    links = serializers.ListField(child=serializers.IntegerField())
    state = serializers.ChoiceField(choices=["pending", "accepted", "rejected"])


class GroupOut(serializers.Serializer):
    label = serializers.CharField()
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    quote = serializers.CharField()
    reviewers = serializers.ListField(child=serializers.CharField())
    agreed = serializers.BooleanField(help_text="Every counted reviewer marked exactly this span.")
    state = serializers.ChoiceField(choices=["pending", "accepted", "rejected"])
    spans = GroupSpanOut(many=True)


class ApartOut(serializers.Serializer):
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    reviewers = serializers.ListField(child=serializers.CharField())


class PieceOut(serializers.Serializer):
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    covered = serializers.ListField(child=serializers.CharField(), help_text="Reviewers whose version covers these characters.")
    missing = serializers.ListField(child=serializers.CharField(), help_text="The mark's reviewers whose version does not.")
    apart = ApartOut(many=True, help_text="Stretches of these characters that some of `missing` drew as a separate span (of another mark).")


class CoverOut(serializers.Serializer):
    group = serializers.IntegerField(help_text="Index into groups: the one span.")
    mark = serializers.IntegerField(help_text="Index into marks: the other mark it also covers (covers) or belongs to (covered_by).")


class MarkOut(serializers.Serializer):
    versions = serializers.ListField(
        child=serializers.IntegerField(), help_text="Indices into groups: one claim drawn differently; the lead (what Accept takes) first."
    )
    shared = serializers.ListField(child=serializers.IntegerField(), help_text="[start, end): the text every version covers.")
    pieces = PieceOut(many=True, help_text="The characters only some versions cover.")
    covers = CoverOut(many=True, help_text="Versions of this mark that are one span over another mark too (another reviewer drew the two apart).")
    covered_by = CoverOut(many=True, help_text="Versions of other marks that are one span over this mark too: shown here, decided there.")


class AdjudicationOut(serializers.Serializer):
    document = serializers.IntegerField()
    reviewers = serializers.ListField(child=serializers.CharField())
    groups = GroupOut(many=True)
    marks = MarkOut(many=True, help_text="Groups that are versions of one mark (same label, text common to all; docs/workflow.md).")
    units = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField()),
        help_text="Indices into marks: marks joined by attribution links, decided as one.",
    )
    gold = GoldSpanOut(many=True)


class AcceptedOut(serializers.Serializer):
    accepted = serializers.IntegerField()
    gold = GoldSpanOut(many=True)


class ReleaseIn(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    include_individual = serializers.BooleanField(required=False, default=False)


class ReleaseOut(serializers.Serializer):
    number = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    includes_individual = serializers.BooleanField()
    content_sha256 = serializers.CharField()
    manifest = serializers.DictField()
    created_by = serializers.CharField(source="created_by.username", allow_null=True)
    created_at = serializers.DateTimeField()
    downloads = serializers.SerializerMethodField()
    download = serializers.SerializerMethodField(help_text="The dataset package (zip): what a release downloads by default.")

    def get_download(self, release) -> str:
        return f"/api/v1/projects/{release.project_id}/releases/{release.number}/download/"

    def get_downloads(self, release) -> dict[str, str]:
        from annotate.workflow.releases import release_files

        base = f"/api/v1/projects/{release.project_id}/releases/{release.number}/download"
        return {fmt: f"{base}/{fmt}/" for fmt in sorted(release_files())}


class EventOut(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    actor = serializers.CharField(allow_null=True)
    action = serializers.CharField()
    document = serializers.IntegerField()
    span = serializers.IntegerField()
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)


class ProgressOut(serializers.Serializer):
    documents = serializers.IntegerField()
    documents_complete = serializers.IntegerField()
    reviewers = serializers.DictField(child=serializers.DictField(child=serializers.IntegerField()))
    labels = serializers.DictField(child=serializers.DictField(child=serializers.IntegerField()))
    per_day = serializers.ListField(child=serializers.DictField())
    time_per_document = serializers.ListField(child=serializers.DictField())
    median_seconds = serializers.IntegerField(allow_null=True)
