"""Sign-in throttling (django-axes): five wrong passwords lock out that username from that address."""

import pytest
from django.urls import reverse

from accounts.models import Role, User
from tests.factories import api_token_for

pytestmark = pytest.mark.django_db

PASSWORD = "Right-password-2026"


@pytest.fixture
def officer(db):
    return User.objects.create_user("throttled", password=PASSWORD, role=Role.OFFICER)


def _login(client, password, username="throttled", address="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_five_failures_lock_out_even_the_right_password(client, officer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, "wrong-password").status_code == 200
    locked = _login(client, "wrong-password")
    assert locked.status_code == 429
    refused = _login(client, PASSWORD)
    assert refused.status_code == 429
    text = refused.content.decode()
    assert "Sign-in temporarily blocked" in text and "15 minutes" in text
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_username_and_address(client, officer, settings):
    User.objects.create_user("bystander", password=PASSWORD, role=Role.OFFICER)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "wrong-password")
    assert _login(client, PASSWORD).status_code == 429
    # Another user from the same address, and the same user from another address, may still sign in.
    assert _login(client.__class__(), PASSWORD, username="bystander").status_code == 302
    assert _login(client.__class__(), PASSWORD, address="10.0.0.2").status_code == 302


def test_lockout_expires_after_cool_off(client, officer, settings, time_machine):
    time_machine.move_to("2026-11-27 09:00:00+00:00", tick=False)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "wrong-password")
    assert _login(client, PASSWORD).status_code == 429
    time_machine.move_to("2026-11-27 09:16:00+00:00", tick=False)
    assert _login(client, PASSWORD).status_code == 302


def test_success_resets_failure_count(client, officer, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "wrong-password")
    assert _login(client, PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "wrong-password")
    assert _login(client, PASSWORD).status_code == 302


def test_api_token_still_works_for_a_locked_out_user(client, officer, settings):
    """Token requests do not go through authenticate(), so a brute-forced password form does not block the API."""
    key = api_token_for(officer)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "wrong-password")
    api = client.__class__()
    response = api.get("/api/v1/", HTTP_AUTHORIZATION=f"Token {key}", REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 200
    assert api.get("/api/v1/", HTTP_AUTHORIZATION="Token not-a-token").status_code in (401, 403)


def test_object_permissions_still_resolve_through_rules(officer):
    """Axes' backend comes first but grants nothing: the rules backend still answers permission questions."""
    from django.conf import settings

    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert officer.has_perm("projects.view_project")
