"""The Job record: our own row per background job, because a task backend's result has no
progress, no cancellation and no project to check permissions against."""
from django.conf import settings
from django.db import models
from django.db.models import Q


class JobKind(models.TextChoices):
    IMPORT = "import", "Import"
    EXPORT = "export", "Export"
    RELEASE = "release", "Release"
    AGREEMENT = "agreement", "Agreement"
    SUGGEST = "suggest", "Suggestions"


class JobState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


FINISHED_STATES = frozenset({JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED})


class Job(models.Model):
    kind = models.CharField(max_length=16, choices=JobKind.choices)
    project = models.ForeignKey("annotate.Project", on_delete=models.CASCADE, related_name="jobs")
    creator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    state = models.CharField(max_length=16, choices=JobState.choices, default=JobState.QUEUED)
    # What to do: kind-specific and JSON-safe (file names in storage, export options, ...).
    params = models.JSONField(default=dict, blank=True)
    done = models.PositiveBigIntegerField(default=0)
    total = models.PositiveBigIntegerField(null=True, blank=True, help_text="Unknown until counted.")
    message = models.CharField(max_length=300, blank=True)
    result = models.JSONField(null=True, blank=True, help_text="Counts, and the output file's name in storage.")
    # The same shape as a refused import's body: {"detail": ..., "errors": [{file, line, field,
    # message}], "duplicates": [...]}; for any other failure {"detail": the reason}.
    error = models.JSONField(null=True, blank=True)
    output_file = models.CharField(max_length=500, blank=True, help_text="Name in the default storage.")
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Runs started so far.")
    task_id = models.CharField(max_length=64, blank=True, help_text="The task backend's id of the latest run.")
    cancel_requested = models.BooleanField(default=False)
    # The running attempt owns the job until lease_expires_at; its heartbeat pushes it on.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["project", "-created_at"], name="job_project_recent"),
            models.Index(fields=["state", "lease_expires_at"], name="job_state_lease"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=JobKind.values), name="job_kind_valid"),
            models.CheckConstraint(condition=Q(state__in=JobState.values), name="job_state_valid"),
            models.CheckConstraint(
                condition=~Q(state="running") | Q(lease_expires_at__isnull=False), name="job_running_has_lease"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} job {self.pk} ({self.state}) in project {self.project_id}"

    @property
    def is_finished(self) -> bool:
        return self.state in FINISHED_STATES
