"""/metrics in Prometheus' text format (django-prometheus), for operators only: a request must
carry the bearer token METRICS_TOKEN or come straight (not through the reverse proxy) from
METRICS_ALLOWED_NETWORKS; others get 404, as if there were nothing here."""
import hmac

from django.conf import settings
from django.http import Http404
from django_prometheus.exports import ExportToDjangoView

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


def metrics(request):
    if not may_read_metrics(request):
        raise Http404
    return ExportToDjangoView(request)
