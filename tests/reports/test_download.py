"""A finished report's file is private: built into PRIVATE_ROOT, downloaded only through /reports/<id>/download/,
which asks the permission to see the report requests."""

from pathlib import Path

import pytest
import rules
from django.core.files.base import ContentFile
from django.urls import reverse

from accounts.models import Role
from reports.models import ReportRequest, ReportStatus
from reports.services import report_request_run
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def report():
    report = ReportRequest(kind="annual", year=2000, format="csv", language="en", status=ReportStatus.DONE)
    report.file.save("gb-annual-2000-en.zip", ContentFile(b"PK zip"), save=True)
    return report


def _url(report) -> str:
    return reverse("reports:download", args=[report.pk])


def test_the_worker_builds_the_file_into_the_private_storage(settings):
    request = ReportRequest.objects.create(kind="annual", year=2000, format="csv", language="en")
    request = report_request_run(request_id=request.pk)
    assert request.status == ReportStatus.DONE
    assert Path(request.file.path).is_relative_to(Path(settings.PRIVATE_ROOT))
    assert not Path(settings.MEDIA_ROOT).exists() or not any(Path(settings.MEDIA_ROOT).rglob("*.zip"))
    assert request.file.url == _url(request)


def test_anonymous_is_sent_to_sign_in(client, report):
    response = client.get(_url(report))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.fixture
def register_refused():
    original = rules.permissions.permissions["projects.view_project"]
    rules.set_perm("projects.view_project", rules.always_deny)
    yield
    rules.set_perm("projects.view_project", original)


def test_a_user_the_rule_refuses_gets_403(client, report, register_refused):
    client.force_login(UserFactory(role=Role.SECRETARIAT))
    assert client.get(_url(report)).status_code == 403


# Staff: a constituent reads neither (tests/web/test_access_matrix.py, 403 outside their workspace).
@pytest.mark.parametrize("role", [role for role in Role.values if role != Role.CONSTITUENT])
def test_every_reader_gets_the_bytes(client, report, role, settings):
    settings.TCMS_SENDFILE = "off"
    client.force_login(UserFactory(role=role))
    response = client.get(_url(report))
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"PK zip"
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="gb-annual-2000-en.zip"'


def test_web_server_modes_send_a_header_and_no_body(client, report, settings):
    client.force_login(UserFactory())
    settings.TCMS_SENDFILE, settings.TCMS_SENDFILE_PREFIX = "x-accel-redirect", "/private-files"
    response = client.get(_url(report))
    assert response.content == b"" and response["X-Accel-Redirect"] == f"/private-files/{report.file.name}"
    settings.TCMS_SENDFILE, settings.TCMS_SENDFILE_PREFIX = "x-sendfile", "/srv/private/"
    response = client.get(_url(report))
    assert response.content == b"" and response["X-Sendfile"] == f"/srv/private/{report.file.name}"
    assert response["Content-Type"] == "application/zip"


def test_the_file_is_not_reachable_under_media(client, report):
    client.force_login(UserFactory(role=Role.ADMIN))
    assert client.get(f"/media/{report.file.name}").status_code == 404


def test_the_admin_links_to_the_download_view(client, report):
    client.force_login(UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:reports_reportrequest_change", args=[report.pk])).content.decode()
    assert f'href="{_url(report)}"' in page
