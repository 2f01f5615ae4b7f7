"""Register pages: list (filters, sort, constant query count), detail, import (preview → confirm), template."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from projects import services
from projects.models import Project, ProjectImport
from tests.factories import ProjectFactory, UnitFactory, UserFactory
from tests.projects.factories import TripartiteFactory
from tests.projects.test_import import GOOD_ROWS, csv_bytes, with_changes

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(db):
    return UserFactory(username="olivia", role=Role.OFFICER, units=[UnitFactory(code="CO-DAKAR")])


LIST_PARAMS = {"sort": "-planned_end", "status": "ONGOING"}


def test_list_query_count_does_not_grow_with_rows(client, officer, django_assert_max_num_queries, ref):
    client.force_login(officer)
    for _n in range(3):
        ProjectFactory(countries=[ref.kenya])
    with CaptureQueriesContext(connection) as with_three:
        assert client.get(reverse("projects:list"), LIST_PARAMS).status_code == 200
    for _n in range(27):
        ProjectFactory(countries=[ref.kenya, ref.senegal])
    with django_assert_max_num_queries(len(with_three.captured_queries)):
        response = client.get(reverse("projects:list"), LIST_PARAMS)
    assert len(response.context["page"].object_list) == 30
    assert response.content.count(b"KEN, SEN") == 27


def test_list_filters_sorts_and_paginates(client, officer, ref):
    client.force_login(officer)
    ProjectFactory(title="Child labour in mines", symbol="KEN/00/01/NOR")
    ProjectFactory(title="Skills", symbol="SEN/00/01/NOR")
    response = client.get(reverse("projects:list"), {"q": "child"})
    assert [p.symbol for p in response.context["page"]] == ["KEN/00/01/NOR"]
    response = client.get(reverse("projects:list"), {"sort": "-symbol"})
    assert [p.symbol for p in response.context["page"]] == ["SEN/00/01/NOR", "KEN/00/01/NOR"]
    response = client.get(reverse("projects:list"), {"sort": "no_such_column; drop"})
    assert response.status_code == 200


def test_my_projects_scope(client, officer):
    client.force_login(officer)
    mine = ProjectFactory(responsible_unit=officer.unit_memberships.get().unit)
    ProjectFactory()
    response = client.get(reverse("projects:list"), {"scope": "mine"})
    assert [p.pk for p in response.context["page"]] == [mine.pk]


def test_anonymous_is_sent_to_login(client):
    for name in ("projects:list", "projects:import"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "login" in response.url


def test_detail_shows_classification_matrix_gaps_and_history(client, officer, project_fields):
    project = services.project_create(user=officer, **project_fields)
    TripartiteFactory(project=project, group="WORKERS", contemplated_description="Union consulted on design")
    client.force_login(officer)
    response = client.get(reverse("projects:detail", args=[project.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert "KEN/00/01/NOR" in content and "Investing in Knowledge, Skills and Employability" in content
    assert 'class="table-warning gap"' in content and "not realised" in content
    assert "olivia" in content  # the history names who registered it
    assert client.get(reverse("projects:detail", args=[999999])).status_code == 404


def test_import_preview_then_confirm(client, officer, ref):
    client.force_login(officer)
    upload = csv_bytes(GOOD_ROWS)
    response = client.post(reverse("projects:import"),
                           {"file": SimpleUploadedFile("projects.csv", upload, content_type="text/csv")})
    assert response.status_code == 200
    result = response.context["result"]
    assert result.ok and result.dry_run and result.count("create") == 2
    assert b"import-preview" in response.content and b"US Department of Labor" in response.content
    assert not Project.objects.exists()
    response = client.post(reverse("projects:import"), {"confirm": "1"})
    assert response.status_code == 302 and response.url == reverse("projects:list")
    assert Project.objects.count() == 2
    record = ProjectImport.objects.get()
    assert record.imported_by == officer and record.rows_created == 2
    assert Project.objects.get(symbol="KEN/00/01/NOR").history.filter(history_user=officer).exists()


def test_import_errors_are_listed_by_row_and_column(client, officer, ref):
    client.force_login(officer)
    upload = SimpleUploadedFile("bad.csv", csv_bytes(with_changes(1, end_date="2001-13-01")))
    response = client.post(reverse("projects:import"), {"file": upload})
    content = response.content.decode()
    assert "import-errors" in content and "<td>3</td><td>end_date</td>" in content
    assert "confirm" not in content.lower().split("import-errors")[1]
    assert client.post(reverse("projects:import"), {"confirm": "1"}).status_code == 302
    assert not Project.objects.exists()


@pytest.mark.parametrize("role", [Role.SECRETARIAT, Role.EVALUATION])
def test_import_page_requires_the_permission(client, role):
    client.force_login(UserFactory(role=role))
    assert client.get(reverse("projects:import")).status_code == 403
    assert client.get(reverse("projects:list")).status_code == 200


def test_template_download(client, officer):
    client.force_login(officer)
    response = client.get(reverse("projects:import_template"))
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode().startswith("symbol,title,status,start_date,end_date")
