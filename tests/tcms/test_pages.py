from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(db):
    return User.objects.create_user("olivia", password="a-long-password-1", role=Role.OFFICER)


def test_healthz_reports_database_broker_and_worker(client, settings):
    WorkerHeartbeat.objects.create(hostname="worker@test", seen_at=timezone.now())
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert body["database"]["ok"] and body["broker"]["ok"] and body["worker"]["ok"]
    assert body["worker"]["hostname"] == "worker@test"


def test_healthz_degraded_when_worker_silent(client, settings):
    stale = timezone.now() - timedelta(seconds=settings.TCMS_WORKER_HEARTBEAT_SECONDS * 5)
    WorkerHeartbeat.objects.create(hostname="worker@old", seen_at=stale)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"]["ok"] is False


def test_healthz_degraded_when_no_worker_ever(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"] == {"ok": False, "error": "no worker has reported yet"}


def test_heartbeat_task_records_worker(settings):
    from core.tasks import heartbeat

    heartbeat.delay()
    assert WorkerHeartbeat.objects.count() == 1


def test_home_requires_login(client):
    response = client.get("/")
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_login_page_and_sign_in(client, officer):
    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert b"TCMS" in page.content and b'name="language"' in page.content
    response = client.post(reverse("login"), {"username": "olivia", "password": "a-long-password-1"}, follow=True)
    assert response.status_code == 200
    assert response.wsgi_request.user == officer
    assert b"Programme officer" in response.content


def test_wrong_password_shows_error(client, officer):
    response = client.post(reverse("login"), {"username": "olivia", "password": "nope"})
    assert response.status_code == 200
    assert b"alert-danger" in response.content


def test_logout_by_post(client, officer):
    client.force_login(officer)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_password_change(client, officer):
    client.force_login(officer)
    assert client.get(reverse("password_change")).status_code == 200
    response = client.post(reverse("password_change"), {
        "old_password": "a-long-password-1",
        "new_password1": "Another-long-pass-42",
        "new_password2": "Another-long-pass-42",
    })
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.check_password("Another-long-pass-42")


def test_password_change_rejects_short_password(client, officer):
    client.force_login(officer)
    response = client.post(reverse("password_change"), {
        "old_password": "a-long-password-1", "new_password1": "short", "new_password2": "short"
    })
    assert response.status_code == 200 and b"is-invalid" in response.content


def test_language_switch_is_remembered_per_user(client, officer):
    client.force_login(officer)
    response = client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.language == "fr"
    # A new browser (no language cookie) still gets French for this user.
    other = client.__class__()
    other.force_login(officer)
    page = other.get("/")
    assert page.headers["Content-Language"] == "fr"
    assert '<html lang="fr">' in page.content.decode()


def test_language_switch_refuses_foreign_redirect(client, officer):
    client.force_login(officer)
    response = client.post(reverse("set_language"), {"language": "es", "next": "https://evil.example.com/"})
    assert response.status_code == 302 and response.url == "/"


def test_static_assets_are_local(client, officer):
    client.force_login(officer)
    html = client.get("/").content.decode()
    assert "/static/vendor/htmx.min.js" in html and "/static/vendor/bootstrap.min.css" in html
    assert "cdn" not in html.lower()


def test_admin_reachable_for_administrator(client):
    admin = User.objects.create_user("ada", password="x-long-password-2", role=Role.ADMIN, is_staff=True,
                                     is_superuser=True)
    client.force_login(admin)
    assert client.get("/admin/").status_code == 200


def test_readyz_checks_database_broker_and_migrations(client):
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["migrations"] == {"ok": True, "pending": 0}
    assert body["database"]["ok"] and body["broker"]["ok"]


def test_request_id_echoed_and_logged(client, caplog):
    import json
    import logging

    from core.logging import JsonFormatter

    with caplog.at_level(logging.INFO, logger="tcms.request"):
        response = client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")
    assert response.headers["X-Request-ID"] == "abc-123"
    record = next(r for r in caplog.records if r.name == "tcms.request")
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "abc-123" and line["path"] == "/healthz" and line["status"] in (200, 503)


def test_malformed_request_id_replaced(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="<script>")
    assert response.headers["X-Request-ID"] != "<script>" and len(response.headers["X-Request-ID"]) == 32
