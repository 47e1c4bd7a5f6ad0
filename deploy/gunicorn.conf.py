"""gunicorn settings for annotate (the Procfile's web line, the systemd unit, the local cluster).

Threads, not processes alone: most of a request is waiting on PostgreSQL, and a thread costs
little memory. Everything can be changed from the environment."""
import os
import shutil
from pathlib import Path

bind = os.environ.get("GUNICORN_BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
worker_class = "gthread"
# A request longer than this is killed; the statement timeout (STATEMENT_TIMEOUT_WEB_MS) ends
# the database's part first, so this only catches requests stuck elsewhere.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak never grows into an outage.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
# The app writes one JSON access line per request with its request id (annotate.ops.request_id);
# gunicorn's own access log would only repeat it.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = os.environ.get("GUNICORN_PROC_NAME", "annotate-web")
# gunicorn's runtime control socket sits at one path per user by default, so two app servers
# on one machine would fight over it; nothing here uses it.
control_socket_disable = True

# Prometheus: every worker process writes its figures to files in one folder, and /metrics
# adds them up, so a scrape sees the whole server and not the one worker that answered.
_metrics_dir = Path(
    os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    or Path(os.environ.get("ANNOTATE_VAR_DIR", Path(__file__).resolve().parent.parent / "var")) / "prometheus" / bind.replace(":", "_").replace("/", "_")
)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(_metrics_dir)


def on_starting(server):
    # Figures of a previous run would be added to this one's.
    shutil.rmtree(_metrics_dir, ignore_errors=True)
    _metrics_dir.mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
