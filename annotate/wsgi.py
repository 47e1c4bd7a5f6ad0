"""WSGI entry point (gunicorn annotate.wsgi).

Marks this process as a web server before the settings load: web requests get the short
PostgreSQL statement timeout (STATEMENT_TIMEOUT_WEB_MS), commands and jobs the long one."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("ANNOTATE_PROCESS", "web")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotate.settings")
application = get_wsgi_application()
