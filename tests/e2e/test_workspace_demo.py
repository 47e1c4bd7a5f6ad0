"""The demo project, annotated end to end by a reviewer with the keyboard alone."""
from django.core.management import call_command

from annotate.models import Assignment, AssignmentStatus, Document, Project, Role, Span
from tests.e2e.conftest import login
from tests.factories import MembershipFactory, UserFactory


def test_a_reviewer_annotates_every_demo_document_with_the_keyboard(page, transactional_db):
    call_command("load_demo", stdout=open("/dev/null", "w"))
    project = Project.objects.get(name="Demo: newsroom claims")
    reviewer = UserFactory(username="kim")
    MembershipFactory(project=project, user=reviewer, role=Role.REVIEWER)
    documents = list(Document.objects.filter(project=project).order_by("pk"))
    login(page, "kim")
    # From the project list to the first document without the mouse.
    page.goto("/")
    page.get_by_role("link", name="Demo: newsroom claims").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/projects/{project.pk}/")
    page.locator(".document-table tbody a").first.focus()
    page.keyboard.press("Enter")
    for n, document in enumerate(documents):
        page.wait_for_url(f"**/documents/{document.pk}/")
        page.wait_for_selector("body[data-ready='true']")
        page.keyboard.press("t")
        page.keyboard.press("Control+Shift+ArrowRight")  # the first word
        page.keyboard.press(str(n % 3 + 1))
        page.wait_for_function("() => document.getElementById('status').textContent.startsWith('Saved')")
        page.keyboard.press("Escape")
        page.keyboard.press("Shift+D")
        page.wait_for_selector("#done-button[aria-pressed='true']")
        if n < len(documents) - 1:
            page.keyboard.press("Shift+N")
    mine = Span.objects.filter(annotator=reviewer).order_by("document_id")
    assert [s.document_id for s in mine] == [d.pk for d in documents]
    for span, document in zip(mine, documents):
        assert span.start == 0 and span.quote == document.text[: span.end] and " " not in span.quote
    assert Assignment.objects.filter(user=reviewer, status=AssignmentStatus.DONE).count() == len(documents)
    assert page.js_errors == []
    # The project page now shows the reviewer as done on every document.
    page.goto(f"/projects/{project.pk}/?status=done")
    assert page.locator(".document-table tbody tr").count() == len(documents)
