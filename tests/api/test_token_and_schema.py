"""The token page under accounts, and the OpenAPI schema with Swagger UI and ReDoc served from our own server."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import formats, timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken, Role
from tests.factories import UserFactory, api_token_for


@pytest.mark.django_db
class TestTokenPage:
    def test_create_shows_the_key_once_and_it_authenticates(self, client):
        user = UserFactory(role=Role.SECRETARIAT)
        client.force_login(user)
        assert "You have no token" in client.get(reverse("api_token")).content.decode()
        created = client.post(reverse("api_token"), {"action": "create"})
        key = created.context["new_key"]
        assert key in created.content.decode()
        page = client.get(reverse("api_token")).content.decode()
        assert key not in page
        expiry = ApiToken.objects.get(user=user).expiry
        assert f"It expires on {formats.date_format(timezone.localtime(expiry), 'DATETIME_FORMAT')}." in page
        client.logout()
        assert client.get(reverse("project-list"), HTTP_AUTHORIZATION=f"Token {key}").status_code == 200

    def test_replace_and_revoke(self, client):
        user = UserFactory(role=Role.OFFICER)
        client.force_login(user)
        first = client.post(reverse("api_token"), {"action": "create"}).context["new_key"]
        second = client.post(reverse("api_token"), {"action": "create"}).context["new_key"]
        assert second != first and ApiToken.objects.filter(user=user).count() == 1
        api = APIClient()
        assert api.get(reverse("project-list"), HTTP_AUTHORIZATION=f"Token {first}").status_code == 401
        assert api.get(reverse("project-list"), HTTP_AUTHORIZATION=f"Token {second}").status_code == 200
        response = client.post(reverse("api_token"), {"action": "revoke"})
        assert response.status_code == 302
        assert not ApiToken.objects.filter(user=user).exists()
        assert api.get(reverse("project-list"), HTTP_AUTHORIZATION=f"Token {second}").status_code == 401

    def test_an_expired_token_says_so(self, client):
        user = UserFactory(role=Role.OFFICER)
        api_token_for(user)
        ApiToken.objects.filter(user=user).update(expiry=timezone.now() - dt.timedelta(days=1))
        client.force_login(user)
        assert "It expired on" in client.get(reverse("api_token")).content.decode()

    def test_signed_out_users_are_sent_to_sign_in(self, client):
        response = client.get(reverse("api_token"))
        assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.django_db
class TestSchema:
    def test_openapi_schema_lists_the_endpoints(self, client):
        response = client.get(reverse("api-schema"), {"format": "json"})
        assert response.status_code == 200
        schema = response.json()
        assert schema["openapi"].startswith("3.")
        for path in ("/api/v1/projects/", "/api/v1/projects/{id}/status/", "/api/v1/expenditure/",
                     "/api/v1/delivery/", "/api/v1/alerts/{id}/explain/", "/api/v1/lessons/"):
            assert path in schema["paths"], path
        listing = schema["paths"]["/api/v1/projects/"]["get"]
        names = {parameter["name"] for parameter in listing["parameters"]}
        assert {"q", "status", "region", "ordering", "page", "page_size"} <= names
        assert "TokenAuth" in schema["components"]["securitySchemes"] or any(
            "token" in name.lower() for name in schema["components"]["securitySchemes"])

    def test_swagger_ui_and_redoc_come_from_our_server(self, client):
        client.force_login(UserFactory())
        for name in ("api-swagger", "api-redoc"):
            page = client.get(reverse(name)).content.decode()
            assert "drf_spectacular_sidecar" in page
            assert "cdn." not in page and "unpkg" not in page and "jsdelivr" not in page
