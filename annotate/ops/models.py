"""Answers kept for Idempotency-Key retries (annotate.ops.idempotency)."""
from django.db import models


class IdempotencyRecord(models.Model):
    # Who asked: a hash of the credentials (token or session), never the credentials themselves.
    scope = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=2000)
    # sha256 of method, path and body: the same key with another request is refused (422).
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True)
    headers = models.JSONField(default=dict)
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="idempotency_key_once_per_scope")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"
