"""The constituents' workspace as pages (issue 18.2-3): each constituent opens exactly the projects of point 2
(others 404), reads no staff page (403), reads none of what is not theirs, and reports and confirms on the matrix;
the officer confirms or answers on the project's tripartite tab."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from core import clock
from delivery.models import Allocation
from projects.models import Confirmation
from tests.constituents import Portfolio

pytestmark = pytest.mark.django_db
WHO = ("government", "workers", "employers")
STAFF_PAGES = ["projects:list", "delivery:dashboard", "alerts:list", "evaluation:plan", "evaluation:lessons",
               "reports:list", "alerts:slippage"]


@pytest.fixture
def portfolio():
    return Portfolio()


@pytest.fixture
def cell(portfolio):
    return portfolio.workers_cell()


@pytest.mark.parametrize("who", WHO)
def test_home_lists_exactly_their_projects_and_each_opens_the_others_404(client, portfolio, who):
    client.force_login(portfolio.users[who])
    home = client.get(reverse("home")).content.decode()
    for project in portfolio.projects:
        url = reverse("constituent_project", args=[project.pk])
        if project in portfolio.visible[who]:
            assert url in home, project.symbol
            assert client.get(url).status_code == 200
        else:
            assert url not in home, project.symbol
            assert client.get(url).status_code == 404, project.symbol


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_staff_pages_are_refused(client, portfolio, name):
    client.force_login(portfolio.users["workers"])
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", ["projects:detail", "delivery:project", "alerts:project"])
def test_staff_pages_of_their_own_project_are_refused(client, portfolio, name):
    client.force_login(portfolio.users["workers"])
    key = "project_id" if name == "alerts:project" else "pk"
    assert client.get(reverse(name, kwargs={key: portfolio.sen_project.pk})).status_code == 403


def test_the_project_page_shows_the_rate_but_no_money_nor_staff(client, portfolio):
    project = portfolio.sen_project
    Allocation.objects.create(project=project, year=clock.today().year, funding_source=project.funding_source,
                              amount_usd=Decimal("123456"))
    client.force_login(portfolio.users["government"])
    page = client.get(reverse("constituent_project", args=[project.pk])).content.decode()
    assert project.title in page and 'id="delivery-rate"' in page
    assert "123,456" not in page and "123456" not in page and "123 456" not in page
    assert portfolio.officer.email not in page and portfolio.officer.username not in page
    assert "Alerts" not in page


def test_report_in_a_cell_of_their_group_then_the_officer_confirms_it(client, portfolio, cell):
    workers = portfolio.users["workers"]
    client.force_login(workers)
    page = client.get(reverse("constituent_project", args=[portfolio.sen_project.pk])).content.decode()
    report_url = reverse("projects:involvement_report", args=[cell.pk])
    assert report_url in page
    answer = client.post(report_url, {"actual_date": "2000-05-02", "actual_description": "Atelier de formation",
                                      "women": "5", "men": "7", "next": "/"})
    assert answer.status_code == 302 and answer.url == "/"
    cell.refresh_from_db()
    assert cell.confirmation == Confirmation.REPORTED and cell.actual_organisation == portfolio.workers
    client.force_login(portfolio.officer)
    tab = client.get(reverse("projects:detail", args=[portfolio.sen_project.pk]), {"tab": "tripartite"})
    assert reverse("projects:involvement_confirm", args=[cell.pk]) in tab.content.decode()
    client.post(reverse("projects:involvement_confirm", args=[cell.pk]))
    cell.refresh_from_db()
    assert cell.confirmation == Confirmation.CONFIRMED


def test_a_bad_report_shows_the_form_again_with_the_error(client, portfolio, cell):
    client.force_login(portfolio.users["workers"])
    answer = client.post(reverse("projects:involvement_report", args=[cell.pk]), {"actual_description": "x"})
    assert answer.status_code == 200 and answer.context["form"].errors["actual_date"]
    cell.refresh_from_db()
    assert cell.confirmation == Confirmation.RECORDED


def test_the_officer_answers_a_report(client, portfolio, cell):
    from projects import services

    services.involvement_report(cell=cell, user=portfolio.users["workers"], actual_date=dt.date(2000, 5, 2),
                                actual_description="x")
    client.force_login(portfolio.officer)
    answer = client.post(reverse("projects:involvement_answer", args=[cell.pk]), {"comment": "Which date?"})
    assert answer.status_code == 302
    cell.refresh_from_db()
    assert cell.confirmation == Confirmation.DISPUTED and cell.officer_comment == "Which date?"


def test_cells_of_another_group_or_a_hidden_project_cannot_be_reported(client, portfolio, cell):
    client.force_login(portfolio.users["government"])  # sees the project, not the workers' group
    assert client.get(reverse("projects:involvement_report", args=[cell.pk])).status_code == 403
    client.force_login(portfolio.users["employers"])  # does not see the project
    assert client.get(reverse("projects:involvement_report", args=[cell.pk])).status_code == 404
    assert client.post(reverse("projects:involvement_confirm", args=[cell.pk])).status_code == 404
    client.force_login(portfolio.users["workers"])
    assert client.get(reverse("projects:involvement_answer", args=[cell.pk])).status_code == 403
