"""Seeds the local cluster for the load test: one project, REVIEWERS annotators with a token
and a signed-in session each, and two documents of their own per reviewer (so each reviewer's
spans change only through that reviewer's requests, and the final state can be predicted).

Run with the cluster's environment: `python tests/cluster/seed.py OUT.json REVIEWERS`."""
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotate.settings")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402

from annotate.models import Role  # noqa: E402
from tests.factories import DocumentFactory, MembershipFactory, ProjectFactory, UserFactory, token_for  # noqa: E402

SENTENCES = [
    "The ministry said that inflation fell to three percent in May.",
    "Opposition economists dispute the figure and point to food prices.",
    "A spokesman for the central bank declined to comment on the report.",
    "Critics argue that the basket of goods was changed last year.",
]


def main(out: str, reviewers: int) -> None:
    project = ProjectFactory(name="Load test newsroom", reviewers_per_document=1)
    people = []
    for i in range(reviewers):
        user = UserFactory(username=f"load-reviewer-{i}")
        MembershipFactory(project=project, user=user, role=Role.ANNOTATOR)
        documents = [
            DocumentFactory(project=project, title=f"Story {i}-{j}", text=" ".join(SENTENCES[j:] + SENTENCES[:j]) * 3)
            for j in range(2)
        ]
        browser = Client()
        browser.force_login(user)
        people.append(
            {
                "id": user.pk,
                "username": user.username,
                "token": token_for(user),
                "session": browser.cookies["sessionid"].value,
                "documents": [{"id": d.pk, "text": d.text} for d in documents],
            }
        )
    # Documents nobody owns, for the "Next document" queue to hand out.
    queue = [DocumentFactory(project=project, title=f"Queue {n}").pk for n in range(reviewers * 2)]
    # A manager and an empty project of their own for the import jobs the fault steps start.
    manager = UserFactory(username="load-manager")
    imports = ProjectFactory(name="Load test imports")
    MembershipFactory(project=imports, user=manager, role=Role.MANAGER)
    Path(out).write_text(json.dumps({
        "project": project.pk, "reviewers": people, "queue_documents": queue,
        "manager_token": token_for(manager), "import_project": imports.pk,
    }))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
