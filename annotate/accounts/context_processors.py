"""Template context: whether the sign-in page offers self sign-up."""
from django.conf import settings


def signup(request) -> dict:
    return {"signup_open": settings.SIGNUP_OPEN}
