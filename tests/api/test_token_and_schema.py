"""The token page under accounts, and the OpenAPI schema with Swagger UI and ReDoc served from our own server."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from accounts.models import Role
from tests.factories import UserFactory


@pytest.mark.django_db
class TestTokenPage:
    def test_create_shows_the_key_once_and_it_authenticates(self, client):
        user = UserFactory(role=Role.SECRETARIAT)
        client.force_login(user)
        assert "You have no token" in client.get(reverse("api_token")).content.decode()
        created = client.post(reverse("api_token"), {"action": "create"})
        key = Token.objects.get(user=user).key
        assert key in created.content.decode()
        assert key not in client.get(reverse("api_token")).content.decode()
        client.logout()
        assert client.get(reverse("project-list"), HTTP_AUTHORIZATION=f"Token {key}").status_code == 200

    def test_replace_and_revoke(self, client):
        user = UserFactory(role=Role.OFFICER)
        client.force_login(user)
        client.post(reverse("api_token"), {"action": "create"})
        first = Token.objects.get(user=user).key
        client.post(reverse("api_token"), {"action": "create"})
        assert Token.objects.get(user=user).key != first
        response = client.post(reverse("api_token"), {"action": "revoke"})
        assert response.status_code == 302
        assert not Token.objects.filter(user=user).exists()

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
