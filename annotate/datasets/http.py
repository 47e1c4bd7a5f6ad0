"""The response headers that carry an export's manifest, now that jsonl holds documents only.

    X-Dataset-Format: jsonl                X-Dataset-Format-Version: 2
    X-Dataset-Documents: 3                 X-Dataset-Spans: 6
    X-Dataset-Layer: individual            X-Dataset-Offset-Unit: codepoint
    X-Dataset-Manifest-URL: /api/v1/projects/7/export/manifest/?format=jsonl   (also Link rel="describedby")
    X-Dataset-Withheld-Documents: 1        (only when blind review left spans out)
    X-Dataset-Content-SHA256: <hex>        (only when known before the body: release downloads)
    Repr-Digest: sha-256=:<base64>:        (RFC 9530, of the body bytes; release downloads)

A streamed export learns its content_sha256 only once the last record is written, and WSGI has
no trailers, so for a streamed export the manifest URL (same query) gives it.
"""
import base64
import hashlib

from django.http import HttpResponseBase


def dataset_headers(
    response: HttpResponseBase, manifest: dict, *, manifest_url: str | None, content_sha256: str | None = None, body: bytes | None = None
) -> None:
    response["X-Dataset-Format"] = str(manifest["format"])
    response["X-Dataset-Format-Version"] = str(manifest["format_version"])
    response["X-Dataset-Documents"] = str(manifest["documents"])
    response["X-Dataset-Spans"] = str(manifest["spans"])
    response["X-Dataset-Layer"] = str(manifest["layer"])  # a Layer choice: WSGI wants a plain str
    response["X-Dataset-Offset-Unit"] = str(manifest["offset_unit"])
    if withheld := manifest.get("withheld"):
        response["X-Dataset-Withheld-Documents"] = str(withheld["documents"])
    if manifest_url:
        response["X-Dataset-Manifest-URL"] = manifest_url
        response["Link"] = f'<{manifest_url}>; rel="describedby"'
    if content_sha256:
        response["X-Dataset-Content-SHA256"] = content_sha256
    if body is not None:
        response["Repr-Digest"] = "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode() + ":"
