"""An evaluation's report is downloaded through /evaluation/<id>/report/, which asks the permission to read that
evaluation; every link to the report (page, edit form, admin, API) points there."""

from pathlib import Path

import pytest
import rules
from django.core.files.base import ContentFile
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Role
from tests.evaluation.factories import EvaluationFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 the evaluation report"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def evaluation():
    evaluation = EvaluationFactory(title="Final evaluation")
    evaluation.report.save("Final report.pdf", ContentFile(PDF), save=True)
    return evaluation


def _url(evaluation) -> str:
    return reverse("evaluation:report", args=[evaluation.pk])


def test_the_file_is_private_and_its_url_is_the_download_view(evaluation, settings):
    assert Path(evaluation.report.path).is_relative_to(Path(settings.PRIVATE_ROOT))
    assert not (Path(settings.MEDIA_ROOT) / evaluation.report.name).exists()
    assert evaluation.report.url == _url(evaluation)


def test_anonymous_is_sent_to_sign_in(client, evaluation):
    response = client.get(_url(evaluation))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.fixture
def reading_refused():
    """The rule that says who may read an evaluation refuses everyone (no role lacks it today)."""
    original = rules.permissions.permissions["evaluation.view_evaluation"]
    rules.set_perm("evaluation.view_evaluation", rules.always_deny)
    yield
    rules.set_perm("evaluation.view_evaluation", original)


def test_a_user_the_rule_refuses_gets_403(client, evaluation, reading_refused):
    client.force_login(UserFactory(role=Role.OFFICER))
    assert client.get(_url(evaluation)).status_code == 403
    assert client.get(reverse("evaluation:detail", args=[evaluation.pk])).status_code == 403


# Staff: a constituent reads neither (tests/web/test_access_matrix.py, 403 outside their workspace).
@pytest.mark.parametrize("role", [role for role in Role.values if role != Role.CONSTITUENT])
def test_every_reader_gets_the_bytes_as_an_attachment(client, evaluation, role, settings):
    settings.TCMS_SENDFILE = "off"
    client.force_login(UserFactory(role=role))
    response = client.get(_url(evaluation))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="final-report.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_docx_report_gets_its_content_type(client):
    evaluation = EvaluationFactory()
    evaluation.report.save("report.docx", ContentFile(b"PK\x03\x04"), save=True)
    client.force_login(UserFactory())
    assert client.get(_url(evaluation))["Content-Type"] == DOCX_TYPE


def test_web_server_modes_send_a_header_and_no_body(client, evaluation, settings):
    client.force_login(UserFactory())
    settings.TCMS_SENDFILE, settings.TCMS_SENDFILE_PREFIX = "x-accel-redirect", "/private-files/"
    response = client.get(_url(evaluation))
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == f"/private-files/{evaluation.report.name}"
    settings.TCMS_SENDFILE, settings.TCMS_SENDFILE_PREFIX = "x-sendfile", "/srv/private/"
    response = client.get(_url(evaluation))
    assert response.status_code == 200 and response.content == b""
    assert response["X-Sendfile"] == f"/srv/private/{evaluation.report.name}"
    assert response["Content-Type"] == "application/pdf"


def test_no_report_or_no_evaluation_is_not_found(client, evaluation):
    client.force_login(UserFactory())
    assert client.get(_url(EvaluationFactory())).status_code == 404
    assert client.get(reverse("evaluation:report", args=[evaluation.pk + 1000])).status_code == 404


def test_the_report_is_not_reachable_under_media(client, evaluation):
    client.force_login(UserFactory(role=Role.ADMIN))
    assert client.get(f"/media/{evaluation.report.name}").status_code == 404


def test_page_form_admin_and_api_link_to_the_download_view(client, evaluation):
    admin = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin)
    link = f'href="{_url(evaluation)}"'
    assert link in client.get(reverse("evaluation:detail", args=[evaluation.pk])).content.decode()
    assert link in client.get(reverse("evaluation:edit", args=[evaluation.pk])).content.decode()
    assert link in client.get(reverse("admin:evaluation_evaluation_change", args=[evaluation.pk])).content.decode()
    api = APIClient()
    api.force_authenticate(admin)
    data = api.get(reverse("evaluation-detail", args=[evaluation.pk])).data
    assert data["report"] == f"http://testserver{_url(evaluation)}"
