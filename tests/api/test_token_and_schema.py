"""The OpenAPI schema with Swagger UI and ReDoc served from our own server."""


import pytest
from django.urls import reverse

from tests.factories import UserFactory


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
