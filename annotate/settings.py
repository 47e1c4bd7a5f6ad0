"""Settings, all from the environment; a first run needs nothing set (SQLite under var/)."""
import datetime as dt
import json
import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ANNOTATE_VAR_DIR", BASE_DIR / "var"))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _local_secret_key() -> str:
    """Generate a key once per checkout and keep it in var/, so sessions survive restarts."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY") or _local_secret_key()
DEBUG = _env_bool("DEBUG", False)
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

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
    "axes",
    "annotate",
    "annotate.workflow",
    "annotate.accounts",
    "annotate.jobs",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "django_tasks_rq",
]

MIDDLEWARE = [
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
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'annotate.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several writers (a browser plus a script) must wait for each other, not fail at once.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

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
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Serve straight from static/ without a collectstatic step (whitenoise finds the files).
WHITENOISE_USE_FINDERS = True

# Accounts (annotate.accounts). People join by invite; self sign-up is off unless SIGNUP_OPEN=1.
SIGNUP_OPEN = _env_bool("SIGNUP_OPEN", False)
INVITE_MAX_AGE_DAYS = int(os.environ.get("INVITE_MAX_AGE_DAYS", 7))
# Invites and password resets are mailed; a first run prints the mail on the console.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "annotate <annotate@localhost>")

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
# Dataset imports (annotate.services.imports): past any of these the answer is 413. The upload
# is also bounded by MAX_REQUEST_BYTES above.
DATASET_IMPORT_MAX_BYTES = int(os.environ.get("DATASET_IMPORT_MAX_BYTES", 64 * 1024 * 1024))
DATASET_IMPORT_MAX_EXPANDED_BYTES = int(os.environ.get("DATASET_IMPORT_MAX_EXPANDED_BYTES", 256 * 1024 * 1024))
DATASET_IMPORT_MAX_MEMBERS = int(os.environ.get("DATASET_IMPORT_MAX_MEMBERS", 10_000))
DATASET_IMPORT_MAX_DOCUMENTS = int(os.environ.get("DATASET_IMPORT_MAX_DOCUMENTS", 100_000))

# JSON bodies and import lines nested deeper than this are refused with 400 (annotate.json_input).
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
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Background jobs (annotate.jobs, docs/jobs.md) through Django's Tasks API (the django-tasks
# backport). TASK_BACKEND=db (default: the database itself is the queue, SQLite or PostgreSQL)
# or rq (Redis at REDIS_URL, for workers on several machines).
TASK_BACKEND = os.environ.get("TASK_BACKEND", "db")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
if TASK_BACKEND == "rq":
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
elif TASK_BACKEND == "db":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
else:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"TASK_BACKEND is {TASK_BACKEND!r}; use db or rq.")
# django-rq's queues (used only when TASK_BACKEND=rq). RQ's own job timeout is the outer
# bound; our lease (below) is what notices a dead worker.
RQ_QUEUES = {"default": {"URL": os.environ.get("RQ_REDIS_URL", REDIS_URL), "DEFAULT_TIMEOUT": int(os.environ.get("JOBS_TIMEOUT_SECONDS", 6 * 3600))}}
# A running job renews its lease every JOBS_HEARTBEAT_SECONDS; a job whose lease is older
# than JOBS_LEASE_SECONDS is taken as dead (its worker was killed) and retried until
# JOBS_MAX_ATTEMPTS runs have started, then failed with the reason.
JOBS_LEASE_SECONDS = float(os.environ.get("JOBS_LEASE_SECONDS", 60))
JOBS_HEARTBEAT_SECONDS = float(os.environ.get("JOBS_HEARTBEAT_SECONDS", 5))
JOBS_MAX_ATTEMPTS = int(os.environ.get("JOBS_MAX_ATTEMPTS", 2))
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

SPECTACULAR_SETTINGS = {
    "TITLE": "annotate API",
    "DESCRIPTION": "Label spans of news text as assertion, attribution or disputed; offsets are "
    "Unicode code points, half-open [start, end).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
