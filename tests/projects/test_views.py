"""Register pages: list (filters, sort, constant query count), detail, import (upload → job page with the preview →
confirm), template."""

import csv
import io
import time
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role
from core.models import ImportJob, ImportJobStatus
from projects import services
from projects.models import Project, ProjectImport
from tests import hostile_files, import_flow
from tests.factories import OrganisationFactory, ProjectFactory, UnitFactory, UserFactory
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


def test_detail_tabs_show_classification_matrix_gaps_and_history(client, officer, project_fields):
    project = services.project_create(user=officer, **project_fields)
    TripartiteFactory(project=project, group="WORKERS", contemplated_description="Union consulted on design")
    client.force_login(officer)
    url = reverse("projects:detail", args=[project.pk])

    def tab(name):
        response = client.get(url, {"tab": name})
        assert response.status_code == 200
        return response.content.decode()

    assert "KEN/00/01/NOR" in tab("overview")
    assert "Investing in Knowledge, Skills and Employability" in tab("classification")
    matrix = tab("tripartite")
    assert 'class="table-warning gap"' in matrix and "not realised" in matrix and "Union consulted" in matrix
    assert "olivia" in tab("history")  # the history names who registered it
    assert reverse("delivery:project", args=[project.pk]) in tab("delivery")
    assert reverse("evaluation:project_results", args=[project.pk]) in tab("results")
    assert reverse("alerts:project", args=[project.pk]) in tab("alerts")
    assert "No evaluation planned" in tab("evaluations")
    assert "No partner recorded" in tab("partners")
    assert client.get(reverse("projects:detail", args=[999999])).status_code == 404


def test_import_preview_then_confirm(client, officer, ref, django_capture_on_commit_callbacks):
    """Upload → the job page with the preview → confirm → result."""
    capture = django_capture_on_commit_callbacks
    client.force_login(officer)
    upload = SimpleUploadedFile("projects.csv", csv_bytes(GOOD_ROWS), content_type="text/csv")
    preview = import_flow.upload(client, capture, reverse("projects:import"), {"file": upload})
    job = preview.context["job"]
    assert job.status == ImportJobStatus.READY and job.owner == officer and job.preview["counts"]["create"] == 2
    assert b"import-preview" in preview.content and b"US Department of Labor" in preview.content
    assert b"Confirm the import" in preview.content
    assert not Project.objects.exists()
    result = import_flow.confirm(client, capture, job)
    assert Project.objects.count() == 2
    record = ProjectImport.objects.get()
    assert record.imported_by == officer and record.rows_created == 2
    assert Project.objects.get(symbol="KEN/00/01/NOR").history.filter(history_user=officer).exists()
    assert b"import-result-summary" in result.content and reverse("projects:list").encode() in result.content


def test_import_preview_says_per_row_what_it_creates_or_updates_with_the_old_values(
        client, ref, django_capture_on_commit_callbacks, monkeypatch):
    """Each row: New, Changed (each changed field with its old and new value) or Unchanged; a big file shows its
    first rows and says how many more there are, the counts covering every row."""
    import core.imports

    capture = django_capture_on_commit_callbacks
    admin = UserFactory(username="ada", role=Role.ADMIN)
    client.force_login(admin)
    assert services.project_import(source=csv_bytes(GOOD_ROWS[:1]), user=admin).ok
    upload = SimpleUploadedFile("projects.csv", csv_bytes(with_changes(0, title="Skills for all")))
    page = import_flow.upload(client, capture, reverse("projects:import"), {"file": upload})
    plan = page.context["job"].preview["plan"]
    assert page.context["job"].preview["errors"] == []
    assert [(p["row"], p["key"], p["action"]) for p in plan] == [(2, "KEN/00/01/NOR", "update"),
                                                                  (3, "RLA/99/02/USA", "create")]
    assert any("Skills for youth employment → Skills for all" in change for change in plan[0]["changes"])
    content = page.content.decode()
    assert "<td>KEN/00/01/NOR</td><td>Changed</td>" in content
    assert "Skills for youth employment → Skills for all" in content
    assert "<td>RLA/99/02/USA</td><td>New</td>" in content

    monkeypatch.setattr(core.imports, "PREVIEW_ROWS", 1)
    upload = SimpleUploadedFile("projects.csv", csv_bytes(GOOD_ROWS))
    page = import_flow.upload(client, capture, reverse("projects:import"), {"file": upload})
    preview = page.context["job"].preview
    assert len(preview["plan"]) == 1 and preview["plan_total"] == 2
    assert preview["counts"] == {"create": 1, "update": 0, "unchanged": 1}
    assert "Only the first 1 of 2 are shown." in page.content.decode()


