"""Input serializers check types and shape only (the rules live in annotate.validation);
output serializers describe the JSON we send back, for the OpenAPI schema too."""
from rest_framework import serializers
from rest_framework.fields import ProhibitSurrogateCharactersValidator

from annotate.models import DisputeBasis, Document, Label, Layer, Membership, Project, Role

MAX_OFFSET = 2**31 - 1


class TextField(serializers.CharField):
    """A CharField for long text: DRF's surrogate check walks every character in Python
    (0.5 s for a 4 MB bulk import); encoding to UTF-8 finds a lone surrogate at C speed."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, ProhibitSurrogateCharactersValidator)]

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as error:
            raise serializers.ValidationError(
                f"Surrogate character {value[error.start]!r} at position {error.start} is not allowed."
            ) from None
        return value


class ProjectOut(serializers.ModelSerializer):
    my_role = serializers.CharField(read_only=True, help_text="Your role in this project.")

    class Meta:
        model = Project
        fields = [
            "id",
            "name",
            "description",
            "guidelines",
            "reviewers_per_document",
            "blind_review",
            "my_role",
            "created_at",
            "archived_at",
        ]
        read_only_fields = ["archived_at"]


class ProjectIn(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    guidelines = serializers.CharField(required=False, allow_blank=True, max_length=200_000)
    reviewers_per_document = serializers.IntegerField(required=False, min_value=1, max_value=5)
    blind_review = serializers.BooleanField(required=False)


class MemberOut(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "username", "role", "created_at"]


class MemberIn(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(choices=Role.choices)


class MemberRoleIn(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


class DocumentIn(serializers.Serializer):
    title = serializers.CharField(max_length=500, trim_whitespace=False)
    # trim_whitespace=False: the text is stored as sent (after newline and NFC normalisation).
    text = TextField(trim_whitespace=False, allow_blank=True)
    outlet = serializers.CharField(max_length=200, required=False, allow_blank=True)
    source_url = serializers.URLField(max_length=2000, required=False, allow_blank=True)
    author = serializers.CharField(max_length=300, required=False, allow_blank=True)
    published_on = serializers.DateField(required=False, allow_null=True)
    language = serializers.CharField(max_length=35, required=False, allow_blank=True)
    external_id = serializers.CharField(max_length=200, required=False, allow_blank=True)

    def validate_source_url(self, value: str) -> str:
        if value and not value.lower().startswith(("http://", "https://")):
            raise serializers.ValidationError("Only http and https links.")
        return value


class DocumentOut(serializers.ModelSerializer):
    class Meta:
        model = Document
        fields = [
            "id",
            "project",
            "title",
            "outlet",
            "source_url",
            "author",
            "published_on",
            "language",
            "external_id",
            "length",
            "text_sha256",
            "received_sha256",
            "version",
            "created_at",
            "updated_at",
        ]


class DocumentPatchIn(DocumentIn):
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="The version you edited; 412 if the document has changed since."
    )


class DocumentDetailOut(DocumentOut):
    class Meta(DocumentOut.Meta):
        fields = [*DocumentOut.Meta.fields, "text"]


class DocumentCreatedOut(serializers.Serializer):
    count = serializers.IntegerField()
    ids = serializers.ListField(child=serializers.IntegerField(), help_text="In the order of the items sent.")


class SpanIn(serializers.Serializer):
    start = serializers.IntegerField(min_value=0, max_value=MAX_OFFSET)
    end = serializers.IntegerField(min_value=0, max_value=MAX_OFFSET)
    # A CharField, not a ChoiceField: validate_span names the three labels in its message.
    label = serializers.CharField(max_length=32)
    quote = serializers.CharField(required=False, trim_whitespace=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    source = serializers.CharField(required=False, allow_blank=True)
    dispute_basis = serializers.CharField(required=False, allow_blank=True, max_length=32)
    evidence_links = serializers.ListField(child=serializers.CharField(max_length=2000), required=False)


class SpanCreateIn(SpanIn):
    annotator = serializers.CharField(
        required=False,
        max_length=150,
        help_text="Username of the member whose layer gets the span (reviewers and managers); yours if omitted.",
    )


_PLAIN_SPAN_KEYS = frozenset({"start", "end", "label"})
_PLAIN_SPAN_KEYS_QUOTED = _PLAIN_SPAN_KEYS | {"quote"}  # what the workspace sends
_LABELS = frozenset(Label.values)


def plain_span_create(data) -> dict | None:
    """SpanCreateIn's validated_data for the common body, {"start": n, "end": m, "label": one of
    the labels} with whole numbers in range, and a quote that is a string, without building the
    serializer (DRF deep-copies its fields for every instance: a tenth of a span save's CPU).
    None for any other body, which SpanCreateIn checks and explains as before."""
    if type(data) is not dict or (data.keys() != _PLAIN_SPAN_KEYS and data.keys() != _PLAIN_SPAN_KEYS_QUOTED):
        return None
    start, end, label = data["start"], data["end"], data["label"]
    if type(start) is not int or type(end) is not int or not (0 <= start <= MAX_OFFSET and 0 <= end <= MAX_OFFSET):
        return None
    if type(label) is not str or label not in _LABELS:
        return None
    if "quote" not in data:
        return {"start": start, "end": end, "label": label}
    quote = data["quote"]
    # CharField's own checks: a string (it would turn a number into one), no NUL, no lone surrogate
    if type(quote) is not str or "\x00" in quote or not _encodable(quote):
        return None
    return {"start": start, "end": end, "label": label, "quote": quote}


def _encodable(text: str) -> bool:
    """No lone surrogate (only those fail to encode as UTF-8), checked at C speed."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class SpanPatchIn(SpanIn):
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="The version you edited; 412 if the span has changed since."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, partial=True, **kwargs)


class SpanOut(serializers.Serializer):
    id = serializers.IntegerField()
    document = serializers.IntegerField()
    annotator = serializers.CharField(help_text="Username of the span's owner.")
    layer = serializers.ChoiceField(choices=Layer.choices)
    label = serializers.ChoiceField(choices=Label.choices)
    start = serializers.IntegerField(help_text="Code point offset, inclusive.")
    end = serializers.IntegerField(help_text="Code point offset, exclusive.")
    quote = serializers.CharField(help_text="text[start:end]")
    note = serializers.CharField()
    source = serializers.CharField(help_text="attribution: who is said to say it.")
    dispute_basis = serializers.ChoiceField(choices=[("", "")] + DisputeBasis.choices)
    evidence_links = serializers.ListField(child=serializers.URLField())
    links = serializers.ListField(child=serializers.IntegerField(), help_text="Ids of spans this one attributes.")
    version = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class LinkIn(serializers.Serializer):
    target = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class TokenIn(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenOut(serializers.Serializer):
    token = serializers.CharField()
