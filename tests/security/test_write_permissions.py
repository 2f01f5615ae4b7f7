"""Who may is decided where the write happens (security issue, points 1 and 7): the findings as they were found.

1. An officer of unit B re-imported a row with the symbol of unit A's ONGOING project and changed its status
   (→ CANCELLED), title, dates and responsible unit (→ B), then had the edit form too: the import checked only
   projects.import_projects. Now every row's project is asked projects.change_project (as stored), and a file with
   any such row is refused whole, naming the rows, in the dry run as at the confirmation.
7. Allocations and exchange rates could be changed by any officer for any unit's project. Now allocations and
   expenditure follow the project's edit rule; exchange rates are an administrator's reference data.
"""

import csv
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Role
from core.models import ImportJob, ImportJobStatus
from delivery.models import Allocation, ExchangeRate, Expenditure, ImportBatch, ImportStatus
from delivery.services import allocation_set, financial_import
from partners.models import Unit, UnitMembership
from projects.models import Project, ProjectImport
from projects.services import load_reference, project_import
from tests import import_flow, shared_data
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SYMBOL = "KEN/00/01/NOR"
UNIT_A, UNIT_B = "RO-AFRICA", "IPEC"
ROW = {"symbol": SYMBOL, "title": "Skills for youth employment", "status": "ONGOING", "start_date": "2000-03-01",
       "end_date": "2002-02-28", "strategic_objective": "2", "infocus_programme": "SKILLS", "region": "AFRICA",
       "countries": "KEN", "funding_source": "XBTC", "donor": "NORAD", "responsible_unit": UNIT_A,
       "gender_marker": "1"}
# The row as the attacker sent it: the same symbol, cancelled, renamed, new dates, and unit B made responsible.
TAKEOVER = dict(ROW, title="Taken over", status="CANCELLED", start_date="2000-04-01", end_date="2003-12-31",
                responsible_unit=UNIT_B)
REFUSED = f"You may not change project {SYMBOL}."
COMPARED = ["title", "status", "planned_start", "planned_end", "responsible_unit_id", "version"]