def test_import_errors_are_listed_by_row_and_column(client, officer, ref, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    client.force_login(officer)
    upload = SimpleUploadedFile("bad.csv", csv_bytes(with_changes(1, end_date="2001-13-01")))
    page = import_flow.upload(client, capture, reverse("projects:import"), {"file": upload})
    content = page.content.decode()
    assert "import-errors" in content and "<td>3</td><td>end_date</td>" in content
    assert "Confirm the import" not in content
    job = page.context["job"]
    assert job.status == ImportJobStatus.REFUSED and not job.stored_name  # a refused file is not kept
    with capture(execute=True):
        client.post(reverse("import_job_confirm", args=[job.pk]))
    assert not Project.objects.exists()


def test_the_bomb_is_refused_by_the_import_page_at_once(client, officer):
    client.force_login(officer)
    assert client.get(reverse("projects:import")).status_code == 200  # the first request loads the URLs and views
    upload = SimpleUploadedFile("projects.xlsx", hostile_files.bomb_xlsx())
    started = time.perf_counter()
    response = client.post(reverse("projects:import"), {"file": upload})
    assert time.perf_counter() - started < 2
    assert response.status_code == 400 and "too large once unpacked" in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("big.csv", b"symbol\n" + b"A/1\n" * (13 * 1024 * 1024), "The file is too large (52.0\xa0MB)"),
    ("evil.exe", b"MZ\x90\x00" + b"\x00" * 64, "Only CSV and XLSX files can be imported (the file is “evil.exe”)"),
])
def test_the_project_import_page_refuses_what_the_gate_refuses(client, officer, name, content, reason):
    client.force_login(officer)
    response = client.post(reverse("projects:import"), {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 400 and reason in response.content.decode()
    assert not ImportJob.objects.exists()


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


# ---------------------------------------------------------------- forms


def form_data(form) -> dict:
    """What a browser would post for the form as rendered (initial values)."""
    data = {}
    for field in form:
        value = field.value()
        if field.widget_type == "checkbox":
            if value:
                data[field.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[field.html_name] = [str(v) for v in value]
        elif value is not None:
            data[field.html_name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return data


def formset_data(formset, rows=()) -> dict:
    """The formset as rendered (existing rows) plus `rows` filled into its empty extra forms."""
    data = {}
    for form in formset.forms:
        data.update(form_data(form))
    for index, row in enumerate(rows, start=formset.initial_form_count()):
        for name, value in row.items():
            data[f"{formset.prefix}-{index}-{name}"] = value
    data.update({f"{formset.prefix}-TOTAL_FORMS": str(max(len(formset.forms), formset.initial_form_count()
                                                          + len(rows))),
                 f"{formset.prefix}-INITIAL_FORMS": str(formset.initial_form_count()),
                 f"{formset.prefix}-MIN_NUM_FORMS": "0", f"{formset.prefix}-MAX_NUM_FORMS": "1000"})
    return data


def page_data(response, *, partners=(), tripartite=(), **changes) -> dict:
    context = response.context
    data = form_data(context["form"])
    data.update(formset_data(context["partners"], partners))
    data.update(formset_data(context["tripartite"], tripartite))
    data.update(changes)
    return data


@pytest.fixture
def new_project_data(client, officer, ref):
    client.force_login(officer)
    ministry = OrganisationFactory(name="Ministry of Labour of Kenya", kind="GOVERNMENT")
    response = client.get(reverse("projects:create"))
    assert response.status_code == 200
    return page_data(
        response,
        partners=[{"organisation": ref.norad.pk, "role": "FUNDING"}, {"organisation": ministry.pk,
                                                                      "role": "IMPLEMENTING"}],
        tripartite=[{"stage": "FORMULATION", "group": "GOVERNMENT", "contemplated": "on",
                     "contemplated_description": "Ministry in the design workshop", "actual_date": "2000-02-10",
                     "actual_organisation": ministry.pk, "women": "3", "men": "4"},
                    {"stage": "MONITORING", "group": "WORKERS", "contemplated": "on",
                     "contemplated_description": "Unions sit on the steering committee"}],
        symbol="KEN/00/01/NOR", title="Skills for youth employment", status="PIPELINE", planned_start="2000-03-01",
        planned_end="2002-02-28", strategic_objective=str(ref.so2.pk), primary_programme=str(ref.skills.pk),
        region=str(ref.africa.pk), countries=[str(ref.kenya.pk)], funding_source=str(ref.xbtc.pk),
        donor=str(ref.norad.pk), responsible_unit=str(officer.unit_memberships.get().unit_id), gender_marker="1")


def test_create_project_with_partners_and_tripartite_rows(client, officer, new_project_data):
    response = client.post(reverse("projects:create"), new_project_data)
    project = Project.objects.get(symbol="KEN/00/01/NOR")
    assert response.status_code == 302 and response.url == reverse("projects:detail", args=[project.pk])
    assert sorted(project.partners.values_list("role", flat=True)) == ["FUNDING", "IMPLEMENTING"]
    cells = {(t.stage, t.group): t for t in project.tripartite.all()}
    assert cells[("FORMULATION", "GOVERNMENT")].women == 3 and cells[("MONITORING", "WORKERS")].is_gap
    assert list(project.countries.values_list("iso3", flat=True)) == ["KEN"]
    assert {record.history_user for record in project.history.all()} == {officer}
    followed = client.get(response.url)
    assert "Project KEN/00/01/NOR registered." in followed.content.decode()


def test_create_errors_are_shown_at_the_fields_and_nothing_is_saved(client, new_project_data, ref):
    new_project_data.update({"planned_end": "1999-01-01", "tripartite-1-contemplated_description": "",
                             "primary_programme": str(ref.ipec.pk)})
    response = client.post(reverse("projects:create"), new_project_data)
    assert response.status_code == 200
    form, tripartite = response.context["form"], response.context["tripartite"]
    assert "planned_end" in form.errors and "primary_programme" in form.errors
    assert "contemplated_description" in tripartite.forms[1].errors
    assert 'class="invalid-feedback d-block"' in response.content.decode()
    assert not Project.objects.exists()


def test_create_refused_by_a_partner_row_rolls_everything_back(client, new_project_data, ref):
    # The same organisation twice in the same role: the second partner_add fails, so the project goes too.
    new_project_data.update({"partners-1-organisation": str(ref.norad.pk), "partners-1-role": "FUNDING"})
    response = client.post(reverse("projects:create"), new_project_data)
    assert response.status_code == 200
    assert not Project.objects.exists()


def test_registering_another_units_project_with_partners_is_refused_in_the_form(client, new_project_data, ref):
    """The partners and tripartite rows are the new project's records: the officer may add them only to a project
    they may change, so a project registered for another unit with records is refused as a whole, in the form."""
    new_project_data["responsible_unit"] = str(ref.ro_africa.pk)
    response = client.post(reverse("projects:create"), new_project_data)
    assert response.status_code == 200
    assert response.context["partners"].forms[0].non_field_errors() == ["You may not change project KEN/00/01/NOR."]
    assert "You may not change project KEN/00/01/NOR." in response.content.decode()
    assert not Project.objects.exists()


@pytest.fixture
def own_project(officer, project_fields):
    project_fields["responsible_unit"] = officer.unit_memberships.get().unit
    return services.project_create(user=officer, **project_fields)


def test_edit_saves_through_the_service_and_bumps_the_version(client, officer, own_project):
    client.force_login(officer)
    form_page = client.get(reverse("projects:edit", args=[own_project.pk]))
    data = page_data(form_page, title="Skills for young women and men",
                     partners=[{"organisation": own_project.donor.pk, "role": "FUNDING"}])
    response = client.post(reverse("projects:edit", args=[own_project.pk]), data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    own_project.refresh_from_db()
    assert own_project.title == "Skills for young women and men" and own_project.version == 2
    assert own_project.partners.count() == 1
    history = client.get(reverse("projects:detail", args=[own_project.pk]), {"tab": "history"}).content.decode()
    assert "Skills for youth employment → Skills for young women and men" in history


def test_changing_a_date_on_the_edit_form_needs_a_reason(client, officer, own_project):
    client.force_login(officer)
    form_page = client.get(reverse("projects:edit", args=[own_project.pk]))
    response = client.post(reverse("projects:edit", args=[own_project.pk]),
                           page_data(form_page, planned_end="2002-06-30"))
    assert response.status_code == 200 and "planned_end" in response.context["form"].errors
    response = client.post(reverse("projects:edit", args=[own_project.pk]),
                           page_data(form_page, planned_end="2002-06-30", date_reason="Donor extension"))
    assert response.status_code == 302
    assert own_project.date_revisions.get().reason == "Donor extension"


def test_concurrent_edit_is_refused_showing_what_changed(client, officer, own_project):
    client.force_login(officer)
    first = client.get(reverse("projects:edit", args=[own_project.pk]))
    second = client.get(reverse("projects:edit", args=[own_project.pk]))
    assert client.post(reverse("projects:edit", args=[own_project.pk]),
                       page_data(first, title="First title")).status_code == 302
    response = client.post(reverse("projects:edit", args=[own_project.pk]), page_data(second, summary="Mine"))
    content = response.content.decode()
    assert response.status_code == 200 and 'id="stale-edit"' in content
    assert "First title" in content and "olivia" in content
    own_project.refresh_from_db()
    assert own_project.title == "First title" and own_project.summary == "" and own_project.version == 2


def test_status_form_offers_only_allowed_transitions(client, officer, own_project):
    client.force_login(officer)
    response = client.get(reverse("projects:status", args=[own_project.pk]))
    assert [code for code, _label in response.context["form"].fields["status"].choices] == ["APPROVED", "CANCELLED"]
    refused = client.post(reverse("projects:status", args=[own_project.pk]), {"status": "ONGOING", "version": 1})
    assert refused.status_code == 200 and "status" in refused.context["form"].errors
    done = client.post(reverse("projects:status", args=[own_project.pk]), {"status": "APPROVED", "version": 1})
    assert done.status_code == 302
    own_project.refresh_from_db()
    assert own_project.status == "APPROVED"


def test_date_revision_needs_a_reason_and_is_kept(client, officer, own_project):
    client.force_login(officer)
    url = reverse("projects:revise_date", args=[own_project.pk])
    missing = client.post(url, {"field": "planned_end", "new_value": "2002-12-31", "reason": "", "version": 1})
    assert missing.status_code == 200 and "reason" in missing.context["form"].errors
    done = client.post(url, {"field": "planned_end", "new_value": "2002-12-31", "reason": "No-cost extension",
                             "version": 1})
    assert done.status_code == 302
    history = client.get(done.url).content.decode()
    assert "No-cost extension" in history


def test_records_page_adds_changes_and_removes_experts(client, officer, own_project, ref):
    client.force_login(officer)
    url = reverse("projects:records", args=[own_project.pk, "experts"])
    page = client.get(url)
    data = formset_data(page.context["formset"], [{"name": "Ms Wanjiru", "nationality": ref.kenya.pk,
                                                   "category": "NATIONAL", "year": "2000", "work_months": "6.5"}])
    assert client.post(url, data).status_code == 302
    expert = own_project.experts.get()
    assert expert.work_months == Decimal("6.5")
    page = client.get(url)
    data = formset_data(page.context["formset"])
    data["experts-0-DELETE"] = "on"
    assert client.post(url, data).status_code == 302
    assert not own_project.experts.exists()
    assert client.get(reverse("projects:records", args=[own_project.pk, "nonsense"])).status_code == 404


def test_edit_buttons_only_for_those_who_may_edit(client, officer, own_project):
    other = ProjectFactory()
    client.force_login(officer)
    assert 'id="edit-project"' in client.get(reverse("projects:detail", args=[own_project.pk])).content.decode()
    assert 'id="edit-project"' not in client.get(reverse("projects:detail", args=[other.pk])).content.decode()
    assert client.get(reverse("projects:edit", args=[other.pk])).status_code == 403
    client.force_login(UserFactory(role=Role.SECRETARIAT))
    listing = client.get(reverse("projects:list")).content.decode()
    assert 'id="new-project"' not in listing


def test_empty_list_says_what_to_do(client, officer):
    client.force_login(officer)
    content = client.get(reverse("projects:list")).content.decode()
    assert "Register the first project" in content
    content = client.get(reverse("projects:list"), {"q": "nothing"}).content.decode()
    assert "Clear the filters" in content


# ---------------------------------------------------------------- export


def test_export_csv_follows_the_filters_and_neutralises_formulas(client, officer, ref):
    ProjectFactory(symbol="KEN/00/01/NOR", title="=HYPERLINK(\"http://evil\")", countries=[ref.kenya])
    ProjectFactory(symbol="SEN/00/02/NOR", title="Skills")
    client.force_login(officer)
    response = client.get(reverse("projects:export"), {"q": "KEN", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["symbol", "title", "status"]
    assert [row[0] for row in rows[1:]] == ["KEN/00/01/NOR"]
    assert rows[1][1] == "'=HYPERLINK(\"http://evil\")" and rows[1][10] == "KEN"


def test_export_xlsx_has_every_filtered_row(client, officer):
    for n in range(3):
        ProjectFactory(title=f"@risky {n}")
    client.force_login(officer)
    response = client.get(reverse("projects:export"), {"format": "xlsx", "sort": "-symbol"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][0] == "symbol" and len(values) == 4
    assert all(row[1].startswith("'@risky") for row in values[1:])
    assert client.get(reverse("projects:export"), {"format": "pdf"}).status_code == 404

