"""One "today": core/clock.py reads the date; TCMS_TODAY moves every page, scan and report default together."""

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone

from core import clock
from reports.forms import ReportRequestForm
from tcms.settings import _business_date
from tests.alerts.factories import project

DEMO_DAY = dt.date(2001, 10, 31)


def test_today_is_the_real_date_unless_a_business_date_is_set(settings):
    settings.TCMS_TODAY = None
    assert clock.today() == timezone.localdate()
    settings.TCMS_TODAY = DEMO_DAY
    assert clock.today() == DEMO_DAY
    assert clock.now().date() == DEMO_DAY and clock.now().tzinfo is not None


@pytest.mark.parametrize("value, expected", [("", None), ("  ", None), ("2001-10-31", DEMO_DAY)])
def test_the_setting_reads_an_iso_date_or_nothing(value, expected):
    assert _business_date("TCMS_TODAY", value) == expected


@pytest.mark.parametrize("value", ["31/10/2001", "2001-02-30", "yesterday", "20011031"])
def test_a_malformed_setting_stops_the_start_and_names_the_variable(value):
    with pytest.raises(ImproperlyConfigured, match="TCMS_TODAY must be a date as YYYY-MM-DD"):
        _business_date("TCMS_TODAY", value)


@pytest.mark.django_db
def test_the_business_date_moves_the_pages_together(admin_client, settings):
    settings.TCMS_TODAY = DEMO_DAY
    demo = project(planned_start=dt.date(2000, 1, 1), planned_end=dt.date(2003, 12, 31))
    dashboard = admin_client.get(reverse("delivery:dashboard"))
    assert (dashboard.context["year"], dashboard.context["as_of"]) == (2001, DEMO_DAY)  # nothing spent yet
    money_tab = admin_client.get(reverse("delivery:project", args=[demo.pk]))
    assert money_tab.context["panel"].as_of == DEMO_DAY
    assert admin_client.get(reverse("evaluation:plan")).context["today"] == DEMO_DAY
    assert admin_client.get(reverse("evaluation:project_results", args=[demo.pk])).context["today"] == DEMO_DAY
    form = ReportRequestForm()
    assert (form.fields["year"].initial, form.fields["as_of"].initial) == (2001, DEMO_DAY)


@pytest.mark.django_db
def test_the_scan_command_runs_at_the_business_date(settings):
    from django.core.management import call_command

    from alerts.models import Alert

    settings.TCMS_TODAY = DEMO_DAY
    project(planned_start=dt.date(1999, 1, 1), planned_end=dt.date(2000, 6, 30))
    call_command("scan_early_warnings", verbosity=0)
    assert set(Alert.objects.values_list("period", "raised_on")) == {(2001, DEMO_DAY)}
