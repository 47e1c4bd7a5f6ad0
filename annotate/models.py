"""Data and its database constraints: the backstop behind annotate.validation."""
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.utils import timezone


class Role(models.TextChoices):
    MANAGER = "manager", "Manager"
    REVIEWER = "reviewer", "Reviewer"
    ANNOTATOR = "annotator", "Annotator"


class Label(models.TextChoices):
    ASSERTION = "assertion", "Assertion"
    ATTRIBUTION = "attribution", "Attribution"
    DISPUTED = "disputed", "Disputed"


class DisputeBasis(models.TextChoices):
    WITHIN_TEXT = "within_text", "Contested within the text"
    EXTERNAL_EVIDENCE = "external_evidence", "External evidence"
    FACT_CHECK = "fact_check", "Fact check"


class Layer(models.TextChoices):
    INDIVIDUAL = "individual", "Individual"  # one annotator's own spans
    GOLD = "gold", "Gold"  # adjudicated: the spans the project stands behind


class Project(models.Model):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    guidelines = models.TextField(blank=True, help_text="Markdown; raw HTML is not rendered.")
    reviewers_per_document = models.PositiveSmallIntegerField(default=1)
    blind_review = models.BooleanField(
        default=True, help_text="Reviewers do not see each other's spans until they are done."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Moves on every change to the project's documents or spans: exports state it in their
    # manifest, so two exports with the same value describe the same data.
    content_changed_at = models.DateTimeField(auto_now_add=True)
    # Archived projects are listed apart and the queue hands out no new work; nothing is lost.
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reviewers_per_document__gte=1, reviewers_per_document__lte=5),
                name="project_reviewers_per_document_1_to_5",
            ),
        ]

    def __str__(self):
        return self.name


class Membership(models.Model):
    # no index of its own: membership_unique_user_per_project leads with the project
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships", db_index=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="membership_unique_user_per_project"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self):
        return f"{self.user} ({self.role}) in {self.project}"


class Document(models.Model):
    # no index of its own: document_project_sha and document_project_outlet lead with the project
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="documents", db_index=False)
    title = models.CharField(max_length=500)
    # Stored with \n line endings and in Unicode NFC; offsets of spans count its code points.
    text = models.TextField()
    length = models.PositiveIntegerField(help_text="Number of code points in text.")
    text_sha256 = models.CharField(max_length=64, help_text="SHA-256 of the stored text (UTF-8).")
    received_sha256 = models.CharField(max_length=64, help_text="SHA-256 of the text as received (UTF-8).")
    outlet = models.CharField(max_length=200, blank=True)
    source_url = models.URLField(max_length=2000, blank=True)
    author = models.CharField(max_length=300, blank=True)
    published_on = models.DateField(null=True, blank=True)
    language = models.CharField(max_length=35, blank=True, help_text="BCP 47 tag, e.g. en or pt-BR.")
    external_id = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Moves on every change to the row: clients send the version they read (If-Match) and get
    # 412 when someone changed the document since.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "external_id"],
                condition=~Q(external_id=""),
                name="document_external_id_unique_in_project",
            ),
            models.CheckConstraint(condition=Q(length=Length("text")), name="document_length_matches_text"),
        ]
        indexes = [
            models.Index(fields=["project", "text_sha256"], name="document_project_sha"),
            models.Index(fields=["project", "outlet"], name="document_project_outlet"),
        ]

    def __str__(self):
        return self.title


class Span(models.Model):
    # no index of its own: span_unique_identical leads with the document (one index fewer to
    # keep up on every span written: an import's 101,000, each save)
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="spans", db_index=False)
    # For a gold span, the reviewer who accepted it into the gold layer.
    annotator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="spans")
    layer = models.CharField(max_length=16, choices=Layer.choices, default=Layer.INDIVIDUAL)
    label = models.CharField(max_length=16, choices=Label.choices)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    quote = models.TextField()
    note = models.TextField(blank=True)
    # attribution only: who is said to have said it ("the ministry").
    source = models.CharField(max_length=300, blank=True)
    # disputed only: why it is contested, and where the evidence is.
    dispute_basis = models.CharField(max_length=32, choices=DisputeBasis.choices, blank=True)
    evidence_links = models.JSONField(default=list, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start", "end", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(label__in=Label.values), name="span_label_valid"),
            models.CheckConstraint(condition=Q(layer__in=Layer.values), name="span_layer_valid"),
            models.CheckConstraint(condition=Q(start__gte=0) & Q(end__gt=F("start")), name="span_offsets_ordered"),
            models.CheckConstraint(condition=Q(end=F("start") + Length("quote")), name="span_quote_length_matches"),
            models.CheckConstraint(
                condition=Q(dispute_basis="") | Q(label=Label.DISPUTED, dispute_basis__in=DisputeBasis.values),
                name="span_dispute_basis_only_on_disputed",
            ),
            models.CheckConstraint(
                condition=Q(source="") | Q(label=Label.ATTRIBUTION), name="span_source_only_on_attribution"
            ),
            # The same span twice in one layer is one span (409 naming it); its index also
            # serves the per-document, per-layer, per-annotator reads in text order.
            models.UniqueConstraint(
                fields=["document", "layer", "annotator", "start", "end", "label"], name="span_unique_identical"
            ),
        ]

    def __str__(self):
        return f"{self.label} [{self.start}, {self.end})"


