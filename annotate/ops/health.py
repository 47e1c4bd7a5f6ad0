"""/healthz: the process answers. /readyz: it can do its work, i.e. the database, the cache and
the task backend are reachable; 503 naming the part that is not, so a load balancer takes this
server out and an operator knows where to look."""
import time

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def check_cache() -> str:
    cache = caches["default"]
    if hasattr(cache, "ping"):  # the Redis cache forgives an outage on reads: ask Redis itself
        cache.ping()
    key, value = "readyz:probe", str(time.time_ns())
    cache.set(key, value, timeout=10)
    if cache.get(key) != value:
        raise RuntimeError("a value written to the cache did not read back")
    return cache.__class__.__name__


def check_tasks() -> str:
    """Whatever TASKS configures: every backend is asked for what it stands on."""
    configured = getattr(settings, "TASKS", None)
    if not configured:
        return "none configured"
    from django_tasks import task_backends

    names = []
    for alias in configured:
        backend = task_backends[alias]
        _reach_task_backend(backend)
        names.append(f"{alias}={backend.__class__.__name__}")
    return ", ".join(names)


def _reach_task_backend(backend) -> None:
    kind = f"{backend.__class__.__module__}.{backend.__class__.__name__}"
    if kind.startswith("django_tasks_db."):
        from django_tasks_db.models import DBTaskResult

        list(DBTaskResult.objects.order_by().values_list("pk", flat=True)[:1])
    elif kind.startswith("django_tasks_rq."):
        import django_rq

        for queue_name in backend.queues:
            django_rq.get_queue(queue_name).connection.ping()
    else:
        # In-process backends (immediate, dummy) stand on nothing; anything else is asked for
        # its own checks.
        errors = [message for message in backend.check() if message.is_serious()]
        if errors:
            raise RuntimeError("; ".join(str(message.msg) for message in errors))


CHECKS = {"database": check_database, "cache": check_cache, "tasks": check_tasks}


@require_GET
@never_cache
def readyz(request):
    parts, failing = {}, []
    for name, check in CHECKS.items():
        try:
            parts[name] = {"ok": True, "detail": check()}
        except Exception as error:  # any failure of a dependency means "not ready", named
            failing.append(name)
            parts[name] = {"ok": False, "detail": f"{type(error).__name__}: {str(error).strip()[:300]}"}
    body = {"status": "ok" if not failing else "unavailable", "failing": failing, "checks": parts}
    return JsonResponse(body, status=503 if failing else 200)
