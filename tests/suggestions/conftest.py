"""The job fixtures (a burst worker, a scratch storage folder) of tests/jobs/."""
from tests.jobs.conftest import _storage, run_jobs  # noqa: F401