class SpanLink(models.Model):
    """An attribution span pointing at the span whose content it attributes."""

    # no index of its own: spanlink_unique_pair leads with it
    attribution = models.ForeignKey(Span, on_delete=models.CASCADE, related_name="links_out", db_index=False)
    target = models.ForeignKey(Span, on_delete=models.CASCADE, related_name="links_in")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["attribution", "target"], name="spanlink_unique_pair"),
            models.CheckConstraint(condition=~Q(attribution=F("target")), name="spanlink_not_to_itself"),
        ]


class AssignmentStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    SKIPPED = "skipped", "Skipped"


class Assignment(models.Model):
    """One reviewer's work on one document: handed out by the queue or by a manager."""

    # no index of its own: assignment_unique_user_per_document leads with it
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="assignments", db_index=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments")
    status = models.CharField(max_length=16, choices=AssignmentStatus.choices, default=AssignmentStatus.NOT_STARTED)
    skip_reason = models.TextField(blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["document", "user"], name="assignment_unique_user_per_document"),
            models.CheckConstraint(condition=Q(status__in=AssignmentStatus.values), name="assignment_status_valid"),
        ]


class SpanAction(models.TextChoices):
    CREATE = "create", "Create"
    UPDATE = "update", "Update"
    DELETE = "delete", "Delete"


class SpanChange(models.Model):
    """One span change written on its own: a create (the span as created), an update (only the
    fields that changed, old values in `before`, new in `after`) or a delete (the span as it was).
    A span created by a batch (an import, an accept-all-agreed) has no row here until its first
    change, which writes its created state first (see services.history)."""

    # no index of its own: spanchange_project_order leads with it
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+", db_index=False)
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="span_changes")
    span_id_value = models.BigIntegerField(help_text="Id of the span; kept after the span is deleted.")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=8, choices=SpanAction.choices)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    # a default, not auto_now_add: a batch span's created state, written at its first change,
    # keeps the batch's time
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(action__in=SpanAction.values), name="spanevent_action_valid"),
        ]
        indexes = [
            models.Index(fields=["span_id_value"], name="spanchange_span"),
            # the history's order (SpanEvent.Meta.ordering) per project: pages read it from here
            # instead of sorting the view (workflow.history_pages); one document's rows are few
            models.Index(fields=["project", "at", "span_id_value", "id"], name="spanchange_project_order"),
        ]


class SpanBatch(models.Model):
    """Many spans created in one action (an import, an accept-all-agreed): one event. The spans
    it names are in its SpanBatchDocument rows; each span row is its own created state until its
    first change (which moves the span out of the batch into a SpanChange create)."""

    class Reason(models.TextChoices):
        IMPORT = "import", "Import"
        ACCEPT_AGREED = "accept_agreed", "Accept all agreed"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    at = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def span_ids(self) -> list[int]:
        return sorted(i for part in self.documents.all() for i in part.span_ids)


class SpanBatchDocument(models.Model):
    """The spans of one document a batch created, by id (a JSON list: a row per document, not per
    span, so an import of 100,000 spans writes 5,000 small rows)."""

    batch = models.ForeignKey(SpanBatch, on_delete=models.CASCADE, related_name="documents")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    span_ids = models.JSONField(default=list)

    class Meta:
        ordering = ["id"]


class SpanEvent(models.Model):
    """Audit history, read only: every create, change and delete of a span, one row each. A view
    (migration 0007) over SpanChange and the spans SpanBatch names: a batch's spans appear as
    creates with id = -span id, `after` empty (it is the span row: selectors.span_history fills
    it in) and `batch` set. Updates carry only the changed fields; the selectors replay them
    into whole before and after states."""

    id = models.BigIntegerField(primary_key=True)
    project = models.ForeignKey(Project, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    document = models.ForeignKey(Document, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    span_id_value = models.BigIntegerField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    action = models.CharField(max_length=8, choices=SpanAction.choices)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    at = models.DateTimeField()
    batch = models.ForeignKey(SpanBatch, null=True, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)

    class Meta:
        managed = False
        db_table = "annotate_spanevent"
        # a batch's rows share its time: then span order (the order the batch created them)
        ordering = ["at", "span_id_value", "id"]
