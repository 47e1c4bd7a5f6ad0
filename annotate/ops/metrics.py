"""/metrics in Prometheus' text format, for operators only: a request must carry the bearer
token METRICS_TOKEN or come straight (not through the reverse proxy) from
METRICS_ALLOWED_NETWORKS; others get 404, as if there were nothing here.

Request figures come from django-prometheus (summed over gunicorn's workers); job figures are
read from the jobs table at scrape time, so every app server reports the same, whole picture."""
import hmac

from django.apps import apps
from django.conf import settings
from django.db.models import Count, Min
from django.http import Http404, HttpResponse
from django.utils import timezone
from django_prometheus.exports import ExportToDjangoView
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily

from annotate.ops.request_id import address_in


def may_read_metrics(request) -> bool:
    token = settings.METRICS_TOKEN
    offered = request.META.get("HTTP_AUTHORIZATION", "")
    if token and hmac.compare_digest(offered.encode(), f"Bearer {token}".encode()):
        return True
    if "HTTP_X_FORWARDED_FOR" in request.META:
        # Relayed by our reverse proxy: REMOTE_ADDR is the proxy's, not the client's.
        return False
    return address_in(request.META.get("REMOTE_ADDR", ""), settings.METRICS_ALLOWED_NETWORKS)


class JobCollector:
    """Jobs by kind and state, and how long the oldest queued job has waited."""

    def collect(self):
        from annotate.jobs.models import Job

        jobs = GaugeMetricFamily("annotate_jobs", "Background jobs by kind and state.", labels=["kind", "state"])
        for row in Job.objects.order_by().values("kind", "state").annotate(n=Count("id")):
            jobs.add_metric([row["kind"], row["state"]], row["n"])
        yield jobs
        oldest = Job.objects.filter(state="queued").aggregate(at=Min("created_at"))["at"]
        waiting = GaugeMetricFamily("annotate_jobs_oldest_queued_seconds", "Age of the oldest queued job (0: none).")
        waiting.add_metric([], (timezone.now() - oldest).total_seconds() if oldest else 0.0)
        yield waiting


_jobs_registry = CollectorRegistry(auto_describe=False)
_jobs_registry.register(JobCollector())


def metrics(request):
    if not may_read_metrics(request):
        raise Http404
    requests = ExportToDjangoView(request)
    if not apps.is_installed("annotate.jobs"):
        return requests
    return HttpResponse(requests.content + generate_latest(_jobs_registry), content_type=requests["Content-Type"])
