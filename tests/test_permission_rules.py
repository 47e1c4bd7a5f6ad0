"""annotate.permissions is the one decision point: services and selectors check the caller's
Access themselves (so a new view cannot forget), and views never decide by hand."""
import pathlib
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from annotate import permissions, services
from annotate.datasets.selectors import ExportFilters, export_stream
from annotate.permissions import access_for
from annotate.workflow import releases, selectors as workflow_selectors, services as workflow_services

ROOT = pathlib.Path(__file__).resolve().parents[1] / "annotate"


def _access(team, name):
    return access_for(getattr(team, name), team.project.pk)


@pytest.mark.parametrize(
    "call",
    [
        lambda t, a: services.project_update(project=t.project, access=a, name="New name"),
        lambda t, a: services.project_delete(project=t.project, access=a),
        lambda t, a: services.member_add(project=t.project, access=a, username="mallory", role="annotator"),
        lambda t, a: services.member_remove(membership=t.project.memberships.get(user=t.dave), access=a),
        lambda t, a: services.documents_create(project=t.project, access=a, actor=t.carol, items=[]),
        lambda t, a: services.document_update(document=t.document, access=a, fields={"title": "x"}),
        lambda t, a: services.document_delete(document=t.document, access=a),
        lambda t, a: workflow_services.assignment_assign(
            project=t.project, access=a, actor=t.carol, document_ids=[t.document.pk], username="carol"
        ),
        lambda t, a: workflow_services.gold_accept_agreed(document=t.document, access=a, actor=t.carol),
        lambda t, a: releases.release_freeze(project=t.project, access=a, actor=t.carol, name="v1"),
        lambda t, a: workflow_selectors.project_agreement(project=t.project, access=a),
        lambda t, a: workflow_selectors.project_releases(project=t.project, access=a),
        lambda t, a: workflow_selectors.adjudication_documents(project=t.project, access=a),
        lambda t, a: workflow_selectors.adjudication_groups(document=t.document, access=a),
    ],
)
def test_services_and_selectors_refuse_an_annotator_themselves(team, call):
    with pytest.raises(PermissionDenied):
        call(team, _access(team, "carol"))


def test_export_checks_the_reader_before_the_first_byte(team):
    carol = _access(team, "carol")
    with pytest.raises(PermissionDenied):  # raised by the call, not while streaming
        export_stream(access=carol, project_id=team.project.pk, format="jsonl", filters=ExportFilters(layer="gold"))
    with pytest.raises(Http404):  # an Access for one project reads no other project
        export_stream(access=carol, project_id=team.other_project.pk, format="jsonl", filters=ExportFilters())


def test_an_access_for_one_project_changes_nothing_in_another(team):
    alice = _access(team, "alice")
    with pytest.raises(Http404):
        services.project_update(project=team.other_project, access=alice, name="Taken over")


def test_rules_under_blind_review_need_the_project(team):
    with pytest.raises(TypeError):
        permissions.may(_access(team, "bob"), permissions.SEE_RELEASES)
    assert permissions.may(_access(team, "bob"), permissions.SEE_RELEASES, project=team.project)
    assert not permissions.may(_access(team, "carol"), permissions.SEE_RELEASES, project=team.project)
    team.project.blind_review = False
    assert permissions.may(_access(team, "carol"), permissions.SEE_RELEASES, project=team.project)


def test_views_never_decide_by_hand():
    """Pages and API views fetch through permissions (`*_for_user(..., may=RULE)`) and call
    services; a role check or PermissionDenied of their own is a second decision point."""
    by_hand = re.compile(r"\.require\(|PermissionDenied|\bcheck\(|\.role (in|not|==|!=)|is_manager")
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        if "views" in path.name or path.parent.name == "views":
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if by_hand.search(line):
                    offenders.append(f"{path.relative_to(ROOT.parent)}:{number}: {line.strip()}")
    assert offenders == [], "decide in annotate/permissions.py, not in a view:\n" + "\n".join(offenders)
