import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from delivery.models import Expenditure
from delivery.services import financial_import
from tests import import_flow
from tests.delivery.factories import AllocationFactory, SpendingProjectFactory, expenditure_csv
from tests.factories import RegionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(reference, project_a, project_b):
    AllocationFactory(project=project_a, year=2026, funding_source=reference["XBTC"], amount_usd=Decimal("1000"))
    AllocationFactory(project=project_b, year=2026, funding_source=reference["RBTC"], amount_usd=Decimal("0"))
    financial_import(kind="expenditure", source=expenditure_csv(
        "RAF/26/01/USA,2026-01,EXPERTS,USD,250", "RAF/26/01/USA,2026-09,TRAINING,USD,100",
        "RLA/26/02/USA,2026-02,EXPERTS,USD,40"))
    return project_a, project_b


@pytest.fixture
def manager_client(client):
    client.force_login(UserFactory(username="manager", role="MANAGER"))
    return client


def test_delivery_table_csv_exact_text(figures, tmp_path):
    out = io.StringIO()
    call_command("delivery_table", "--year", "2026", "--as-of", "2026-06-30", "--by", "project", stdout=out)
    assert out.getvalue() == (
        "group,allocation_usd,expenditure_usd,delivery_rate\n"
        "RAF/26/01/USA,1000.00,250.00,0.2500\n"
        "RLA/26/02/USA,0.00,40.00,\n"
        "TOTAL,1000.00,290.00,0.2900\n")


