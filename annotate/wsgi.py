"""WSGI entry point (gunicorn annotate.wsgi).

Marks this process as a web server before the settings load: web requests get the short
PostgreSQL statement timeout (STATEMENT_TIMEOUT_WEB_MS), commands and jobs the long one.
Streamed answers read their first chunk before the status line (FirstChunkBeforeStatus)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("ANNOTATE_PROCESS", "web")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotate.settings")
django_application = get_wsgi_application()

from annotate.ops.unavailable import FirstChunkBeforeStatus  # noqa: E402  (after the settings load)

application = FirstChunkBeforeStatus(django_application)
