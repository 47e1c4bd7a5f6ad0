"""Settings, all from the environment; a first run needs nothing set (SQLite under var/).

Production: `ANNOTATE_ENV=production` turns on the secure defaults below and makes SECRET_KEY
mandatory; every variable is listed and explained in deploy/production.env.example."""
import datetime as dt
import json
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ANNOTATE_VAR_DIR", BASE_DIR / "var"))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _local_secret_key() -> str:
    """Generate a key once per checkout and keep it in var/, so sessions survive restarts."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


ANNOTATE_ENV = os.environ.get("ANNOTATE_ENV", "development").strip().lower()
if ANNOTATE_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"ANNOTATE_ENV must be 'development' or 'production', not {ANNOTATE_ENV!r}.")
PRODUCTION = ANNOTATE_ENV == "production"
# Which kind of process this is: annotate/wsgi.py says "web"; management commands (migrate,
# the job worker) are everything else. Web requests get the short statement timeout.
ANNOTATE_PROCESS = os.environ.get("ANNOTATE_PROCESS", "command")

if PRODUCTION and not os.environ.get("SECRET_KEY"):
    # A key generated on one app server would differ from the next one's: sessions, password
    # reset links and signed values would break at random. Refuse instead.
    raise ImproperlyConfigured(
        "SECRET_KEY is not set: in production (ANNOTATE_ENV=production) set SECRET_KEY in the environment "
        "(for example the output of: python3 -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )
SECRET_KEY = os.environ.get("SECRET_KEY") or _local_secret_key()
DEBUG = _env_bool("DEBUG", False)
ALLOWED_HOSTS = _env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS")

# HTTPS. In production the defaults are the safe ones; each can still be turned off (a TLS
# terminator that already redirects, a staging host without HSTS).
SECURE_SSL_REDIRECT = _env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
# /healthz and /readyz are probed over plain HTTP by the load balancer or systemd.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SECURE_HSTS_SECONDS = _env_int("SECURE_HSTS_SECONDS", 31_536_000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = _env_bool("SECURE_HSTS_PRELOAD", PRODUCTION)
SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", PRODUCTION)
CSRF_COOKIE_SECURE = _env_bool("CSRF_COOKIE_SECURE", PRODUCTION)
# Trust X-Forwarded-Proto only when a proxy we run sets it (and strips the client's own):
# "HTTP_X_FORWARDED_PROTO,https". Unset, Django ignores the header, as it must.
if _env_list("SECURE_PROXY_SSL_HEADER"):
    _header, _value = _env_list("SECURE_PROXY_SSL_HEADER")
    SECURE_PROXY_SSL_HEADER = (_header, _value)
USE_X_FORWARDED_HOST = _env_bool("USE_X_FORWARDED_HOST", False)
# Addresses of our own reverse proxies (CIDR): only from these is a client's X-Request-ID kept.
TRUSTED_PROXIES = _env_list("TRUSTED_PROXIES", "127.0.0.1/32,::1/128")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",  # its widget templates, for annotate.form_helpers' renderer
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_prometheus",
    "axes",
    "annotate",
    "annotate.workflow",
    "annotate.ops",
    "annotate.accounts",
    "annotate.jobs",
    "annotate.suggestions",
    "annotate.sources",
    "annotate.articles",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "django_tasks_rq",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "annotate.ops.request_id.RequestIdMiddleware",
    "annotate.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "annotate.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # After sessions and CSRF: a retried POST with the same Idempotency-Key gets the first answer.
    "annotate.ops.idempotency.IdempotencyMiddleware",
    "annotate.ops.unavailable.DatabaseUnavailableMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Last, so it sees the lockout flag the authentication backend set (django-axes).
    "axes.middleware.AxesMiddleware",
]

# django-axes refuses sign-ins (login page and POST /api/v1/auth/token/) once an account or a
# client address has LOGIN_FAILURE_LIMIT failures within LOGIN_COOLOFF_MINUTES: 429 until the
# cool-off passes, restarted by every refused attempt. Attempts are rows in the database.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=float(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # per account, and per client, apart
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "annotate.limits.login_lockout_response"
AXES_CLIENT_IP_CALLABLE = "annotate.limits.client_address"
AXES_VERBOSE = False
# Proxies in front of the app that append the client's address to X-Forwarded-For. 0 (the
# default): the header is ignored, since anyone can send it; the client is REMOTE_ADDR.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# Requests per client and scope on the expensive endpoints, API and pages alike
# (annotate.limits.RateLimit on the default cache); over the rate the answer is 429 with
# Retry-After. RATE_LIMITS="export=30/min,import=10/hour" overrides scopes; "none" lifts one.
RATE_LIMITS = {"export": "30/min", "import": "10/min", "agreement": "30/min", "release_download": "60/min"}
for _part in filter(None, (p.strip() for p in os.environ.get("RATE_LIMITS", "").split(","))):
    _scope, _, _rate = _part.partition("=")
    RATE_LIMITS[_scope.strip()] = None if _rate.strip().lower() in ("", "none") else _rate.strip()

ROOT_URLCONF = "annotate.urls"
WSGI_APPLICATION = "annotate.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "annotate.accounts.context_processors.signup",
            ],
            "builtins": ["annotate.templatetags.bidi"],  # `isolate` on every page
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'annotate.sqlite3'}",
        conn_max_age=_env_int("CONN_MAX_AGE", 60),
        # A persistent connection is checked before a request reuses it, so after a database
        # restart the app reconnects by itself instead of failing on a dead socket.
        conn_health_checks=True,
    )
}
# No web request may hold PostgreSQL for minutes: past this the statement is cancelled and
# the request answers 503. Jobs and management commands (migrate) get the longer one.
STATEMENT_TIMEOUT_WEB_MS = _env_int("STATEMENT_TIMEOUT_WEB_MS", 30_000)
STATEMENT_TIMEOUT_JOB_MS = _env_int("STATEMENT_TIMEOUT_JOB_MS", 30 * 60_000)
STATEMENT_TIMEOUT_MS = STATEMENT_TIMEOUT_WEB_MS if ANNOTATE_PROCESS == "web" else STATEMENT_TIMEOUT_JOB_MS
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, with the health check above made without a round trip when the
    # connection's socket is quiet (annotate/ops/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "annotate.ops.postgresql"
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    # Sent in the connection's start-up packet: no extra round trip per connection.
    _options["options"] = f"{_options.get('options', '')} -c statement_timeout={STATEMENT_TIMEOUT_MS}".strip()
    # psycopg prepares a statement sent with server-side binding once it has run this many times
    # on a connection: only the hot path's (annotate.ops.postgresql: prepared_cursor), the rest
    # of Django binds on the client and is never prepared. "none" behind a pooler that shares
    # server connections between transactions (PgBouncer's transaction mode before 1.21).
    _prepare = os.environ.get("DB_PREPARE_THRESHOLD", "5").strip().lower()
    _options["prepare_threshold"] = None if _prepare in ("", "none") else int(_prepare)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several writers (a browser plus a script, the job worker) must wait for each other, not
    # fail at once: the busy timeout, and transactions that take the write lock when they begin
    # (a deferred one that read first gets "database is locked" at once when it comes to write
    # while another holds the lock, whatever the timeout; seen on a first `make run`, the
    # suggestions request beside the worker's job).
    DATABASES["default"].setdefault("OPTIONS", {}).update(timeout=20, transaction_mode="IMMEDIATE")

# Shared state lives in shared services: with REDIS_URL every app server sees the same cache
# (throttles, idempotency keys, cached pages); without it each process has its own.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache; a Redis restart reads as misses (annotate/ops/cache.py).
            "BACKEND": "annotate.ops.cache.ForgivingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "annotate"),
            # A Redis restart must not hang requests: fail fast.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "annotate"}}

# Sessions: "db" (default; survives a cache flush), "cache" or "cached_db" (needs REDIS_URL to
# be shared between app servers).
SESSION_STORE = os.environ.get("SESSION_STORE", "db").strip()
_SESSION_ENGINES = {
    "db": "django.contrib.sessions.backends.db",
    "cache": "django.contrib.sessions.backends.cache",
    "cached_db": "django.contrib.sessions.backends.cached_db",
}
if SESSION_STORE not in _SESSION_ENGINES:
    raise ImproperlyConfigured(f"SESSION_STORE must be one of {', '.join(_SESSION_ENGINES)}, not {SESSION_STORE!r}.")
SESSION_ENGINE = _SESSION_ENGINES[SESSION_STORE]

# Email (invites, password resets, error mails): SMTP in production, the console otherwise.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "annotate <annotate@localhost>")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
if not os.environ.get("STATIC_ROOT"):  # our own default folder; a configured one is made by collectstatic
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Served by whitenoise from the app servers. By default straight from static/ without a
# collectstatic step (whitenoise finds the files); STATIC_COLLECTED=true after
# `manage.py collectstatic` serves the collected, compressed, hashed copies instead.
STATIC_COLLECTED = _env_bool("STATIC_COLLECTED", False)
WHITENOISE_USE_FINDERS = not STATIC_COLLECTED

# Accounts (annotate.accounts). People join by invite; self sign-up is off unless SIGNUP_OPEN=1.
SIGNUP_OPEN = _env_bool("SIGNUP_OPEN", False)
INVITE_MAX_AGE_DAYS = int(os.environ.get("INVITE_MAX_AGE_DAYS", 7))
# Invites and password resets are mailed (EMAIL_* above); a first run prints them on the console.

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "project-list"
LOGOUT_REDIRECT_URL = "login"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the page's scripts read it to send X-CSRFToken
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Request size limits. A JSON body (a bulk import of 1,000 documents of ~4 KB, or one 1 MB
# document) must fit; anything larger is answered 413 by annotate.middleware.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", 16 * 1024 * 1024))
# Whole-request cap, uploads included (dataset import files are limited again by their service).
MAX_REQUEST_BYTES = int(os.environ.get("MAX_REQUEST_BYTES", 64 * 1024 * 1024))
MAX_DOCUMENT_CHARS = 5_000_000
# PATCH and DELETE of documents and spans must name the version they were made against
# (If-Match or "version"), else 428. Off only for old clients that cannot send one yet.
REQUIRE_PRECONDITION = _env_bool("REQUIRE_PRECONDITION", True)
BULK_DOCUMENTS_MAX = 1000
# Dataset imports (annotate.datasets.services): past any of these the answer is 413. The upload
# is also bounded by MAX_REQUEST_BYTES above.
DATASET_IMPORT_MAX_BYTES = int(os.environ.get("DATASET_IMPORT_MAX_BYTES", 64 * 1024 * 1024))
DATASET_IMPORT_MAX_EXPANDED_BYTES = int(os.environ.get("DATASET_IMPORT_MAX_EXPANDED_BYTES", 256 * 1024 * 1024))
DATASET_IMPORT_MAX_MEMBERS = int(os.environ.get("DATASET_IMPORT_MAX_MEMBERS", 10_000))
DATASET_IMPORT_MAX_DOCUMENTS = int(os.environ.get("DATASET_IMPORT_MAX_DOCUMENTS", 100_000))

# JSON bodies and import lines nested deeper than this are refused with 400 (annotate.json_input).
# Article import (annotate/articles/fetch.py): bounds of one fetch, and host names that skip the
# public-address check (an intranet CMS); comma-separated in the environment.
ARTICLE_FETCH_MAX_BYTES = int(os.environ.get("ARTICLE_FETCH_MAX_BYTES", 5 * 1024 * 1024))
ARTICLE_FETCH_TIMEOUT_SECONDS = float(os.environ.get("ARTICLE_FETCH_TIMEOUT_SECONDS", 15))
ARTICLE_FETCH_MAX_REDIRECTS = int(os.environ.get("ARTICLE_FETCH_MAX_REDIRECTS", 5))
ARTICLE_FETCH_ALLOWED_HOSTS = _env_list("ARTICLE_FETCH_ALLOWED_HOSTS")
JSON_MAX_DEPTH = int(os.environ.get("JSON_MAX_DEPTH", "32"))
# Files: uploads waiting for an import job and job outputs (exports) go through Django's storage
# API, so a worker on another machine reads what the web server stored. A local folder by
# default; in a cluster point "default" at any shared django-storages backend (S3, ...).
STORAGES = {
    "default": {
        "BACKEND": os.environ.get("FILE_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"),
        # e.g. FILE_STORAGE_BACKEND=storages.backends.s3.S3Storage
        # FILE_STORAGE_OPTIONS='{"bucket_name": "annotate-files"}'
        "OPTIONS": json.loads(os.environ.get("FILE_STORAGE_OPTIONS") or "null")
        or {"location": os.environ.get("FILE_STORAGE_ROOT", str(VAR_DIR / "files"))},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_COLLECTED
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Background jobs (annotate.jobs, docs/jobs.md) through Django's Tasks API (the django-tasks
# backport). TASK_BACKEND=db (default: the database itself is the queue, SQLite or PostgreSQL)
# or rq (Redis at RQ_REDIS_URL, else REDIS_URL, for workers on several machines).
TASK_BACKEND = os.environ.get("TASK_BACKEND", "db")
if TASK_BACKEND == "rq":
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
elif TASK_BACKEND == "db":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
else:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"TASK_BACKEND is {TASK_BACKEND!r}; use db or rq.")
# django-rq's queues (used only when TASK_BACKEND=rq). RQ's own job timeout is the outer
# bound; our lease (below) is what notices a dead worker.
RQ_QUEUES = {"default": {"URL": os.environ.get("RQ_REDIS_URL", REDIS_URL or "redis://127.0.0.1:6379/0"), "DEFAULT_TIMEOUT": int(os.environ.get("JOBS_TIMEOUT_SECONDS", 6 * 3600))}}
# A running job renews its lease every JOBS_HEARTBEAT_SECONDS; a job whose lease is older
# than JOBS_LEASE_SECONDS is taken as dead (its worker was killed) and retried until
# JOBS_MAX_ATTEMPTS runs have started, then failed with the reason.
JOBS_LEASE_SECONDS = float(os.environ.get("JOBS_LEASE_SECONDS", 60))
JOBS_HEARTBEAT_SECONDS = float(os.environ.get("JOBS_HEARTBEAT_SECONDS", 5))
JOBS_MAX_ATTEMPTS = int(os.environ.get("JOBS_MAX_ATTEMPTS", 2))
# How often an idle db_worker (TASK_BACKEND=db) looks for a queued job: the most a new job
# waits before it starts. The look is one indexed query, so a tenth of a second costs nothing
# (db_worker's own default of 1 s added up to a second to every background import).
JOBS_POLL_SECONDS = float(os.environ.get("JOBS_POLL_SECONDS", 0.1))
# Imports whose file is at most this many bytes run inside the request (201, the finished
# job); larger ones are queued (202, the job to poll).
JOBS_INLINE_IMPORT_MAX_BYTES = int(os.environ.get("JOBS_INLINE_IMPORT_MAX_BYTES", 1024 * 1024))
# Releases of projects with more documents than this are frozen by a worker (202).
JOBS_INLINE_RELEASE_MAX_DOCUMENTS = int(os.environ.get("JOBS_INLINE_RELEASE_MAX_DOCUMENTS", 5000))
# Finished jobs' output files are kept this many days (manage.py jobs_prune).
JOBS_KEEP_DAYS = int(os.environ.get("JOBS_KEEP_DAYS", 7))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "annotate.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "annotate.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "annotate.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_THROTTLE_CLASSES": ["annotate.limits.RateLimit"],
    "DEFAULT_PARSER_CLASSES": [
        "annotate.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append("rest_framework.renderers.BrowsableAPIRenderer")

# /api/schema/ and /api/docs/ need a login unless this is on (API_SCHEMA_PUBLIC=1).
API_SCHEMA_PUBLIC = _env_bool("API_SCHEMA_PUBLIC", False)

SPECTACULAR_SETTINGS = {
    "TITLE": "annotate API",
    "DESCRIPTION": "Label spans of news text as assertion, attribution or disputed; offsets are "
    "Unicode code points, half-open [start, end).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Login (session or token) unless API_SCHEMA_PUBLIC: annotate.permissions.may_read_api_schema.
    "SERVE_PERMISSIONS": ["annotate.api.permission_classes.ApiSchemaReader"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "JobStateEnum": "annotate.jobs.models.JobState",
        "AdjudicationStateEnum": ["pending", "accepted", "rejected"],
    },
}

if "test" in os.environ.get("ANNOTATE_MODE", ""):
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Logs: one JSON object a line in production (LOG_FORMAT=text for people), each carrying the
# request id of the request that wrote it; one "annotate.request" line per request.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json" if PRODUCTION else "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "annotate.ops.request_id.RequestIdLogFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        "annotate.request": {"level": "INFO" if _env_bool("ACCESS_LOG", True) else "WARNING"},
    },
}

# Operators' endpoints. /metrics (Prometheus) answers a request that carries
# "Authorization: Bearer $METRICS_TOKEN" or comes from METRICS_ALLOWED_NETWORKS; nobody else.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
METRICS_ALLOWED_NETWORKS = _env_list("METRICS_ALLOWED_NETWORKS", "" if PRODUCTION else "127.0.0.1/32,::1/128")

# Idempotency-Key on POST: how long a key is remembered, and the largest answer kept for replay.
IDEMPOTENCY_KEY_TTL_SECONDS = _env_int("IDEMPOTENCY_KEY_TTL_SECONDS", 24 * 3600)
IDEMPOTENCY_MAX_STORED_BYTES = _env_int("IDEMPOTENCY_MAX_STORED_BYTES", 1024 * 1024)
