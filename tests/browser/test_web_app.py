"""The officer's and the manager's main tasks, in Chromium."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from delivery import services as delivery_services
from projects import services
from projects.models import Project
from tests.browser.conftest import sign_in
from tests.factories import OrganisationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def choose(page, selector, label):
    page.select_option(selector, label=label)


def test_officer_creates_edits_and_reads_the_history(pages, officer):
    OrganisationFactory(name="Norwegian Agency for Development Cooperation", acronym="NORAD")
    page = pages.new()
    sign_in(page, "olivia")
    assert page.locator("#my-projects").is_visible()
    page.click("text=New project")
    page.fill("#id_symbol", "KEN/00/07/NOR")
    page.fill("#id_title", "Apprenticeships in Kenya")
    page.fill("#id_planned_start", "2000-03-01")
    page.fill("#id_planned_end", "2002-02-28")
    page.select_option("#id_strategic_objective", index=2)
    page.select_option("#id_region", label="Africa")
    page.select_option("#id_countries", label="Kenya")
    page.select_option("#id_funding_source", index=1)
    page.select_option("#id_responsible_unit", label="RO-AFRICA — Regional Office for Africa")
    page.select_option("#id_partners-0-organisation", label="Norwegian Agency for Development Cooperation (NORAD)")
    page.select_option("#id_partners-0-role", "FUNDING")
    page.select_option("#id_tripartite-0-stage", "FORMULATION")
    page.select_option("#id_tripartite-0-group", "WORKERS")
    page.check("#id_tripartite-0-contemplated")
    page.fill("#id_tripartite-0-contemplated_description", "Unions in the design workshop")
    page.click("button:has-text('Register the project')")
    page.wait_for_selector("text=Project KEN/00/07/NOR registered.")
    project = Project.objects.get(symbol="KEN/00/07/NOR")
    assert project.partners.count() == 1 and project.tripartite.get().is_gap

    page.click("#edit-project")
    page.fill("#id_title", "Apprenticeships for young women in Kenya")
    page.click("button:has-text('Save changes')")
    page.wait_for_selector("text=Project KEN/00/07/NOR saved.")
    page.click("#project-tabs >> text=Tripartite involvement")
    assert "not realised" in page.inner_text("#tripartite-matrix")
    page.click("#project-tabs >> text=History")
    history = page.inner_text("#project-history")
    assert "Apprenticeships in Kenya → Apprenticeships for young women in Kenya" in history and "olivia" in history


def test_second_concurrent_edit_is_refused(pages, officer, project_in_unit):
    first, second = pages.new(), pages.new()
    for page in (first, second):
        sign_in(page, "olivia")
        page.goto(reverse("projects:edit", args=[project_in_unit.pk]))
    first.fill("#id_title", "Title from the first window")
    first.click("button:has-text('Save changes')")
    first.wait_for_selector("text=saved.")
    second.fill("#id_summary", "Summary from the second window")
    second.click("button:has-text('Save changes')")
    warning = second.inner_text("#stale-edit")
    assert "Title from the first window" in warning
    project_in_unit.refresh_from_db()
    assert project_in_unit.title == "Title from the first window" and project_in_unit.summary == ""


def test_manager_filters_the_dashboard_and_drills_down(pages, manager, project_in_unit):
    page = pages.new()
    sign_in(page, "manuel")
    assert page.locator("#delivery-tiles").is_visible()
    page.click("text=Open the delivery dashboard")
    page.select_option("select[name=region]", label="Africa")
    page.wait_for_load_state("networkidle")
    page.click(f"a:has-text('{project_in_unit.symbol}')")
    page.wait_for_url(re.compile(rf".*/delivery/projects/{project_in_unit.pk}/.*"))
    assert "120,000" in page.inner_text(".delivery-panel")
    page.goto(reverse("projects:detail", args=[project_in_unit.pk]) + "?tab=delivery")
    page.wait_for_selector("#delivery-tab .delivery-panel")
    page.goto(reverse("projects:detail", args=[project_in_unit.pk]) + "?tab=alerts")
    page.wait_for_selector("#alerts-tab #project-alerts-title")


def test_switching_to_french_shows_french(pages, officer):
    page = pages.new()
    sign_in(page, "olivia")
    page.goto(reverse("projects:list"))
    page.select_option("#language-select", "fr")
    page.wait_for_selector("html[lang=fr]")
    assert "Registre des projets" in page.inner_text("h1")
    officer.refresh_from_db()
    assert officer.language == "fr"


@pytest.fixture
def project_in_unit(officer, manager):
    from partners.models import Country, Region, Unit
    from projects.models import FundingSource, Programme

    skills = Programme.objects.get(code="SKILLS")
    project = services.project_create(
        user=officer, symbol="KEN/00/09/NOR", title="Skills for youth", status="ONGOING",
        planned_start=dt.date(2000, 1, 1), planned_end=dt.date(2002, 12, 31), strategic_objective=skills.objective,
        primary_programme=skills, region=Region.objects.get(code="AFRICA"),
        funding_source=FundingSource.objects.get(code="XBTC"), responsible_unit=Unit.objects.get(code="RO-AFRICA"),
        countries=[Country.objects.get(iso3="KEN")])
    allocations = f"project_symbol,year,funding_source,amount_usd\n{project.symbol},2001,XBTC,120000\n"
    spending = f"project_symbol,period,input_type,currency,amount\n{project.symbol},2001-03,EXPERTS,USD,30000\n"
    for kind, text in (("allocations", allocations), ("expenditure", spending)):
        result = delivery_services.financial_import(kind=kind, source=text.encode(), filename=f"{kind}.csv")
        assert result.ok, result.errors
    return project
