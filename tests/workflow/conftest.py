"""Workflow fixtures: the `team` project with more documents, and a helper that labels through
the services (so every span is validated and recorded as a real one would be)."""
import pytest

from annotate import services
from annotate.permissions import access_for
from tests.factories import DocumentFactory

TEXT = "The ministry said that inflation fell to 3% in May. Critics 📰 dispute the figure."


def label(user, document, start: int, end: int, label: str = "assertion", **fields):
    """A span in `user`'s own layer, created as the API would create it."""
    access = access_for(user, document.project_id)
    return services.span_create(
        document=document, access=access, actor=user, fields={"start": start, "end": end, "label": label, **fields}
    )


@pytest.fixture
def docs(team):
    """team.document plus three more documents with the same text, in id order."""
    more = [DocumentFactory(project=team.project, title=f"Story {i}", text=TEXT) for i in range(3)]
    return [team.document, *more]
