"""Accounts: invites into a project, sign-up (off unless SIGNUP_OPEN), password change and
reset through Django's own views, and signing out everywhere."""
