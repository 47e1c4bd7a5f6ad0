"""Password guessing: django-axes locks an account and a client address out after
LOGIN_FAILURE_LIMIT failures (token endpoint and login page count together), answers 429 with
Retry-After, is not fooled by a forged X-Forwarded-For, and lets go after the cool-off."""
import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import UserFactory

TOKEN_URL = "/api/v1/auth/token/"
LIMIT = 3


@pytest.fixture(autouse=True)
def _small_limit(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=10)


@pytest.fixture
def alice(db):
    return UserFactory(username="alice")


def token(client, username, password, **headers):
    return client.post(TOKEN_URL, {"username": username, "password": password}, format="json", **headers)


def test_token_endpoint_refuses_the_right_password_after_too_many_wrong_ones(alice):
    client = APIClient()
    for _ in range(LIMIT - 1):
        assert token(client, "alice", "wrong").status_code == 400
    response = token(client, "alice", "wrong")
    assert response.status_code == 429
    response = token(client, "alice", "pass-word-123")
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.json()["detail"]
    assert int(response["Retry-After"]) == 600


def test_fewer_failures_than_the_limit_still_let_the_right_password_in(alice):
    client = APIClient()
    for _ in range(LIMIT - 1):
        token(client, "alice", "wrong")
    assert token(client, "alice", "pass-word-123").status_code == 200


def test_the_account_is_locked_whatever_address_the_guesses_come_from(alice):
    for number in range(LIMIT):
        token(APIClient(REMOTE_ADDR=f"198.51.100.{number}"), "alice", "wrong")
    response = token(APIClient(REMOTE_ADDR="203.0.113.9"), "alice", "pass-word-123")
    assert response.status_code == 429


def test_a_forged_forwarded_for_does_not_make_a_new_client(alice):
    client = APIClient(REMOTE_ADDR="192.0.2.7")
    for number in range(LIMIT):  # different accounts, so only the per-client count can lock
        token(client, f"guess{number}", "wrong", HTTP_X_FORWARDED_FOR=f"10.0.0.{number}")
    response = token(client, "alice", "pass-word-123", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.7"}


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(settings, alice):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = APIClient(REMOTE_ADDR="192.0.2.1")
    for number in range(LIMIT):
        token(proxy, f"guess{number}", "wrong", HTTP_X_FORWARDED_FOR=f"10.0.0.{number}")
    assert token(proxy, "alice", "pass-word-123", HTTP_X_FORWARDED_FOR="10.9.9.9").status_code == 200
    assert token(proxy, "alice", "pass-word-123", HTTP_X_FORWARDED_FOR="10.0.0.0").status_code == 200


def test_the_lockout_ends_after_the_cool_off(alice):
    client = APIClient()
    for _ in range(LIMIT):
        token(client, "alice", "wrong")
    assert token(client, "alice", "pass-word-123").status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=11))
    assert token(client, "alice", "pass-word-123").status_code == 200


def test_login_page_shows_the_lockout_in_the_app_layout(alice):
    browser = Client()
    for _ in range(LIMIT):
        browser.post("/login/", {"username": "alice", "password": "wrong"})
    response = browser.post("/login/", {"username": "alice", "password": "pass-word-123"})
    assert response.status_code == 429
    assert response["Retry-After"] == "600"
    page = response.content.decode()
    assert "Too many failed sign-ins" in page and "try again in 10 minute" in page
    assert 'class="site-header"' in page  # the app's base layout
    assert "_auth_user_id" not in browser.session


def test_login_page_and_token_endpoint_share_one_count(alice):
    browser = Client()
    for _ in range(LIMIT - 1):
        browser.post("/login/", {"username": "alice", "password": "wrong"})
    token(APIClient(), "alice", "wrong")
    assert browser.post("/login/", {"username": "alice", "password": "pass-word-123"}).status_code == 429