def csv_file(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def state(project: Project) -> dict:
    project.refresh_from_db()
    return {name: getattr(project, name) for name in COMPARED} | {"history": project.history.count()}


def errors(result) -> list[tuple]:
    """(row, column, message) of a service's result, or of an import job's preview or result."""
    if isinstance(result, ImportJob):
        outcome = result.result or result.preview
        return [(e["row"], e["column"], e["message"]) for e in outcome.get("errors", [])]
    return [(e.row, e.column, e.message) for e in result.errors]


def upload(client, capture, url: str, data: dict):
    """The job page after the upload's check; its job in the page's context."""
    page = import_flow.upload(client, capture, url, data)
    return page, page.context["job"]


class World:
    def __init__(self):
        load_reference()
        # Unit A's project, registered by an operator (the command's system actor).
        assert project_import(source=csv_file([ROW]), filename="register.csv").ok
        self.project = Project.objects.get(symbol=SYMBOL)
        self.unit_a, self.unit_b = Unit.objects.get(code=UNIT_A), Unit.objects.get(code=UNIT_B)
        self.officer_a = UserFactory(username="officer-a", role=Role.OFFICER, units=[self.unit_a])
        self.officer_b = UserFactory(username="officer-b", role=Role.OFFICER, units=[self.unit_b])
        self.manager_b = UserFactory(username="manager-b", role=Role.MANAGER, units=[self.unit_b])
        self.admin = UserFactory(username="admin", role=Role.ADMIN)
        # Unit B's own project, so that a file can mix an allowed row with a refused one.
        own = dict(ROW, symbol="RLA/00/02/USA", title="Child labour", region="AMERICAS", countries="PER",
                   strategic_objective="1", infocus_programme="IPEC", responsible_unit=UNIT_B)
        assert project_import(source=csv_file([own]), filename="register-b.csv").ok
        self.own_row = own
        self.own_project = Project.objects.get(symbol=own["symbol"])


# Built once for the module; each test starts from it as built (tests/shared_data.py).
shared_world = shared_data.module_fixture(World, name="shared_world")


@pytest.fixture
def world(shared_world, db, request):
    return shared_world.for_test(request)


# ---------------------------------------------------------------- finding 1: the import takeover


def test_takeover_through_the_import_page_is_refused_and_changes_nothing(
        client, world, django_capture_on_commit_callbacks):
    before = state(world.project)
    client.force_login(world.officer_b)
    url = reverse("projects:import")
    page, job = upload(client, django_capture_on_commit_callbacks, url,
                       {"file": SimpleUploadedFile("takeover.csv", csv_file([TAKEOVER]))})
    assert job.status == ImportJobStatus.REFUSED
    assert errors(job) == [(2, "symbol", REFUSED)]
    html = page.content.decode()
    assert 'id="import-errors"' in html and f"<td>2</td><td>symbol</td><td>{REFUSED}</td>" in html
    assert "Confirm the import" not in html
    # A refused job cannot be confirmed afterwards.
    client.post(reverse("import_job_confirm", args=[job.pk]), follow=True)
    job.refresh_from_db()
    assert job.status == ImportJobStatus.REFUSED
    assert state(world.project) == before
    assert not ProjectImport.objects.filter(imported_by=world.officer_b).exists()
    # ... and so the edit form stays closed to the officer of unit B.
    assert client.get(reverse("projects:edit", args=[world.project.pk])).status_code == 403


def test_a_file_mixing_an_own_and_another_units_project_is_refused_whole_naming_the_row(
        client, world, django_capture_on_commit_callbacks):
    before, own_before = state(world.project), state(world.own_project)
    client.force_login(world.officer_b)
    rows = [dict(world.own_row, title="Renamed by its own unit"), TAKEOVER]
    _page, job = upload(client, django_capture_on_commit_callbacks, reverse("projects:import"),
                        {"file": SimpleUploadedFile("mixed.csv", csv_file(rows))})
    assert errors(job) == [(3, "symbol", REFUSED)]
    assert state(world.project) == before and state(world.own_project) == own_before


def test_the_confirmation_asks_again(client, world, django_capture_on_commit_callbacks):
    """A file checked while the user could change the project is refused if they no longer can when confirming."""
    before = state(world.project)
    client.force_login(world.officer_a)
    url = reverse("projects:import")
    _page, job = upload(client, django_capture_on_commit_callbacks, url,
                        {"file": SimpleUploadedFile("rename.csv", csv_file([dict(ROW, title="Renamed")]))})
    assert job.status == ImportJobStatus.READY
    UnitMembership.objects.filter(user=world.officer_a).delete()
    import_flow.confirm(client, django_capture_on_commit_callbacks, job)
    job.refresh_from_db()
    assert job.status == ImportJobStatus.REFUSED
    assert errors(job) == [(2, "symbol", REFUSED)]
    assert state(world.project) == before


def test_the_service_refuses_the_takeover_in_a_dry_run_too(world):
    before = state(world.project)
    for dry_run in (True, False):
        result = project_import(source=csv_file([TAKEOVER]), filename="t.csv", user=world.officer_b, dry_run=dry_run)
        assert errors(result) == [(2, "symbol", REFUSED)] and result.record is None
    assert state(world.project) == before


def test_a_user_who_may_not_import_is_refused_before_the_file_is_read(world):
    evaluator = UserFactory(username="evaluator", role=Role.EVALUATION)
    with pytest.raises(PermissionDenied, match="You may not import projects."):
        project_import(source=b"not even a table", filename="x.csv", user=evaluator, dry_run=True)


def test_the_owners_and_an_administrator_may_import_the_same_row(world):
    for user in (world.officer_a, world.admin):
        result = project_import(source=csv_file([TAKEOVER]), filename="t.csv", user=user, dry_run=True)
        assert result.ok and result.count_update == 1, errors(result)


def test_the_command_runs_as_a_system_actor(world, tmp_path):
    """`manage.py import_projects` is run by an operator on the server: it passes no user and is not asked."""
    path = tmp_path / "takeover.csv"
    path.write_bytes(csv_file([TAKEOVER]))
    call_command("import_projects", str(path))
    world.project.refresh_from_db()
    assert (world.project.status, world.project.responsible_unit) == ("CANCELLED", world.unit_b)


def test_the_bulk_check_is_one_query_whatever_the_number_of_rows(world):
    """Set-based: the officer's import asks the same number of queries more than the system actor's, for 1 row
    or for 12 (one query for the file's projects the user may change, one for the user's units)."""
    rows = [dict(world.own_row, symbol=f"RLA/00/{n:02d}/USA", title=f"Project {n}") for n in range(10, 22)]
    assert project_import(source=csv_file(rows), filename="many.csv").ok

    def queries(file_rows, user) -> int:
        user = type(user).objects.get(pk=user.pk) if user else None  # a fresh user: no cached units
        with CaptureQueriesContext(connection) as captured:
            result = project_import(source=csv_file(file_rows), filename="q.csv", user=user, dry_run=True)
        assert result.ok, errors(result)
        return len(captured)

    extra_one = queries(rows[:1], world.officer_b) - queries(rows[:1], None)
    extra_all = queries(rows, world.officer_b) - queries(rows, None)
    assert extra_one == extra_all <= 3


# ---------------------------------------------------------------- finding 7: allocations, expenditure, rates


def allocations(*lines: str) -> bytes:
    return "\n".join(["project_symbol,year,funding_source,amount_usd", *lines]).encode() + b"\n"


def expenditure(*lines: str) -> bytes:
    return "\n".join(["project_symbol,period,input_type,currency,amount", *lines]).encode() + b"\n"


RATES = b"currency,period,units_per_usd\nEUR,2001-01,0.930000\n"


def test_allocations_of_another_units_project_are_refused_on_the_import_page(
        client, world, django_capture_on_commit_callbacks):
    client.force_login(world.officer_b)
    data = allocations(f"{world.own_project.symbol},2001,XBTC,1000", f"{SYMBOL},2001,XBTC,999999")
    page, job = upload(client, django_capture_on_commit_callbacks, reverse("delivery:import"),
                       {"kind": "allocations", "file": SimpleUploadedFile("budget.csv", data)})
    assert errors(job) == [(3, "project_symbol", REFUSED)]
    assert f"<td>3</td><td>project_symbol</td><td>{REFUSED}</td>" in page.content.decode()
    assert not Allocation.objects.exists()


def test_a_refused_financial_import_is_recorded_as_failed_with_its_rows(world):
    result = financial_import(kind="expenditure", source=expenditure(f"{SYMBOL},2001-01,EXPERTS,USD,10"),
                              filename="spend.csv", user=world.manager_b)
    assert errors(result) == [(2, "project_symbol", REFUSED)] and result.refused
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.FAILED and batch.uploaded_by == world.manager_b
    assert batch.errors == [{"row": 2, "column": "project_symbol", "message": REFUSED}]
    assert not Expenditure.objects.exists()


def test_allocation_set_follows_the_projects_edit_rule(world):
    from projects.models import FundingSource

    xbtc = FundingSource.objects.get(code="XBTC")
    with pytest.raises(PermissionDenied, match=REFUSED):
        allocation_set(project=world.project, year=2001, funding_source=xbtc, amount_usd=1, reason="x",
                       user=world.officer_b)
    assert not Allocation.objects.exists()
    allocation_set(project=world.project, year=2001, funding_source=xbtc, amount_usd=1, reason="Budget",
                   user=world.officer_a)
    assert Allocation.objects.get().amount_usd == 1


@pytest.mark.parametrize("role", [Role.OFFICER, Role.MANAGER])
def test_exchange_rates_are_refused_to_officers_and_managers(client, world, role):
    user = world.officer_b if role == Role.OFFICER else world.manager_b
    with pytest.raises(PermissionDenied, match="Only administrators change exchange rates."):
        financial_import(kind="rates", source=RATES, filename="rates.csv", user=user, dry_run=True)
    client.force_login(user)
    page = client.get(reverse("delivery:import")).content.decode()
    assert 'value="allocations"' in page and 'value="rates"' not in page  # the page does not offer them
    rates_file = {"kind": "rates", "file": SimpleUploadedFile("rates.csv", RATES)}
    assert client.post(reverse("delivery:import"), rates_file).status_code == 403
    api = APIClient()
    api.force_authenticate(user)
    answer = api.post(reverse("exchange-rate-list"), [{"currency": "EUR", "period": "2001-01",
                                                       "units_per_usd": "0.93"}], format="json")
    assert answer.status_code == 403
    assert not ExchangeRate.objects.exists()


def test_exchange_rates_are_an_administrators(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.admin)
    assert 'value="rates"' in client.get(reverse("delivery:import")).content.decode()
    _page, job = upload(client, django_capture_on_commit_callbacks, reverse("delivery:import"),
                        {"kind": "rates", "file": SimpleUploadedFile("r.csv", RATES)})
    assert job.status == ImportJobStatus.READY
    import_flow.confirm(client, django_capture_on_commit_callbacks, job)
    assert ExchangeRate.objects.get().units_per_usd == Decimal("0.93")


# ---------------------------------------------------------------- the same through the API


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_api_bulk_allocations_with_another_units_project_answer_403_naming_the_row(world):
    rows = [{"project_symbol": world.own_project.symbol, "year": "2001", "funding_source": "XBTC",
             "amount_usd": "10"},
            {"project_symbol": SYMBOL, "year": "2001", "funding_source": "XBTC", "amount_usd": "999999"}]
    response = api_for(world.officer_b).post(reverse("allocation-bulk-import"), rows, format="json")
    assert response.status_code == 403
    assert response.data["errors"] == [{"index": 1, "row": 3, "column": "project_symbol", "message": REFUSED}]
    assert not Allocation.objects.exists()


def test_api_expenditure_of_another_units_project_answers_403(world):
    rows = [{"project_symbol": SYMBOL, "period": "2001-01", "input_type": "EXPERTS", "currency": "USD",
             "amount": "10"}]
    response = api_for(world.officer_b).post(reverse("expenditure-list"), rows, format="json")
    assert response.status_code == 403 and response.data["errors"][0]["column"] == "project_symbol"
    assert api_for(world.officer_a).post(reverse("expenditure-list"), rows, format="json").status_code == 201
    assert Expenditure.objects.count() == 1


def test_api_allocation_of_another_units_project_answers_403_with_the_services_words(world):
    body = {"project": world.project.pk, "year": 2001, "funding_source": "XBTC", "amount_usd": "5.00",
            "reason": "Budget"}
    response = api_for(world.officer_b).post(reverse("allocation-list"), body, format="json")
    assert response.status_code == 403 and response.data["detail"] == REFUSED
    assert not Allocation.objects.exists()
    created = api_for(world.officer_a).post(reverse("allocation-list"), body, format="json")
    assert created.status_code == 201
    detail = reverse("allocation-detail", args=[created.data["id"]])
    change = {"amount_usd": "6.00", "reason": "Revised"}
    assert api_for(world.officer_b).patch(detail, change, format="json").status_code == 403
    assert api_for(world.officer_a).patch(detail, change, format="json").status_code == 200
    assert Allocation.objects.get().amount_usd == Decimal("6.00")
