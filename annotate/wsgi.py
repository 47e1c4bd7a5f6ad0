"""WSGI entry point (gunicorn annotate.wsgi).

Marks this process as a web server before the settings load: web requests get the short
PostgreSQL statement timeout (STATEMENT_TIMEOUT_WEB_MS), commands and jobs the long one.
Streamed answers read their first chunk before the status line (FirstChunkBeforeStatus).
The URLconf, and with it every view module, is imported here, when a worker starts, not by the
first request it serves (Django's default): that import took 0.7 s, and 2.1 s with spaCy, on the
first request of every worker gunicorn started or restarted (max_requests)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("ANNOTATE_PROCESS", "web")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotate.settings")
django_application = get_wsgi_application()

from django.urls import get_resolver  # noqa: E402

from annotate.ops.unavailable import FirstChunkBeforeStatus  # noqa: E402  (after the settings load)

get_resolver().url_patterns  # noqa: B018  (imports the URLconf and every view now)

application = FirstChunkBeforeStatus(django_application)
