"""Settings come from the environment; the embedded default needs none."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings

PROBE = (
    "import json, django; from django.conf import settings; django.setup();"
    "print(json.dumps({'db': settings.DATABASES['default']['ENGINE'],"
    "'db_name': str(settings.DATABASES['default']['NAME']),"
    "'init': settings.DATABASES['default'].get('OPTIONS', {}).get('init_command', ''),"
    "'broker': settings.CELERY_BROKER_URL, 'email': settings.EMAIL_BACKEND, 'debug': settings.DEBUG,"
    "'hosts': settings.ALLOWED_HOSTS, 'key': settings.SECRET_KEY, 'tz': settings.TIME_ZONE, 'use_tz': settings.USE_TZ,"
    "'languages': [c for c, _ in settings.LANGUAGES], 'hsts': settings.SECURE_HSTS_SECONDS,"
    "'secure_cookie': settings.SESSION_COOKIE_SECURE, 'mail_dir': str(settings.EMAIL_FILE_PATH)}))"
)
VARIABLES = ["DATABASE_URL", "CELERY_BROKER_URL", "EMAIL_BACKEND", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS",
             "TCMS_HTTPS", "TCMS_REQUIRE_SECRET_KEY", "EMAIL_FILE_PATH"]


def _settings_with(env: dict, tmp_path) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    base.update({"DJANGO_SETTINGS_MODULE": "tcms.settings", "TCMS_VAR_DIR": str(tmp_path / "var")})
    base.update(env)
    return subprocess.run([sys.executable, "-c", PROBE], cwd=settings.BASE_DIR, env=base,
                          capture_output=True, text=True, timeout=60)


def test_embedded_default_needs_no_variables(tmp_path):
    result = _settings_with({}, tmp_path)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["db"] == "django.db.backends.sqlite3"
    assert values["db_name"] == str(tmp_path / "var" / "tcms.sqlite3")
    assert "journal_mode=WAL" in values["init"]
    assert values["broker"] == "filesystem://localhost//"
    assert values["email"] == "django.core.mail.backends.filebased.EmailBackend"
    assert values["mail_dir"] == str(tmp_path / "var" / "mail")
    assert values["tz"] == "UTC" and values["use_tz"] is True
    assert values["languages"] == ["en", "fr", "es"]
    assert values["debug"] is False


def test_secret_key_generated_once_per_install(tmp_path):
    first = json.loads(_settings_with({}, tmp_path).stdout)["key"]
    second = json.loads(_settings_with({}, tmp_path).stdout)["key"]
    assert len(first) >= 50 and first == second
    assert (tmp_path / "var" / "secret_key").stat().st_mode & 0o077 == 0


def test_production_variables_are_used(tmp_path):
    result = _settings_with({
        "DATABASE_URL": "postgres://u:p@db.internal:5432/tcms", "CELERY_BROKER_URL": "redis://redis:6379/0",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "tcms.example.org,www.tcms.example.org", "TCMS_HTTPS": "1",
        "TCMS_REQUIRE_SECRET_KEY": "1",
    }, tmp_path)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["db"] == "django.db.backends.postgresql" and values["db_name"] == "tcms"
    assert values["broker"] == "redis://redis:6379/0"
    assert values["email"].endswith("smtp.EmailBackend")
    assert values["hosts"] == ["tcms.example.org", "www.tcms.example.org"]
    assert values["key"] == "x" * 60
    assert values["hsts"] == 31536000 and values["secure_cookie"] is True


def test_production_refuses_to_start_without_secret_key(tmp_path):
    result = _settings_with({"TCMS_REQUIRE_SECRET_KEY": "1"}, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


ROOT = Path(settings.BASE_DIR)


def test_every_setting_variable_is_documented():
    """Each os.environ variable read in settings appears in .env.example and the README."""
    import re

    source = (ROOT / "tcms" / "settings.py").read_text()
    names = set(re.findall(r'env_(?:bool|list)\("([A-Z_]+)"', source))
    names |= set(re.findall(r'os\.environ\.get\("([A-Z_]+)"', source))
    example = (ROOT / ".env.example").read_text()
    readme = (ROOT / "README.md").read_text()
    missing_example = sorted(n for n in names if f"{n}=" not in example)
    missing_readme = sorted(n for n in names if f"`{n}`" not in readme)
    assert not missing_example, f"not in .env.example: {missing_example}"
    assert not missing_readme, f"not in README: {missing_readme}"


def test_compose_file_describes_production():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"postgres", "redis", "web", "worker", "beat", "mailpit"} <= set(services)
    assert "gunicorn" in services["web"]["command"] and "migrate" in services["web"]["command"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "tcms", "beat"]
    assert services["beat"]["deploy"]["replicas"] == 1
    assert "worker" in services["worker"]["command"]
    app_env = services["web"]["environment"]
    assert app_env["DATABASE_URL"].startswith("postgres://") and app_env["CELERY_BROKER_URL"].startswith("redis://")
    for name in ("web", "worker", "beat"):
        assert services[name]["env_file"] == ".env"
        assert set(services[name]["depends_on"]) == {"postgres", "redis"}


@pytest.mark.parametrize("module", ["tcms.wsgi", "tcms.asgi"])
def test_server_entry_points_import(module):
    __import__(module)
