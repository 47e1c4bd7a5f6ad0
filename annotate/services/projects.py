"""Projects and their members."""
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from annotate.errors import Conflict, InvalidInput, NotFound
from annotate.models import Membership, Project, Role
from annotate.permissions import (
    ADD_MEMBER,
    ARCHIVE_PROJECT,
    CHANGE_ROLE,
    DELETE_PROJECT,
    EDIT_PROJECT,
    REMOVE_MEMBER,
    Access,
    check,
)
from annotate.validation import check_plain_text_fields

User = get_user_model()

PROJECT_FIELDS = ("name", "description", "guidelines", "reviewers_per_document", "blind_review")


def project_touch(*, project_id: int) -> None:
    """Record that the project's content changed (document deleted, settings changed).
    Span writes are recorded in the span history instead, so they never lock the project row."""
    Project.objects.filter(pk=project_id).update(content_changed_at=timezone.now())


def _check_project_fields(fields: dict) -> None:
    if "name" in fields and not str(fields["name"]).strip():
        raise InvalidInput({"name": ["A project needs a name."]})
    check_plain_text_fields(fields, ("name",), multiline=("description",))
    rpd = fields.get("reviewers_per_document")
    if rpd is not None and (not isinstance(rpd, int) or not 1 <= rpd <= 5):
        raise InvalidInput({"reviewers_per_document": ["Must be between 1 and 5."]})


@transaction.atomic
def project_create(*, creator, name: str, **fields) -> Project:
    """The creator becomes the project's manager."""
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise InvalidInput({field: ["Unknown field."] for field in unknown})
    _check_project_fields({"name": name, **fields})
    project = Project.objects.create(name=name.strip(), created_by=creator, **fields)
    Membership.objects.create(project=project, user=creator, role=Role.MANAGER)
    return project


@transaction.atomic
def project_update(*, project: Project, access: Access, **fields) -> Project:
    check(access, EDIT_PROJECT, project=project)
    _check_project_fields(fields)
    for field, value in fields.items():
        if field not in PROJECT_FIELDS:
            raise InvalidInput({field: ["Unknown or read-only field."]})
        setattr(project, field, value)
    project.content_changed_at = timezone.now()
    project.save(update_fields=[*fields, "content_changed_at"])
    return project


def project_delete(*, project: Project, access: Access, confirm_name: str | None = None) -> None:
    """confirm_name: the pages ask the manager to type the project's name first."""
    check(access, DELETE_PROJECT, project=project)
    if confirm_name is not None and confirm_name.strip() != project.name:
        raise InvalidInput({"confirm_name": [f"Type the project's name, {project.name}, to delete it."]})
    project.delete()


def project_archive(*, project: Project, access: Access, archived: bool) -> Project:
    """Archived projects are listed apart and the queue hands out no new documents from
    them; every document, span and release stays, and unarchiving brings the project back."""
    check(access, ARCHIVE_PROJECT, project=project)
    project.archived_at = timezone.now() if archived else None
    project.save(update_fields=["archived_at"])
    return project


def _user_by_username(username: str):
    user = User.objects.filter(username=username).first()
    if user is None:
        raise InvalidInput({"username": [f"There is no user named {username!r}."]})
    return user


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise InvalidInput({"role": [f"Use one of: {', '.join(Role.values)}."]})


@transaction.atomic
def member_add(*, project: Project, access: Access, username: str, role: str) -> Membership:
    check(access, ADD_MEMBER, project=project)
    _check_role(role)
    user = _user_by_username(username)
    if Membership.objects.filter(project=project, user=user).exists():
        raise Conflict({"username": [f"{username} is already a member of this project."]})
    return Membership.objects.create(project=project, user=user, role=role)


def _check_keeps_a_manager(membership: Membership) -> None:
    others = Membership.objects.filter(project_id=membership.project_id, role=Role.MANAGER).exclude(pk=membership.pk)
    if membership.role == Role.MANAGER and not others.exists():
        raise Conflict({"role": ["A project keeps at least one manager."]})


def _locked(membership: Membership) -> Membership:
    """The membership, re-read under lock. The project row is locked first, so two managers
    removing or demoting each other at once run one after the other and the second sees that
    it would leave no manager (409), instead of both passing the check."""
    Project.objects.select_for_update(no_key=True).filter(pk=membership.project_id).first()
    locked = Membership.objects.select_for_update().filter(pk=membership.pk).first()
    if locked is None:
        raise NotFound({"detail": "No such member. They were removed by another request a moment ago."})
    return locked


@transaction.atomic
def member_update(*, membership: Membership, access: Access, role: str) -> Membership:
    check(access, CHANGE_ROLE, project=Project(pk=membership.project_id))
    _check_role(role)
    membership = _locked(membership)
    if role != Role.MANAGER:
        _check_keeps_a_manager(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def member_remove(*, membership: Membership, access: Access) -> None:
    check(access, REMOVE_MEMBER, project=Project(pk=membership.project_id))
    membership = _locked(membership)
    _check_keeps_a_manager(membership)
    membership.delete()
