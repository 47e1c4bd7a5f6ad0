"""Simulated reviewers for the local cluster (run by tests/cluster/test_load_and_faults.py).

Each reviewer opens its documents (the workspace page, the document, its spans), labels spans,
relabels and deletes them, asks the queue for the next document and now and then exports.
Every answer that acknowledges a write is appended to CLUSTER_ACKS, so the test can check
afterwards that each acknowledged write is in the database exactly once.

Retries are what a careful client does: a POST that got no answer (connection lost, 502, 503)
is sent again with the same Idempotency-Key; after a PATCH or DELETE without an answer the
reviewer reads its spans again and goes on from what the server has."""
import itertools
import json
import os
import random
import uuid

import gevent
from locust import HttpUser, between, task

SEED = json.loads(open(os.environ["CLUSTER_SEED"]).read())
ACKS = open(os.environ["CLUSTER_ACKS"], "a", buffering=1)
TRANSIENT = {0, 502, 503, 504}  # 0: no answer at all
RETRIES = 8
_next_reviewer = itertools.count()


def ack(**record) -> None:
    ACKS.write(json.dumps(record) + "\n")


class Reviewer(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.me = SEED["reviewers"][next(_next_reviewer) % len(SEED["reviewers"])]
        self.client.headers["Authorization"] = f"Token {self.me['token']}"
        self.client.cookies.set("sessionid", self.me["session"])
        self.spans: dict[int, dict] = {}  # what this reviewer believes is on the server
        for document in self.me["documents"]:
            self.resync(document["id"])

    # --- helpers ----------------------------------------------------------------------------
    def request(self, method: str, url: str, *, name: str, ok: set[int], **kwargs):
        """One request, reported to locust: a status in `ok` is a success, anything else a
        failure named by its status."""
        with self.client.request(method, url, name=name, catch_response=True, **kwargs) as response:
            if response.status_code in ok:
                response.success()
            else:
                response.failure(f"status {response.status_code}")
            return response

    def post_until_answered(self, url: str, *, name: str, ok: set[int], json_body: dict | None = None):
        """POST with one Idempotency-Key, sent again while the answer is missing or transient."""
        key = uuid.uuid4().hex
        for attempt in range(RETRIES):
            response = self.request("POST", url, name=name, ok=ok, json=json_body, headers={"Idempotency-Key": key})
            if response.status_code not in TRANSIENT:
                return response
            gevent.sleep(min(0.25 * 2**attempt, 4))
        return None

    def resync(self, document_id: int) -> None:
        for attempt in range(RETRIES):
            response = self.request(
                "GET", f"/api/v1/documents/{document_id}/spans/", name="/api/v1/documents/[id]/spans/", ok={200}
            )
            if response.status_code == 200:
                mine = [s for s in _results(response.json()) if s["annotator"] == self.me["username"]]
                for span_id in [i for i, s in self.spans.items() if s["document"] == document_id]:
                    del self.spans[span_id]
                for span in mine:
                    self.spans[span["id"]] = {"document": document_id, "label": span["label"], "version": span["version"]}
                ack(op="resync", reviewer=self.me["id"], document=document_id,
                    spans={s["id"]: s["label"] for s in mine})
                return
            gevent.sleep(min(0.25 * 2**attempt, 4))

    # --- what reviewers do ------------------------------------------------------------------
    @task(3)
    def open_document(self):
        document = random.choice(self.me["documents"])
        self.request("GET", f"/documents/{document['id']}/", name="/documents/[id]/ (page)", ok={200})
        self.request("GET", f"/api/v1/documents/{document['id']}/", name="/api/v1/documents/[id]/", ok={200})
        self.request("GET", f"/api/v1/documents/{document['id']}/spans/", name="/api/v1/documents/[id]/spans/", ok={200})

    @task(4)
    def label_span(self):
        document = random.choice(self.me["documents"])
        text = document["text"]
        start = random.randrange(0, len(text) - 40)
        end = start + random.randint(3, 40)
        label = random.choice(["assertion", "attribution"])
        body = {"start": start, "end": end, "label": label, "quote": text[start:end]}
        response = self.post_until_answered(
            f"/api/v1/documents/{document['id']}/spans/", name="/api/v1/documents/[id]/spans/", ok={201, 409},
            json_body=body,
        )
        if response is None:
            self.resync(document["id"])
        elif response.status_code == 201:
            span = response.json()
            self.spans[span["id"]] = {"document": document["id"], "label": label, "version": span["version"]}
            ack(op="create", reviewer=self.me["id"], document=document["id"], span=span["id"], label=label,
                start=start, end=end, replayed=response.headers.get("Idempotent-Replayed") == "true")

    @task(2)
    def relabel_span(self):
        if not self.spans:
            return
        span_id = random.choice(list(self.spans))
        span = self.spans[span_id]
        label = "attribution" if span["label"] == "assertion" else "assertion"
        response = self.request(
            "PATCH", f"/api/v1/spans/{span_id}/", name="/api/v1/spans/[id]/", ok={200},
            json={"label": label, "version": span["version"]},
        )
        if response.status_code == 200:
            span.update(label=label, version=response.json()["version"])
            ack(op="edit", reviewer=self.me["id"], span=span_id, label=label)
        else:  # no answer, or the server knows better (412): read it again
            self.resync(span["document"])

    @task(1)
    def delete_span(self):
        if not self.spans:
            return
        span_id = random.choice(list(self.spans))
        span = self.spans[span_id]
        response = self.request(
            "DELETE", f"/api/v1/spans/{span_id}/", name="/api/v1/spans/[id]/", ok={204},
            headers={"If-Match": f'"{span["version"]}"'},
        )
        if response.status_code == 204:
            del self.spans[span_id]
            ack(op="delete", reviewer=self.me["id"], span=span_id)
        else:
            self.resync(span["document"])

    @task(1)
    def next_document(self):
        response = self.post_until_answered(
            f"/api/v1/projects/{SEED['project']}/next/", name="/api/v1/projects/[id]/next/", ok={200, 204}
        )
        if response is not None and response.status_code == 200:
            ack(op="assigned", reviewer=self.me["id"], document=response.json()["document"])

    @task(1)
    def export(self):
        self.request(
            "GET", f"/api/v1/projects/{SEED['project']}/export/?format=jsonl", name="/api/v1/projects/[id]/export/",
            ok={200, 429},  # all reviewers come from one address here: the export rate limit applies
        )


def _results(body):
    return body["results"] if isinstance(body, dict) and "results" in body else body
