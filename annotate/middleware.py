"""Request-wide guards: a size limit answered with 413, and a strict Content-Security-Policy."""
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def _too_large(limit: int) -> JsonResponse:
    return JsonResponse({"detail": f"The request body is too large (limit {limit} bytes)."}, status=413)


class RequestSizeLimitMiddleware:
    """413 for bodies over the limits, before and while they are read.

    Django itself turns RequestDataTooBig into a 400; clients need to tell "too big" apart from
    "malformed", so it becomes 413 here (DRF re-raises it from request.data)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > settings.MAX_REQUEST_BYTES:
            return _too_large(settings.MAX_REQUEST_BYTES)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, RequestDataTooBig):
            return _too_large(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        return None


class ContentSecurityPolicyMiddleware:
    """No inline script or style anywhere: page data reaches scripts through json_script."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
