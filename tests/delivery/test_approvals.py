"""Approvals of funds: the service (permission, US$ value, history), the import (`import_financials approvals`),
the money tab's forms."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from delivery import services
from delivery.models import Approval, ImportBatch
from delivery.services import financial_import
from partners.models import OrganisationKind
from tests.delivery.factories import ExchangeRateFactory, csv_bytes
from tests.factories import OrganisationFactory, ProjectFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def approvals_csv(*lines: str) -> bytes:
    return csv_bytes("project_symbol,donor,date,amount,currency", *lines)


@pytest.fixture
def unicef(db):
    return OrganisationFactory(name="United Nations Children's Fund", acronym="UNICEF", kind=OrganisationKind.UN)


@pytest.fixture
def norad(db):
    return OrganisationFactory(name="Norwegian Agency for Development Cooperation", acronym="NORAD")


def test_create_converts_with_the_rate_of_the_month_and_keeps_history(project_a, officer, unicef):
    ExchangeRateFactory(currency="EUR", period=dt.date(2026, 3, 1), units_per_usd=Decimal("0.8"))
    approval = services.approval_create(project=project_a, donor=unicef, date=dt.date(2026, 3, 17),
                                        amount=Decimal("1000"), currency="eur", user=officer)
    assert (approval.currency, approval.exchange_rate, approval.amount_usd) == ("EUR", Decimal("0.8"),
                                                                                Decimal("1250.00"))
    services.approval_update(approval=approval, amount=Decimal("800"), user=officer)
    assert Approval.objects.get().amount_usd == Decimal("1000.00")
    services.approval_delete(approval=approval, user=officer)
    assert not Approval.objects.exists()
    history = list(Approval.history.order_by("history_date").values_list("history_type", "amount", "history_user"))
    assert history == [("+", Decimal("1000.00"), officer.pk), ("~", Decimal("800.00"), officer.pk),
                       ("-", Decimal("800.00"), officer.pk)]


def test_refusals_name_the_field(project_a, officer, unicef):
    def create(**values):
        services.approval_create(**{"project": project_a, "donor": unicef, "date": dt.date(2026, 3, 1),
                                    "amount": Decimal("10"), "user": officer, **values})

    for values, field in (({"currency": "EURO"}, "currency"), ({"currency": "CHF"}, "currency"),
                          ({"amount": Decimal("0")}, "amount"),
                          ({"donor": OrganisationFactory(kind=OrganisationKind.WORKERS)}, "donor")):
        with pytest.raises(ValidationError) as error:
            create(**values)
        assert field in error.value.message_dict, values
    create()
    with pytest.raises(ValidationError) as error:  # the same donor, date and project: change it instead
        create(amount=Decimal("20"))
    assert "date" in error.value.message_dict
    assert Approval.objects.count() == 1


def test_only_who_may_change_the_project(project_a, unicef):
    other_unit_officer = UserFactory(username="elsewhere", role="OFFICER", units=[UnitFactory(code="ELSEWHERE")])
    with pytest.raises(PermissionDenied):
        services.approval_create(project=project_a, donor=unicef, date=dt.date(2026, 1, 1), amount=Decimal("1"),
                                 user=other_unit_officer)


def test_import_creates_updates_and_leaves_unchanged(project_a, project_b, officer, unicef, norad):
    ExchangeRateFactory(currency="NOK", period=dt.date(2026, 3, 1), units_per_usd=Decimal("10"))
    rows = ["RAF/26/01/USA,UNICEF,2026-03-15,5000.00,USD",
            "RLA/26/02/USA,Norwegian Agency for Development Cooperation,2026-03-02,200000,NOK"]
    first = financial_import(kind="approvals", source=approvals_csv(*rows), filename="a.csv", user=officer)
    assert first.ok, first.errors
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    nok = Approval.objects.get(donor=norad)
    assert (nok.project, nok.amount, nok.amount_usd, nok.batch) == (project_b, Decimal("200000.00"),
                                                                    Decimal("20000.00"), first.batch)
    again = financial_import(kind="approvals", source=approvals_csv(*rows), user=officer)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    changed = financial_import(kind="approvals", source=approvals_csv(
        "raf/26/01/usa,UNICEF,2026-03-15,5000.00,USD".upper(), "RAF/26/01/USA,unicef,2026-03-15,6000.00,USD"),
        user=officer)
    assert not changed.ok  # the same key twice in one file
    changed = financial_import(kind="approvals", source=approvals_csv("RAF/26/01/USA,unicef,2026-03-15,6000,USD"),
                               user=officer)
    assert (changed.created, changed.updated) == (0, 1)
    assert Approval.objects.get(donor=unicef).amount_usd == Decimal("6000.00")


def test_import_preview_says_what_each_row_creates_or_replaces(project_a, project_b, officer, unicef, norad):
    ExchangeRateFactory(currency="NOK", period=dt.date(2026, 3, 1), units_per_usd=Decimal("10"))
    financial_import(kind="approvals", source=approvals_csv("RAF/26/01/USA,UNICEF,2026-03-15,5000.00,USD"),
                     user=officer)
    preview = financial_import(kind="approvals", dry_run=True, user=officer, source=approvals_csv(
        "RAF/26/01/USA,UNICEF,2026-03-15,6000.00,USD", "RLA/26/02/USA,NORAD,2026-03-02,200000,NOK"))
    assert preview.ok, preview.errors
    assert [(plan["row"], plan["key"], plan["action"], plan["changes"]) for plan in preview.plans] == [
        (2, "RAF/26/01/USA, UNICEF, 2026-03-15", "replace", ["5000.00 USD → 6000.00 USD"]),
        (3, "RLA/26/02/USA, NORAD, 2026-03-02", "create", ["200000.00 NOK"])]
    assert Approval.objects.get(donor=unicef).amount_usd == Decimal("5000.00")  # a preview writes nothing


def test_import_reports_every_bad_cell_and_writes_nothing(project_a, officer, unicef):
    result = financial_import(kind="approvals", source=approvals_csv(
        "RAF/26/01/USA,UNICEF,2026-03-15,5000.00,USD",   # row 2: good
        "XXX/99/99/XXX,UNICEF,2026-03-15,10,USD",         # row 3: unknown project
        "RAF/26/01/USA,NOBODY,2026-03-15,10,USD",         # row 4: unknown donor
        "RAF/26/01/USA,UNICEF,2026-02-30,10,USD",         # row 5: bad date
        "RAF/26/01/USA,UNICEF,2026-03-16,ten,USD",        # row 6: bad amount
        "RAF/26/01/USA,UNICEF,2026-03-17,10,EURO",        # row 7: not an ISO code
    ), filename="bad.csv", user=officer)
    assert [(e.row, e.column) for e in result.errors] == [
        (3, "project_symbol"), (4, "donor"), (5, "date"), (6, "amount"), (7, "currency")]
    assert not Approval.objects.exists()
    assert ImportBatch.objects.get().status == "FAILED"
    no_rate = financial_import(kind="approvals", source=approvals_csv("RAF/26/01/USA,UNICEF,2026-03-15,10,CHF"),
                               user=officer)
    assert [(e.row, e.column) for e in no_rate.errors] == [(2, "currency")]
    assert "CHF" in no_rate.errors[0].message


def test_import_refuses_rows_of_projects_the_user_may_not_change(officer, unicef, reference):
    ProjectFactory(symbol="RAS/26/09/USA", responsible_unit=UnitFactory(code="OTHER-UNIT"))
    result = financial_import(kind="approvals", source=approvals_csv("RAS/26/09/USA,UNICEF,2026-03-15,10,USD"),
                              user=officer)
    assert result.refused and [(e.row, e.column) for e in result.errors] == [(2, "project_symbol")]


def test_import_financials_command_takes_approvals(project_a, unicef, tmp_path):
    path = tmp_path / "approvals.csv"
    path.write_bytes(approvals_csv("RAF/26/01/USA,UNICEF,2026-03-15,5000.00,USD"))
    call_command("import_financials", "approvals", str(path))
    assert Approval.objects.get().amount_usd == Decimal("5000.00")


def count_queries(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def test_money_tab_lists_approvals_and_their_forms_change_them(project_a, officer, client, unicef):
    client.force_login(officer)
    add = reverse("delivery:approval_create", args=[project_a.pk])
    response = client.post(add, {"donor": unicef.pk, "date": "2026-03-15", "amount": "7000", "currency": "usd"})
    assert response.status_code == 302 and response["Location"].endswith("?tab=delivery")
    approval = Approval.objects.get()
    assert approval.amount_usd == Decimal("7000.00")
    refused = client.post(add, {"donor": unicef.pk, "date": "2026-03-15", "amount": "5", "currency": "CHF"})
    assert refused.status_code == 200 and "currency" in refused.context["form"].errors
    edit = reverse("delivery:approval_edit", args=[approval.pk])
    assert client.post(edit, {"donor": unicef.pk, "date": "2026-03-15", "amount": "8000",
                              "currency": "USD"}).status_code == 302
    assert Approval.objects.get().amount == Decimal("8000.00")

    def panel():
        response = client.get(reverse("delivery:project", args=[project_a.pk]))
        assert response.status_code == 200
        return response.content.decode()

    html = panel()
    assert "8,000.00" in html and edit in html
    few = count_queries(panel)
    for day in range(1, 21):
        services.approval_create(project=project_a, donor=OrganisationFactory(), date=dt.date(2025, 1, day),
                                 amount=Decimal(day))
    assert count_queries(panel) == few
    delete = reverse("delivery:approval_delete", args=[approval.pk])
    assert client.get(delete).status_code == 200
    assert client.post(delete).status_code == 302
    assert not Approval.objects.filter(pk=approval.pk).exists()


def test_money_tab_forms_are_for_who_may_change_the_project(project_a, client, unicef):
    approval = services.approval_create(project=project_a, donor=unicef, date=dt.date(2026, 1, 1),
                                        amount=Decimal("1"))
    client.force_login(UserFactory(username="reader", role="SECRETARIAT"))
    assert reverse("delivery:approval_edit", args=[approval.pk]) not in client.get(
        reverse("delivery:project", args=[project_a.pk])).content.decode()
    for url in (reverse("delivery:approval_create", args=[project_a.pk]),
                reverse("delivery:approval_edit", args=[approval.pk]),
                reverse("delivery:approval_delete", args=[approval.pk])):
        assert client.post(url, {}).status_code == 403
    assert Approval.objects.filter(pk=approval.pk).exists()
