"""Import benchmark: the 10,000-document project's jsonl export (text + 20 spans each) imported
into an empty project through the HTTP API (gunicorn), on PostgreSQL.

Run: .venv/bin/python bench/import.py [--documents 10000]
The upload is larger than the default 64 MB request limit, so the server runs with
MAX_REQUEST_BYTES and DATASET_IMPORT_MAX_BYTES raised to 512 MB (both are settings).
"""
import argparse
import time

import httpx
from _common import Server, build_project, django_setup, token

LIMITS = {
    "MAX_REQUEST_BYTES": str(512 * 1024 * 1024),
    "DATASET_IMPORT_MAX_BYTES": str(512 * 1024 * 1024),
    "JOBS_INLINE_IMPORT_MAX_BYTES": str(512 * 1024 * 1024),  # measure the import in the request, as before jobs
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=10_000)
    args = parser.parse_args()
    django_setup()
    from annotate.models import Document, Membership, Project, Span

    source = build_project(f"bench-{args.documents}", args.documents)
    key = token("bench-manager")
    server = Server(LIMITS)
    try:
        headers = {"Authorization": f"Token {key}"}
        export = httpx.get(f"{server.url}/api/v1/projects/{source.pk}/export/?format=jsonl", headers=headers, timeout=600)
        export.raise_for_status()
        Project.objects.filter(name="bench-import-target").delete()
        target = Project.objects.create(name="bench-import-target")
        Membership.objects.bulk_create(
            [Membership(project=target, user=m.user, role=m.role) for m in Membership.objects.filter(project=source)]
        )
        started = time.perf_counter()
        response = httpx.post(
            f"{server.url}/api/v1/projects/{target.pk}/import/",
            headers=headers,
            files={"file": ("bench.jsonl", export.content, "application/x-ndjson")},
            data={"format": "jsonl"},
            timeout=600,
        )
        elapsed = time.perf_counter() - started
        response.raise_for_status()
        result = response.json()["result"]  # the finished job (annotate.jobs)
    finally:
        server.stop()
    documents = Document.objects.filter(project=target).count()
    spans = Span.objects.filter(document__project=target).count()
    print(f"upload: {len(export.content) / 1e6:.1f} MB jsonl")
    print(f"import: {elapsed:.1f} s for {result['documents']} documents and {result['spans']} spans (target < 60 s)")
    print(f"in the database afterwards: {documents} documents, {spans} spans")


if __name__ == "__main__":
    main()
