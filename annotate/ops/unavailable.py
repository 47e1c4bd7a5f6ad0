"""503, not 500, while the database or the job queue is unreachable (a restart, a failover, a
statement cancelled by the statement timeout).

The outage is the service's state, not a bug in the request: clients and proxies may retry
after Retry-After, and persistent connections reconnect by themselves (CONN_HEALTH_CHECKS)."""
import logging
import sys
from collections.abc import Iterable, Iterator

from django.db import InterfaceError, OperationalError
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.template.loader import render_to_string
from django.views import defaults
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

RETRY_AFTER_SECONDS = 5
# What is down, by the error that says so. Redis: the job queue (the cache forgives outages).
UNAVAILABLE_PARTS = {
    OperationalError: "database",
    InterfaceError: "database",
    RedisConnectionError: "job queue",
    RedisTimeoutError: "job queue",
}
logger = logging.getLogger("annotate.unavailable")


def unavailable_part(exception: BaseException | None) -> str | None:
    while exception is not None:
        for error_class, part in UNAVAILABLE_PARTS.items():
            if isinstance(exception, error_class):
                return part
        exception = exception.__cause__ or exception.__context__
    return None


def unavailable_response(request, exception: BaseException) -> HttpResponse:
    """Touches neither the database nor the session: it must work while they are down."""
    part = unavailable_part(exception)
    first_line = str(exception).strip().splitlines()[0] if str(exception).strip() else type(exception).__name__
    logger.warning("%s unavailable: %s", part, first_line)
    message = f"The service is briefly unavailable (its {part} cannot be reached). Try again in a few seconds."
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=503)
    else:
        # In the app's layout, rendered without the request: no session, no database.
        response = HttpResponse(render_to_string("503.html", {"message": message}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    """Views and templates that hit a dead database answer 503. (A streamed answer reads the
    database only once the server iterates it, after every middleware: FirstChunkBeforeStatus,
    around the WSGI application, covers that.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if unavailable_part(exception):
            return unavailable_response(request, exception)
        return None


def server_error(request, template_name="500.html"):
    """handler500: also reached by failures outside any view (a middleware loading the session
    or saving it), where process_exception never runs; the exception is the one being handled."""
    exception = sys.exc_info()[1]
    if unavailable_part(exception):
        return unavailable_response(request, exception)
    return defaults.server_error(request, template_name=template_name)


class FirstChunkBeforeStatus:
    """WSGI middleware (annotate/wsgi.py): a streamed answer (an export) has its first chunk read
    before the status line goes out, so a database that went away between the view and the
    first read is a 503, not the WSGI server's bare 500. Once bytes have been sent a failure can
    only cut the stream short, which the client sees as an incomplete answer.

    Done at the WSGI layer, not in a Django middleware, because only here the server's close()
    is certain to follow: the iterable handed back closes the response (and so the generator
    and the export's snapshot transaction) whether or not anybody reads on. A middleware that
    pre-read left the snapshot open whenever a test client never consumed the stream."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        held = []
        result = self.application(environ, lambda status, headers, exc_info=None: held.append((status, headers)))
        if not isinstance(result, StreamingHttpResponse):
            start_response(*held[-1])
            return result
        chunks = iter(result)
        try:
            first = next(chunks, None)
        except Exception as exception:
            result.close()
            if not unavailable_part(exception):
                raise
            response = unavailable_response(WSGIRequest(environ), exception)
            start_response(f"{response.status_code} {response.reason_phrase}", list(response.items()))
            return [response.content]
        start_response(*held[-1])
        return _Resumed(first, chunks, result)


class _Resumed:
    """The first chunk again, then the rest; close() closes the response (WSGI servers call it)."""

    def __init__(self, first: bytes | None, rest: Iterator[bytes], response: Iterable):
        self.first, self.rest, self.response = first, rest, response

    def __iter__(self):
        if self.first is not None:
            yield self.first
        yield from self.rest

    def close(self):
        self.response.close()
