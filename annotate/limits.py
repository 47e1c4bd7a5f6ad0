"""Abuse limits: rate limits on the expensive endpoints and the login lockout's answer (429).

One throttle class (DRF's ScopedRateThrottle on Django's default cache) serves the API views
(`throttle_scope = "export"`) and the pages (`@rate_limited("export")`), and one function names
the client (DRF's get_ident with NUM_PROXIES = TRUSTED_PROXY_COUNT) for the throttles and for
django-axes, so a forged X-Forwarded-For counts only when a trusted proxy is configured.
"""
import math
from functools import wraps

from axes.helpers import get_cool_off
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from rest_framework.throttling import BaseThrottle, ScopedRateThrottle

_IDENT = BaseThrottle()


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or with TRUSTED_PROXY_COUNT = n > 0 the address the
    n-th proxy from the right of X-Forwarded-For saw (addresses left of it can be forged)."""
    return _IDENT.get_ident(request)


class RateLimit(ScopedRateThrottle):
    """ScopedRateThrottle whose rates come from settings.RATE_LIMITS when asked, not when the
    class was imported (DRF reads DEFAULT_THROTTLE_RATES once), so a setting change applies."""

    @property
    def THROTTLE_RATES(self):  # noqa: N802 (the name DRF looks up)
        return settings.RATE_LIMITS

    def get_rate(self):
        return settings.RATE_LIMITS.get(self.scope)

    def get_ident(self, request):
        return client_address(request)


class _Scoped:
    """The one attribute ScopedRateThrottle reads from a view."""

    def __init__(self, scope: str):
        self.throttle_scope = scope


def too_many_requests(request, *, wait_seconds: float | None, message: str):
    """The page answer to a rate limit or a login lockout: 429 in the app's layout."""
    retry_after = max(1, math.ceil(wait_seconds)) if wait_seconds is not None else None
    response = render(request, "too_many_requests.html", {"message": message, "retry_after": retry_after}, status=429)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def rate_limited(scope: str):
    """The API's RateLimit for a page view: 429 with Retry-After once the scope's rate is spent."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            throttle = RateLimit()
            if not throttle.allow_request(request, _Scoped(scope)):
                wait = throttle.wait()
                return too_many_requests(
                    request,
                    wait_seconds=wait,
                    message=f"Too many requests of this kind ({throttle.rate}); try again in "
                    f"{max(1, math.ceil(wait or 1))} seconds.",
                )
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def login_lockout_response(request, original_response=None, credentials=None):
    """django-axes' AXES_LOCKOUT_CALLABLE: 429 with Retry-After, JSON for the API's token endpoint,
    the app's page for the login form. Each refused attempt restarts the cool-off (axes'
    AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT), so the wait is the whole cool-off."""
    cool_off = get_cool_off(request)
    wait = cool_off.total_seconds() if cool_off else None
    minutes = f"{max(1, math.ceil(wait / 60))} minute(s)" if wait else "an administrator unlocks it"
    message = (
        f"Too many failed sign-ins for this account or from this address; try again in {minutes}."
        if wait
        else f"Too many failed sign-ins for this account or from this address; it stays locked until {minutes}."
    )
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=429)
        if wait:
            response["Retry-After"] = str(math.ceil(wait))
        return response
    return too_many_requests(request, wait_seconds=wait, message=message)