def test_delivery_table_table_format_and_bad_date(figures):
    out = io.StringIO()
    call_command("delivery_table", "--year", "2026", "--by", "budget_type", "--format", "table", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["group", "allocation_usd", "expenditure_usd", "delivery_rate"]
    assert lines[-1].split() == ["TOTAL", "1000.00", "390.00", "0.3900"]
    with pytest.raises(CommandError):
        call_command("delivery_table", "--year", "2026", "--as-of", "June", "--by", "project")


def test_import_financials_command(project_a, tmp_path):
    good = tmp_path / "good.csv"
    good.write_bytes(expenditure_csv("RAF/26/01/USA,2026-01,EXPERTS,USD,10"))
    out = io.StringIO()
    call_command("import_financials", "expenditure", str(good), "--dry-run", stdout=out)
    assert "Dry run" in out.getvalue() and Expenditure.objects.count() == 0
    call_command("import_financials", "expenditure", str(good), stdout=out)
    assert Expenditure.objects.count() == 1
    bad = tmp_path / "bad.csv"
    bad.write_bytes(expenditure_csv("RAF/26/01/USA,2026-01,EXPERTS,USD,10", "NOPE/1,2026-01,EXPERTS,USD,10"))
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_financials", "expenditure", str(bad), stderr=err)
    assert "row 3" in err.getvalue() and "project_symbol" in err.getvalue()


def test_import_financials_command_refuses_what_the_gate_refuses(project_a, tmp_path):
    evil = tmp_path / "evil.exe"
    evil.write_bytes(b"MZ\x90\x00")
    with pytest.raises(CommandError, match="evil.exe: Only CSV and XLSX files can be imported"):
        call_command("import_financials", "expenditure", str(evil))
    assert Expenditure.objects.count() == 0


def test_dashboard_shows_filtered_numbers(figures, manager_client):
    url = reverse("delivery:dashboard")
    response = manager_client.get(url, {"year": 2026, "as_of": "2026-06"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-tile="expenditure">290<' in html and 'data-tile="allocation">1,000<' in html
    assert 'id="delivery-chart-data"' in html and "RAF/26/01/USA" in html and "onclick" not in html
    source = figures[0].funding_source
    filtered = manager_client.get(url, {"year": 2026, "as_of": "2026-12", "funding_source": source.pk})
    assert filtered.context["board"].total.expenditure_usd == Decimal("350.00")
    assert "RLA/26/02/USA" not in filtered.content.decode()
    partial = manager_client.get(url, {"year": 2026, "as_of": "2026-12"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and 'data-tile="rate">39.0%' in partial.content.decode()


def test_dashboard_downloads(figures, manager_client):
    url = reverse("delivery:dashboard")
    csv_response = manager_client.get(url, {"year": 2026, "as_of": "2026-06", "format": "csv", "sort": "symbol"})
    assert csv_response["Content-Type"].startswith("text/csv")
    lines = csv_response.content.decode().splitlines()
    assert lines[0] == "symbol,title,status,allocation_usd,expenditure_usd,delivery_rate,forecast_usd,at_risk"
    assert lines[1].startswith("RAF/26/01/USA,") and ",1000.00,250.00,0.2500," in lines[1]
    assert lines[-1].startswith("TOTAL,,,1000.00,290.00,0.2900")
    xlsx = manager_client.get(url, {"year": 2026, "as_of": "2026-06", "format": "xlsx"})
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "symbol" and rows[-1][0] == "TOTAL" and rows[-1][4] == 290


def test_project_panel(figures, manager_client):
    response = manager_client.get(reverse("delivery:project", args=[figures[0].pk]), {"as_of": "2026-09"})
    assert response.status_code == 200
    panel = response.context["panel"]
    assert panel.current.expenditure_usd == Decimal("350.00") and panel.current.delivery_rate == Decimal("0.3500")
    assert b'id="delivery-curve-data"' in response.content


def test_anonymous_redirected_and_secretariat_cannot_upload(client, reference):
    for name in ("delivery:dashboard", "delivery:import"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(UserFactory(username="gb", role="SECRETARIAT"))
    assert client.get(reverse("delivery:dashboard")).status_code == 200
    assert client.get(reverse("delivery:import")).status_code == 403
    assert client.post(reverse("delivery:import"), {"kind": "expenditure"}).status_code == 403


def test_upload_preview_then_confirm(project_a, client, settings, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    client.force_login(UserFactory(username="officer2", role="OFFICER", units=[project_a.responsible_unit]))
    url = reverse("delivery:import")
    bad = SimpleUploadedFile("bad.csv", expenditure_csv("RAF/26/01/USA,2026-01,EXPERTS,USD,10",
                                                        "RAF/26/01/USA,2026-1,EXPERTS,USD,10"))
    html = import_flow.upload(client, capture, url, {"kind": "expenditure", "file": bad}).content.decode()
    assert 'id="import-errors"' in html and "<td>3</td><td>period</td>" in html
    assert Expenditure.objects.count() == 0
    good = SimpleUploadedFile("good.csv", expenditure_csv("RAF/26/01/USA,2026-01,EXPERTS,USD,10"))
    preview = import_flow.upload(client, capture, url, {"kind": "expenditure", "file": good})
    assert b"Confirm the import" in preview.content and Expenditure.objects.count() == 0
    # The file waiting for confirmation is private: under PRIVATE_ROOT, which no URL serves.
    pending = preview.context["job"].stored_name
    assert (Path(settings.PRIVATE_ROOT) / pending).is_file() and not Path(settings.MEDIA_ROOT).exists()
    confirmed = import_flow.confirm(client, capture, preview.context["job"])
    assert Expenditure.objects.count() == 1 and b"import-result-summary" in confirmed.content
    again = client.post(reverse("import_job_confirm", args=[preview.context["job"].pk]), follow=True)
    assert again.status_code == 200 and b"cannot be confirmed any more" in again.content  # applied already
    assert Expenditure.objects.count() == 1


def test_templates_download(client, reference):
    client.force_login(UserFactory(username="reader", role="EVALUATION"))
    response = client.get(reverse("delivery:template", args=["expenditure"]))
    assert response.content.decode().splitlines()[0] == "project_symbol,period,input_type,currency,amount"
    assert client.get(reverse("delivery:template", args=["rates"]), {"format": "xlsx"}).status_code == 200
    assert client.get(reverse("delivery:template", args=["nope"])).status_code == 404


def _portfolio(count, reference):
    region = RegionFactory(code="AMERICAS")
    lines = []
    for index in range(count):
        project = SpendingProjectFactory(symbol=f"RLA/26/{index:02d}/QC", funding_source=reference["XBTC"],
                                         region=region)
        AllocationFactory(project=project, year=2026, funding_source=reference["XBTC"])
        lines.append(f"{project.symbol},2026-0{1 + index % 9},EXPERTS,USD,{index + 1}")
    assert financial_import(kind="expenditure", source=expenditure_csv(*lines)).ok


def test_dashboard_query_count_does_not_grow(reference, manager_client, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = manager_client.get(reverse("delivery:dashboard"), {"year": 2026, "as_of": "2026-10"})
            assert response.status_code == 200
        return len(queries)

    _portfolio(3, reference)
    small = count()
    _portfolio_more = [SpendingProjectFactory(symbol=f"RLA/26/{i:02d}/BIG") for i in range(27)]
    for project in _portfolio_more:
        AllocationFactory(project=project, year=2026, funding_source=reference["XBTC"])
    assert financial_import(kind="expenditure", source=expenditure_csv(
        *[f"{p.symbol},2026-03,TRAINING,USD,5" for p in _portfolio_more])).ok
    with django_assert_max_num_queries(small):
        response = manager_client.get(reverse("delivery:dashboard"), {"year": 2026, "as_of": "2026-10"})
    assert len(response.context["board"].projects) == 30


@pytest.mark.parametrize("kind", ["allocations", "expenditure"])
def test_template_example_is_a_record_of_the_installation_that_imports_unchanged(figures, kind):
    """The example row names a project and codes this installation has (not an invented RLA/12/01/USA), and
    importing the template as downloaded changes nothing."""
    from delivery.services import LAYOUTS, template_rows

    header, example = template_rows(kind)
    assert header == LAYOUTS[kind] and example[0] in {"RAF/26/01/USA", "RLA/26/02/USA"}
    source = "\n".join(",".join(row) for row in (header, example)).encode()
    result = financial_import(kind=kind, source=source, filename="template.csv")
    assert result.ok and (result.created, result.updated, result.unchanged) == (0, 0, 1)
