"""The money tab lists each allocation's revisions (date, earlier → new amount, reason, who) through the
formatting layer, in a number of queries that does not grow with allocations or revisions."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from core import formats
from delivery import selectors, services
from delivery.services import financial_import
from tests.delivery.factories import allocations_csv
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _money_tab(client, user, project):
    client.force_login(user)
    return client.get(reverse("delivery:project", args=[project.pk]))


def test_revisions_show_amounts_reasons_and_who(client, project_a, reference, officer):
    financial_import(kind="allocations", source=allocations_csv("RAF/26/01/USA,2026,XBTC,1000.00"),
                     filename="budget.csv", user=officer)
    services.allocation_set(project=project_a, year=2026, funding_source=reference["XBTC"],
                            amount_usd=Decimal("1250000.50"), reason="Donor top-up agreed in March", user=officer)
    reader = UserFactory(username="reader", role="SECRETARIAT")
    page = _money_tab(client, reader, project_a).content.decode()
    revisions = page[page.index('id="allocation-revisions"'):]
    assert "Donor top-up agreed in March" in revisions and "Imported from budget.csv" in revisions
    assert "1,000.00" in revisions and "1,250,000.50" in revisions  # the money filter, not raw decimals
    assert "1250000.50" not in revisions
    assert revisions.index("Donor top-up") < revisions.index("Imported from budget.csv")  # newest first
    assert "first amount" in revisions and officer.username in revisions


def test_revisions_follow_the_language(client, project_a, reference, officer):
    services.allocation_set(project=project_a, year=2026, funding_source=reference["XBTC"],
                            amount_usd=Decimal("1250000.50"), reason="Top-up", user=officer)
    officer.language = "fr"
    officer.save(update_fields=["language"])
    page = _money_tab(client, officer, project_a).content.decode()
    revisions = page[page.index('id="allocation-revisions"'):]
    with translation.override("fr"):
        french = formats.money(Decimal("1250000.50"), 2)
    assert french != "1,250,000.50" and french in revisions
    assert "premier montant" in revisions


def test_empty_state(client, project_a, officer):
    page = _money_tab(client, officer, project_a).content.decode()
    assert "No allocation recorded yet." in page


def test_anonymous_is_sent_to_login(client, project_a):
    response = client.get(reverse("delivery:project", args=[project_a.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_query_count_does_not_grow_with_allocations_or_revisions(client, project_a, reference, officer):
    def queries():
        client.force_login(officer)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("delivery:project", args=[project_a.pk])).status_code == 200
        return len(captured)

    services.allocation_set(project=project_a, year=2026, funding_source=reference["XBTC"],
                            amount_usd=Decimal("10"), reason="First", user=officer)
    few = queries()
    for year in (2025, 2026, 2027):
        for source in ("XBTC", "RBTC"):
            for amount in ("100", "200", "300"):
                services.allocation_set(project=project_a, year=year, funding_source=reference[source],
                                        amount_usd=Decimal(amount), reason=f"Change to {amount}", user=officer)
    assert len(selectors.allocation_revisions(project_a)) == 6
    assert queries() == few


def test_selector_reads_in_two_queries(project_a, reference, officer, django_assert_num_queries):
    for amount in ("1", "2", "3"):
        services.allocation_set(project=project_a, year=2026, funding_source=reference["XBTC"],
                                amount_usd=Decimal(amount), reason="r", user=officer)
    with django_assert_num_queries(2):
        allocations = list(selectors.allocation_revisions(project_a))
        assert [[r.new_amount_usd for r in a.revisions.all()] for a in allocations] == [
            [Decimal("3.00"), Decimal("2.00"), Decimal("1.00")]]
        assert {r.revised_by.username for a in allocations for r in a.revisions.all()} == {"officer"}
