"""The local cluster (deploy/local-cluster.sh) for the load and fault tests: started fresh in a
folder of its own for the session, destroyed afterwards. Loopback only."""
import os
import re
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
SCRIPT = ROOT / "deploy" / "local-cluster.sh"
PORT = int(os.environ.get("CLUSTER_PORT", "8280"))
PG_PORT = int(os.environ.get("CLUSTER_PG_PORT", "5442"))
_LINE = re.compile(r'"(?P<method>[A-Z]+) (?P<path>\S+) [^"]*" (?P<status>\d{3}) .* upstream=(?P<upstream>\S+) ')


def wait_for(condition, *, what: str, limit: float = 120.0, every: float = 0.2):
    """Poll until `condition()` is true (the event itself, not a guess at how long it takes);
    `limit` only bounds a broken run."""
    deadline = time.monotonic() + limit
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(every)


@dataclass
class Cluster:
    dir: Path
    url: str

    def run(self, *args: str) -> str:
        result = subprocess.run(
            [str(SCRIPT), *args], env=self.env_for_script(), capture_output=True, text=True, timeout=1200
        )
        assert result.returncode == 0, f"local-cluster.sh {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
        return result.stdout

    def env_for_script(self) -> dict[str, str]:
        return {**os.environ, "CLUSTER_DIR": str(self.dir)}

    def app_env(self) -> dict[str, str]:
        """The environment the cluster's app servers run with (for manage.py and scripts)."""
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
        for line in (self.dir / "cluster.env").read_text().splitlines():
            if line and not line.startswith("#"):
                name, _, value = line.partition("=")
                env[name] = value
        return env

    def db(self) -> psycopg.Connection:
        return psycopg.connect(f"postgresql://postgres@127.0.0.1:{PG_PORT}/annotate", autocommit=True)

    def access_log(self) -> list[dict]:
        path = self.dir / "nginx" / "access.log"
        if not path.exists():
            return []
        return [m.groupdict() for m in map(_LINE.search, path.read_text().splitlines()) if m]


@pytest.fixture(scope="session")
def cluster():
    folder = Path(tempfile.mkdtemp(prefix="annotate-cluster-"))
    folder.chmod(0o755)  # the cluster's PostgreSQL runs as the postgres user and must get in
    cluster = Cluster(dir=folder, url=f"http://127.0.0.1:{PORT}")
    try:
        cluster.run("up")
        yield cluster
    finally:
        subprocess.run([str(SCRIPT), "destroy"], env=cluster.env_for_script(), capture_output=True, timeout=300)
