"""Background jobs: long imports, exports to a file, release freezing and agreement, run by a
worker through Django's Tasks API, with progress, cancellation and a lease (docs/jobs.md)."""
