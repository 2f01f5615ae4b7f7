"""The constituents' workspace as its users go through it (issue 18): a workers' organisation signs in, reports in
French what happened in a cell of its group, the responsible officer accepts the report, and the project's
tripartite matrix shows the cell confirmed, on the officer's page and on the constituent's."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from projects.models import Confirmation
from tests.browser.conftest import sign_in
from tests.constituents import Portfolio

pytestmark = pytest.mark.browser


def _french(text: str) -> str:
    with translation.override("fr"):
        return translation.gettext(text)


def test_workers_report_in_french_the_officer_confirms_and_the_matrix_shows_it_confirmed(pages):
    portfolio = Portfolio()  # the workers' user (CNTS, Senegal) reads French
    project = portfolio.sen_project
    cell = portfolio.workers_cell()
    heading = _french("Report your involvement")
    assert heading != "Report your involvement"  # the catalogue has it: the page below must show it

    workers = pages.new()
    sign_in(workers, "c-workers")
    workers.goto(reverse("constituent_project", args=[project.pk]))
    assert workers.locator("html").get_attribute("lang") == "fr"
    workers.click(f"a[href^='{reverse('projects:involvement_report', args=[cell.pk])}']")
    assert workers.inner_text("h1") == heading
    workers.fill("#id_actual_date", "2000-05-02")
    workers.fill("#id_actual_description", "Formation des formateurs syndicaux")
    workers.fill("#id_women", "12")
    workers.fill("#id_men", "9")
    workers.click(f"button[type=submit]:has-text('{_french('Send')}')")
    thanks = _french("Thank you: your report is sent to the Office, which will confirm or answer it.")
    workers.wait_for_selector(f"text={thanks}")
    cell.refresh_from_db()
    assert (cell.confirmation, cell.actual_date, cell.women, cell.men) == (
        Confirmation.REPORTED, dt.date(2000, 5, 2), 12, 9)

    officer = pages.new()
    sign_in(officer, "c-officer")
    officer.goto(reverse("projects:detail", args=[project.pk]) + "?tab=tripartite")
    accept = officer.locator(f"form[action='{reverse('projects:involvement_confirm', args=[cell.pk])}'] button")
    assert accept.inner_text().strip() == "Accept the report"
    accept.click()
    officer.wait_for_selector(f"[data-confirmation='{Confirmation.CONFIRMED}']")
    assert "Formation des formateurs syndicaux" in officer.content()
    cell.refresh_from_db()
    assert cell.confirmation == Confirmation.CONFIRMED and cell.confirmed_by == portfolio.officer

    workers.goto(reverse("constituent_project", args=[project.pk]))
    badge = workers.locator(f"[data-confirmation='{Confirmation.CONFIRMED}']")
    assert badge.count() == 1
    with translation.override("fr"):
        assert badge.inner_text().strip() == str(Confirmation.CONFIRMED.label)
