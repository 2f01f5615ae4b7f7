"""Production settings: `check --deploy` is clean, and HTTPS switches on secure cookies and HSTS."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

ROOT = Path(__file__).resolve().parents[2]


def _production_env(tmp_path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_", "SESSION_"))}
    env.update({
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "TCMS_HTTPS": "1",
        "TCMS_REQUIRE_SECRET_KEY": "1",
        "ALLOWED_HOSTS": "tcms.example.org",
        # check --deploy opens no connection: nothing needs to listen there.
        "DATABASE_URL": "postgres://tcms:secret@127.0.0.1:1/tcms",
        "CELERY_BROKER_URL": "redis://127.0.0.1:1/0",
        "TCMS_VAR_DIR": str(tmp_path),
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "tcms.settings",
        **extra,
    })
    return env


def _run(args, env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    done = _run(["manage.py", "check", "--deploy"], _production_env(tmp_path))
    output = done.stdout + done.stderr
    issues = [line for line in output.splitlines() if line.startswith("?:") or ": (" in line]
    # drf_spectacular.W001 are schema-naming notes about the API's filter sets, not security; any other
    # warning (security.W0xx, axes, csp) is a deployment problem.
    problems = [line for line in issues if "drf_spectacular.W001" not in line]
    assert done.returncode == 0, output
    assert not problems, "\n".join(problems)


def test_debug_on_is_reported_by_check_deploy(tmp_path):
    """The check above can fail: a production setting gone wrong is caught."""
    done = _run(["manage.py", "check", "--deploy"], _production_env(tmp_path, DEBUG="1"))
    assert "security.W018" in done.stdout + done.stderr


PROBE = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({name: getattr(s, name) for name in (
    "DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_HTTPONLY",
    "SESSION_EXPIRE_AT_BROWSER_CLOSE", "SESSION_COOKIE_AGE", "X_FRAME_OPTIONS")}))
"""


def test_https_switches_on_secure_cookies_and_hsts(tmp_path):
    production = json.loads(_run(["-c", PROBE], _production_env(tmp_path)).stdout.strip().splitlines()[-1])
    assert production["DEBUG"] is False
    assert production["SESSION_COOKIE_SECURE"] and production["CSRF_COOKIE_SECURE"]
    assert production["SECURE_SSL_REDIRECT"]
    assert production["SECURE_HSTS_SECONDS"] >= 31536000 and production["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert production["SESSION_COOKIE_HTTPONLY"] and production["CSRF_COOKIE_HTTPONLY"]
    assert production["SESSION_EXPIRE_AT_BROWSER_CLOSE"] and production["SESSION_COOKIE_AGE"] <= 8 * 3600
    assert production["X_FRAME_OPTIONS"] == "DENY"
    local = json.loads(_run(["-c", PROBE], _production_env(tmp_path, TCMS_HTTPS="0")).stdout.strip().splitlines()[-1])
    assert not local["SESSION_COOKIE_SECURE"] and local["SECURE_HSTS_SECONDS"] == 0 and not local["SECURE_SSL_REDIRECT"]


@pytest.mark.django_db
def test_hsts_header_and_secure_session_cookie_over_https(client, settings, django_user_model):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SESSION_COOKIE_SECURE = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    user = django_user_model.objects.create_user("hsts", password="Correct-horse-battery-9")
    response = client.post("/accounts/login/", {"username": "hsts", "password": "Correct-horse-battery-9"},
                           HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 302
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    cookie = response.cookies["sessionid"]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["max-age"] == ""  # expires when the browser closes
    assert user.pk


@pytest.mark.parametrize("password", ["password123", "12345678901", "short1!", "tcmsuser-2026"])
@pytest.mark.django_db
def test_weak_passwords_are_refused(password, django_user_model):
    user = django_user_model(username="tcmsuser", email="tcmsuser@example.org")
    with pytest.raises(ValidationError):
        validate_password(password, user)


@pytest.mark.django_db
def test_strong_password_is_accepted(django_user_model):
    validate_password("Lamp-orchard-Quartz-71", django_user_model(username="someone"))


def test_security_headers_on_every_response(client):
    response = client.get("/accounts/login/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
