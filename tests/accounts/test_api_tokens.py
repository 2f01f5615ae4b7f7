"""REST API tokens are hashed at rest (django-rest-knox): the key is shown once, only its digest is kept; a token
works until it expires (TCMS_API_TOKEN_DAYS, or what an administrator sets) or is revoked; plain-text tokens of the
earlier version are hashed by a migration and keep working."""

import datetime as dt
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken, Role
from accounts.services import api_token_create, api_token_revoke
from tests.factories import UserFactory, api_token_for

pytestmark = pytest.mark.django_db


def _status(key: str) -> int:
    return APIClient().get(reverse("project-list"), HTTP_AUTHORIZATION=f"Token {key}").status_code


def test_the_database_holds_no_usable_key():
    user = UserFactory()
    key = api_token_for(user)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM knox_authtoken")
        stored = [str(value) for row in cursor.fetchall() for value in row]
    assert stored and not any(key in value for value in stored)
    token = ApiToken.objects.get(user=user)
    assert token.digest != key and key.startswith(token.token_key) and len(token.token_key) < len(key) / 2
    assert _status(token.digest) == 401 and _status(token.token_key) == 401
    assert _status(key) == 200


def test_a_new_token_expires_after_the_configured_days(settings):
    settings.TCMS_API_TOKEN_DAYS = 30
    token, _key = api_token_create(user=UserFactory())
    assert abs(token.expiry - (timezone.now() + dt.timedelta(days=30))) < dt.timedelta(minutes=1)


def test_a_token_works_until_it_expires():
    user = UserFactory()
    key = api_token_for(user)
    assert _status(key) == 200
    ApiToken.objects.filter(user=user).update(expiry=timezone.now() - dt.timedelta(seconds=1))
    response = APIClient().get(reverse("project-list"), HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"


def test_a_token_works_until_it_is_revoked():
    user = UserFactory()
    key = api_token_for(user)
    assert api_token_revoke(user=user) is True
    assert _status(key) == 401
    assert api_token_revoke(user=user) is False


def test_creating_again_replaces_the_token():
    user = UserFactory()
    first, second = api_token_for(user), api_token_for(user)
    assert ApiToken.objects.filter(user=user).count() == 1
    assert _status(first) == 401 and _status(second) == 200


def test_a_deactivated_user_s_token_stops_working():
    user = UserFactory()
    key = api_token_for(user)
    user.is_active = False
    user.save()
    assert _status(key) == 401


@pytest.mark.parametrize("header", ["Token", "Token a b", "Token \xe9\xe9", "Token " + "0" * 300])
def test_malformed_keys_are_refused_not_failing(header):
    assert APIClient().get(reverse("project-list"), HTTP_AUTHORIZATION=header).status_code == 401


class TestAdmin:
    @pytest.fixture
    def admin_client(self, client):
        client.force_login(UserFactory(username="root", role=Role.ADMIN, is_staff=True, is_superuser=True))
        return client

    def test_the_list_shows_holders_and_expiry_never_keys(self, admin_client):
        key = api_token_for(UserFactory(username="holder"))
        page = admin_client.get(reverse("admin:accounts_apitoken_changelist")).content.decode()
        assert "holder" in page and key not in page
        assert admin_client.get(reverse("admin:accounts_apitoken_add")).status_code == 403

    def test_an_administrator_sets_the_expiry(self, admin_client):
        user = UserFactory(username="holder")
        key = api_token_for(user)
        token = ApiToken.objects.get()
        url = reverse("admin:accounts_apitoken_change", args=[token.pk])
        assert admin_client.get(url).status_code == 200
        response = admin_client.post(url, {"expiry_0": "2000-01-01", "expiry_1": "00:00:00"})
        assert response.status_code == 302, response.content.decode()[:2000]
        token.refresh_from_db()
        assert token.expiry == dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
        assert _status(key) == 401  # that date is past: the token stopped at once

    def test_an_administrator_lets_a_token_never_expire(self, admin_client):
        key = api_token_for(UserFactory())
        token = ApiToken.objects.get()
        admin_client.post(reverse("admin:accounts_apitoken_change", args=[token.pk]), {"expiry_0": "", "expiry_1": ""})
        token.refresh_from_db()
        assert token.expiry is None and _status(key) == 200


def test_the_migration_hashes_plain_tokens_and_drops_their_table(settings):
    """The earlier version kept DRF's tokens in clear in authtoken_token: each becomes a hashed token with the same
    key (so programs keep working), and the table of clear keys is gone."""
    user = UserFactory()
    plain_key = "3f2a" * 10
    created = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    timestamp = "timestamp with time zone" if connection.vendor == "postgresql" else "datetime"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE TABLE authtoken_token ("key" varchar(40) PRIMARY KEY, created {timestamp} NOT NULL, '
                       "user_id bigint NOT NULL)")
        cursor.execute('INSERT INTO authtoken_token ("key", created, user_id) VALUES (%s, %s, %s)',
                       [plain_key, created, user.pk])
    migration = importlib.import_module("accounts.migrations.0002_api_token")
    migration.hash_plain_tokens(apps, SimpleNamespace(connection=connection))

    assert "authtoken_token" not in connection.introspection.table_names()
    token = ApiToken.objects.get(user=user)
    assert token.digest != plain_key and token.created == created
    assert token.expiry > timezone.now() + dt.timedelta(days=settings.TCMS_API_TOKEN_DAYS - 1)
    assert _status(plain_key) == 200
    migration.hash_plain_tokens(apps, SimpleNamespace(connection=connection))  # no table: nothing to do
    assert ApiToken.objects.count() == 1
