"""The admin covers every model; the demo loads through the services, once."""
import pytest
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command

from annotate.models import Document, Project, Span, SpanLink

pytestmark = pytest.mark.django_db


def test_every_model_has_an_admin_page_that_loads(admin_client):
    call_command("load_demo")
    models = [model for name in ("annotate", "workflow", "accounts") for model in apps.get_app_config(name).get_models()]
    assert len(models) >= 10
    for model in models:
        assert admin.site.is_registered(model), model
        opts = model._meta
        response = admin_client.get(f"/admin/{opts.app_label}/{opts.model_name}/")
        assert response.status_code == 200, model
        first = model.objects.first()
        if first is not None:
            assert admin_client.get(f"/admin/{opts.app_label}/{opts.model_name}/{first.pk}/change/").status_code == 200


def test_demo_loads_once_with_every_label_and_exact_quotes(capsys):
    call_command("load_demo")
    first = capsys.readouterr().out
    assert "password" in first
    call_command("load_demo")
    assert "password" not in capsys.readouterr().out
    assert Project.objects.count() == 1
    assert Document.objects.count() == 4
    assert set(Span.objects.values_list("label", flat=True)) == {"assertion", "attribution", "disputed"}
    assert SpanLink.objects.count() >= 3
    assert any("📰" in d.text for d in Document.objects.all())
    for span in Span.objects.select_related("document"):
        assert span.document.text[span.start:span.end] == span.quote
    assert not any("\r" in d.text for d in Document.objects.all())


def test_demo_has_a_team_whose_agreement_can_be_computed():
    from annotate.models import Assignment
    from annotate.workflow.selectors import project_agreement

    call_command("load_demo")
    project = Project.objects.get()
    assert set(project.memberships.values_list("user__username", flat=True)) == {"demo", "ana", "ben"}
    assert Assignment.objects.filter(status="done").count() == 4
    from annotate.permissions import access_for

    manager = project.memberships.get(role="manager").user
    report = project_agreement(project=project, access=access_for(manager, project.pk))
    pairs = {(p["a"], p["b"]) for p in report["pairs"]}
    assert ("ana", "ben") in pairs
    assert 0 < report["overall"]["span_f1_exact"] < 1  # the two layers differ, but not entirely


def test_the_demo_login_can_be_recovered(capsys):
    from django.contrib.auth import authenticate
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("load_demo", "--reset-password")
    call_command("load_demo")
    capsys.readouterr()
    call_command("load_demo", "--reset-password")
    password = capsys.readouterr().out.strip().rsplit("'", 2)[-2]
    assert authenticate(username="demo", password=password) is not None
    assert Project.objects.count() == 1
