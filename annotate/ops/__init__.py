"""What operators need to run the app as a service: health and readiness probes, request ids
in structured logs, metrics, safe retries (Idempotency-Key) and 503 while the database is down."""
