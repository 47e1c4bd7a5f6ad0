"""An invite into a project: the link's secret is never stored, only its SHA-256."""
from django.conf import settings
from django.db import models
from django.db.models import Q

from annotate.models import Project, Role


class Invite(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="invites")
    # Whom it is for, as the manager typed it: an email address (the mail goes there) or a
    # username that does not exist yet (the manager hands the link over themselves).
    email = models.EmailField(blank=True)
    username = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=16, choices=Role.choices)
    secret_sha256 = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="invite_role_valid"),
            models.CheckConstraint(condition=~Q(email="", username=""), name="invite_names_someone"),
        ]

    def __str__(self):
        return f"Invite for {self.email or self.username} ({self.role}) to {self.project}"

    @property
    def invitee(self) -> str:
        return self.email or self.username
