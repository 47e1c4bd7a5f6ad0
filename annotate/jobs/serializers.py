"""The job as the API shows it."""
from django.urls import reverse
from rest_framework import serializers

from annotate.jobs.models import Job


class JobOut(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    creator = serializers.CharField(source="creator.username")
    progress = serializers.SerializerMethodField()
    result = serializers.SerializerMethodField()
    cancel_url = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id", "url", "kind", "project", "creator", "state", "progress", "result", "error", "attempts",
            "cancel_requested", "cancel_url", "created_at", "started_at", "finished_at", "heartbeat_at",
            "lease_expires_at",
        ]  # fmt: skip

    def get_url(self, job) -> str:
        return reverse("api-job-detail", args=[job.pk])

    def get_cancel_url(self, job) -> str | None:
        return None if job.is_finished else reverse("api-job-cancel", args=[job.pk])

    def get_progress(self, job) -> dict:
        percent = round(100 * job.done / job.total, 1) if job.total else None
        return {"done": job.done, "total": job.total, "percent": percent, "message": job.message}

    def get_result(self, job) -> dict | None:
        if job.result is None:
            return None
        result = dict(job.result)
        if job.output_file:
            result["download"] = reverse("api-job-download", args=[job.pk])
        return result
