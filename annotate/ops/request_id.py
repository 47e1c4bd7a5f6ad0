"""A request id for every request: kept from X-Request-ID when a trusted proxy sent it,
generated otherwise; echoed in the response and written into every log line of the request."""
import contextvars
import ipaddress
import logging
import re
import time
import uuid
from functools import lru_cache

from django.conf import settings
from django.core.signals import request_finished
from django.dispatch import receiver
from django.utils.functional import empty

REQUEST_ID_HEADER = "X-Request-ID"
# What we accept from a proxy: short and printable, so a log line cannot be forged or bloated.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:@-]{1,128}$")

current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
access_log = logging.getLogger("annotate.request")


@lru_cache(maxsize=16)
def _networks(cidrs: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def address_in(address: str, cidrs) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(tuple(cidrs)))


def request_id_for(request) -> str:
    proposed = request.META.get("HTTP_X_REQUEST_ID", "")
    if proposed and _VALID_REQUEST_ID.match(proposed) and address_in(request.META.get("REMOTE_ADDR", ""), settings.TRUSTED_PROXIES):
        return proposed
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id_for(request)
        # Kept until the response is closed (request_finished below): Django logs 4xx and 5xx
        # answers after the middleware has returned, and those lines need the id too.
        current_request_id.set(request.request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request.request_id
        user = _user_if_loaded(request)
        access_log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "user_id": user.pk if user is not None and user.is_authenticated else None,
                "remote_addr": request.META.get("REMOTE_ADDR", ""),
            },
        )
        return response


@receiver(request_finished)
def _forget_request_id(**kwargs) -> None:
    current_request_id.set("-")


def _user_if_loaded(request):
    """The user if the request already looked it up: logging must not add a query."""
    user = getattr(request, "user", None)
    if getattr(user, "_wrapped", None) is empty:
        return None
    return user


class RequestIdLogFilter(logging.Filter):
    """Puts the current request's id on every record (and "-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id.get()
        return True
