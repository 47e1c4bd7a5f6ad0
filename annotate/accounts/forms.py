"""Account forms: Django's own where they fit (SetPasswordForm, UserCreationForm, the password
change and reset forms), rendered in the design system."""
from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model

from annotate.form_helpers import AppForm
from annotate.form_helpers import Rendered as _Rendered

User = get_user_model()


class InviteAcceptForm(_Rendered, auth_forms.SetPasswordForm):
    """A new account from an invite: a username, then Django's two password fields, checked by
    AUTH_PASSWORD_VALIDATORS against that username and the invite's email."""

    field_order = ["username", "new_password1", "new_password2"]

    username = forms.CharField(
        max_length=150, validators=[User.username_validator],
        help_text="Letters, digits and @ . + - _ only. You sign in with it.",
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )

    def __init__(self, *args, email: str = "", **kwargs):
        data = args[0] if args else kwargs.get("data")
        username = (data or {}).get("username", "") if data else ""
        super().__init__(User(username=username, email=email), *args, **kwargs)
        self.order_fields(self.field_order)


class SignUpForm(_Rendered, auth_forms.UserCreationForm):
    email = forms.EmailField(required=False, help_text="For password resets. Optional.")

    class Meta(auth_forms.UserCreationForm.Meta):
        model = User
        fields = ("username", "email")


class PasswordChangeForm(_Rendered, auth_forms.PasswordChangeForm):
    pass


class PasswordResetForm(_Rendered, auth_forms.PasswordResetForm):
    pass


class SetPasswordForm(_Rendered, auth_forms.SetPasswordForm):
    pass


class SignOutEverywhereForm(AppForm):
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}), label="Your password",
        help_text="To be sure it is you.",
    )
