"""A constituent reads the delivery rate of the year of a project they see, through the projects API, and the same
figure on their project page (issue 18.2): delivery.selectors.year_delivery_rate, over the project's panel."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from delivery import services as delivery_services
from delivery.selectors import project_delivery
from tests.constituents import Portfolio
from tests.factories import FundingSourceFactory, InputTypeFactory

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2001, 10, 31)


def test_the_year_delivery_rate_of_a_project_they_see(settings):
    settings.TCMS_TODAY = AS_OF
    portfolio = Portfolio()
    project = portfolio.sen_project
    InputTypeFactory(code="EXPERTS")
    project.funding_source = FundingSourceFactory(code="XBTC")
    project.save(update_fields=["funding_source"])
    files = {"allocations": f"project_symbol,year,funding_source,amount_usd\n{project.symbol},2001,XBTC,120000\n",
             "expenditure": f"project_symbol,period,input_type,currency,amount\n{project.symbol},2001-03,EXPERTS,USD,"
                            "30000\n"}
    for kind, text in files.items():
        result = delivery_services.financial_import(kind=kind, source=text.encode(), filename=f"{kind}.csv")
        assert result.ok, result.errors
    expected = project_delivery(project=project, as_of=AS_OF).current.delivery_rate
    assert expected == Decimal("0.25")

    client = APIClient()
    client.force_authenticate(portfolio.users["workers"])
    answer = client.get(reverse("project-detail", args=[project.pk])).json()
    assert answer["delivery"] == {"year": 2001, "delivery_rate": "0.2500"}
    assert not {"allocations", "expenditure", "budget_usd", "funding_source"} & set(answer)
    client.force_login(portfolio.users["workers"])
    page = client.get(reverse("constituent_project", args=[project.pk]))
    assert page.status_code == 200 and "25,0\u00a0%" in page.content.decode()  # the workers read French
