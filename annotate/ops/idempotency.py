"""Idempotency-Key on POST: a retry of the same request returns the first answer instead of
writing twice, so a client (or a person pressing Save again after a lost connection) can retry.

Follows the IETF httpapi Idempotency-Key draft: the same key with another method, path or body
is 422; keys expire after IDEMPOTENCY_KEY_TTL_SECONDS. Keys are per caller (a hash of the token
or session cookie), and are kept in the database, so they hold across app servers.

The request runs in one transaction with its key's row: a server killed half-way leaves neither
the write nor the key, and the retry runs afresh; two copies arriving at once are serialised by
the key's unique index, and the second gets the first one's answer once it has committed."""
import hashlib
import random
import re
import tempfile
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils import timezone

from annotate.ops.models import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
_VALID_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")  # printable ASCII, no spaces
# Kept so that a replay looks like the first answer; cookies never are.
_KEPT_HEADERS = ("Content-Type", "Location", "ETag", "Last-Modified", "Content-Disposition", "Retry-After")
# Answers that say the request did not run as such (not signed in, refused, throttled, broken):
# not kept, so a retry after fixing the cause runs.
_NOT_KEPT_STATUSES = {401, 403, 408, 429}
_PURGE_ONE_IN = 200


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"detail": message, "errors": {HEADER: [message]}}, status=status)


def caller_scope(request) -> str | None:
    """Who is asking, without a database query: the credentials the request carries."""
    credentials = request.META.get("HTTP_AUTHORIZATION") or request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not credentials:
        return None
    return hashlib.sha256(credentials.encode()).hexdigest()


def request_fingerprint(request) -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.get_full_path()}\n{request.content_type}\n".encode())
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length <= (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0):
        digest.update(request.body)
        return digest.hexdigest()
    # A large upload: hash it while spooling it to disk, then hand the spooled copy to the
    # parser in place of the consumed input (WSGIRequest reads from _stream).
    spooled = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)
    while chunk := request.read(64 * 1024):
        digest.update(chunk)
        spooled.write(chunk)
    spooled.seek(0)
    request._stream, request._read_started = spooled, False
    return digest.hexdigest()


def _keep(response) -> bool:
    return response.status_code < 500 and response.status_code not in _NOT_KEPT_STATUSES


def _store(record: IdempotencyRecord, response) -> None:
    record.status = response.status_code
    record.headers = {name: response[name] for name in _KEPT_HEADERS if name in response}
    if isinstance(response, StreamingHttpResponse) or len(response.content) > settings.IDEMPOTENCY_MAX_STORED_BYTES:
        record.headers["x-not-replayable"] = "1"
        record.body = b""
    else:
        record.body = response.content
    record.save(update_fields=["status", "headers", "body"])


def _replay(record: IdempotencyRecord) -> HttpResponse:
    if record.headers.get("x-not-replayable"):
        return _error(409, "This key's request already ran; its answer was too large to keep, so it cannot be replayed.")
    response = HttpResponse(bytes(record.body), status=record.status)
    for name, value in record.headers.items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.META.get("HTTP_IDEMPOTENCY_KEY")
        if request.method != "POST" or key is None:
            return self.get_response(request)
        if not _VALID_KEY.match(key):
            return _error(400, "An Idempotency-Key is 1 to 255 printable ASCII characters without spaces.")
        scope = caller_scope(request)
        if scope is None:  # nobody to tell apart: anonymous posts (sign-in) run as they are
            return self.get_response(request)
        return self._once(request, scope=scope, key=key, fingerprint=request_fingerprint(request))

    def _once(self, request, *, scope: str, key: str, fingerprint: str):
        expired_before = timezone.now() - timedelta(seconds=settings.IDEMPOTENCY_KEY_TTL_SECONDS)
        if random.randrange(_PURGE_ONE_IN) == 0:
            IdempotencyRecord.objects.filter(created_at__lt=expired_before).delete()
        for _attempt in range(3):
            with transaction.atomic():
                try:
                    with transaction.atomic():
                        record = IdempotencyRecord.objects.create(
                            scope=scope, key=key, method=request.method, path=request.path[:2000], fingerprint=fingerprint
                        )
                except IntegrityError:
                    record = None  # this key already ran (or is running: the insert waited for it)
                if record is not None:
                    response = self.get_response(request)
                    if _keep(response):
                        _store(record, response)
                    else:
                        transaction.set_rollback(True)
                    return response
            first = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
            if first is None:  # the first attempt rolled back meanwhile: run this one
                continue
            if first.created_at < expired_before:
                IdempotencyRecord.objects.filter(pk=first.pk).delete()
                continue
            if first.fingerprint != fingerprint:
                return _error(422, "This Idempotency-Key was already used for a different request.")
            if first.status is None:
                return _error(409, "A request with this Idempotency-Key is still running: retry later.")
            return _replay(first)
        return _error(409, "A request with this Idempotency-Key is still running: retry later.")
