"""Reads for the project page and the workspace: per-document progress and neighbours.

Each function runs a fixed number of queries whatever the number of documents or spans."""
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from annotate.models import Assignment, AssignmentStatus, Document, Layer, Span
from annotate.permissions import Access, readable_spans

STATUS_FILTERS = {"done": "Done by me", "not_done": "Not done by me"}


def filtered_documents(
    *, documents: QuerySet[Document], access: Access, search: str = "", outlet: str = "", status: str = ""
) -> QuerySet[Document]:
    """The project page's filters: words in the title or outlet, one outlet, done by me or not."""
    if search:
        documents = documents.filter(Q(title__icontains=search) | Q(outlet__icontains=search))
    if outlet:
        documents = documents.filter(outlet=outlet)
    if status in STATUS_FILTERS:
        mine_done = Assignment.objects.filter(
            document_id=OuterRef("pk"), user_id=access.user_id, status=AssignmentStatus.DONE
        )
        documents = documents.filter(Exists(mine_done)) if status == "done" else documents.exclude(Exists(mine_done))
    return documents


def project_outlets(*, documents: QuerySet[Document]) -> list[str]:
    return list(documents.exclude(outlet="").order_by("outlet").values_list("outlet", flat=True).distinct())


def documents_progress(*, document_ids: list[int], access: Access) -> dict[int, dict]:
    """{document id: {"labels": {label: n}, "done_by": [usernames]}} in two queries.

    Counts only the spans the caller may read (permissions.readable_spans): annotators their
    own, reviewers not the others' on documents blind review hides from them."""
    progress: dict[int, dict] = {pk: {"labels": {}, "done_by": []} for pk in document_ids}
    spans = Span.objects.filter(readable_spans(access=access), document_id__in=document_ids, layer=Layer.INDIVIDUAL)
    for row in spans.values("document_id", "label").annotate(n=Count("id")).order_by():
        progress[row["document_id"]]["labels"][row["label"]] = row["n"]
    done = (
        Assignment.objects.filter(document_id__in=document_ids, status=AssignmentStatus.DONE)
        .order_by("user__username")
        .values_list("document_id", "user__username")
    )
    for document_id, username in done:
        progress[document_id]["done_by"].append(username)
    return progress


def document_neighbours(*, document: Document) -> tuple[int | None, int | None]:
    """Ids of the previous and next documents of the project, in the project page's order."""
    siblings = Document.objects.filter(project_id=document.project_id)
    previous = siblings.filter(pk__lt=document.pk).order_by("-pk").values_list("pk", flat=True).first()
    following = siblings.filter(pk__gt=document.pk).order_by("pk").values_list("pk", flat=True).first()
    return previous, following


def is_done(*, document: Document, user) -> bool:
    return Assignment.objects.filter(document=document, user=user, status=AssignmentStatus.DONE).exists()


def layer_choices(*, members) -> list[str]:
    """Usernames whose layer a reviewer may open, in a stable order."""
    return sorted({m.user.username for m in members})


