"""Text stored before TCMS refused control characters cannot break a download: the register's and the dashboard's
CSV and XLSX answer 200, without the characters (the reports: tests/reports/test_old_text.py; IATI:
tests/iati/test_old_text.py).

Found by an attacker's probe: a project title holding U+000B or U+0001 made the register XLSX and the dashboard
XLSX answer 500 for everyone.
"""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from accounts.models import Role
from core.security import spreadsheet_safe
from delivery.services import rebuild_year_delivery
from projects.models import Project
from tests.delivery.factories import AllocationFactory
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def old_title(client):
    """A project whose title was written straight to the database, as the probe left it."""
    project = ProjectFactory(symbol="RAF/01/01/USA")
    AllocationFactory(project=project, year=2001, amount_usd=Decimal("1000"))
    rebuild_year_delivery()  # the allocation was written without the service
    Project.objects.filter(pk=project.pk).update(title="Skills\x0b for\x01 youth")
    client.force_login(UserFactory(role=Role.MANAGER))
    return client


def _cells(fmt: str, response) -> list:
    assert response.status_code == 200
    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        return [value for row in sheet.iter_rows(values_only=True) for value in row]
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return [value for row in csv.reader(io.StringIO(content.decode())) for value in row]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize(("page", "query"), [("projects:export", {}), ("delivery:dashboard", {"year": 2001})])
def test_a_download_drops_the_characters_an_xlsx_cannot_hold(old_title, page, query, fmt):
    cells = _cells(fmt, old_title.get(reverse(page), {**query, "format": fmt}))
    assert "Skills for youth" in cells


def test_a_control_character_cannot_hide_a_formula():
    """Removed first, then checked: "\\x01=cmd" is the formula "=cmd" once the character is gone."""
    assert spreadsheet_safe("\x01=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert spreadsheet_safe("Skills\x0b\ud800\ufffe") == "Skills"
