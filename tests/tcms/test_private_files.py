"""Private files (tcms/private_files.py): the storage has no URL and plain names, the download response streams the
file or hands it to the web server, no URL under /media/ exists, and files saved under MEDIA_ROOT before they were
private are moved into the private storage."""

import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.http import Http404
from django.urls import Resolver404, resolve

from core.private_files import private_file_names, private_file_response, private_storage, relocate_files
from reports.models import ReportRequest
from tests.evaluation.factories import EvaluationFactory


def test_the_private_storage_lives_under_private_root_and_makes_no_url(settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path / "elsewhere"
    name = private_storage().save("reports/2026/a.pdf", ContentFile(b"%PDF"))
    assert (tmp_path / "elsewhere" / name).read_bytes() == b"%PDF"
    with pytest.raises(ValueError, match="no URL"):
        private_storage().url(name)


@pytest.mark.parametrize(("uploaded", "stored"), [
    ("Rapport d'évaluation final.PDF", "rapport-devaluation-final.pdf"),
    ("../../etc/passwd", "passwd"),
    ("报告.docx", "file.docx"),
    ('a"b\r\nX-Header: 1.pdf', "ab-x-header-1.pdf"),
])
def test_stored_names_are_plain_ascii(uploaded, stored):
    assert Path(private_storage().generate_filename(f"evaluations/2026/{Path(uploaded).name}")).name == stored


def test_no_url_under_media_is_served():
    for path in ("/media/evaluations/2026/report.pdf", "/media/reports/2026/gb-annual-2026-en-1.pdf", "/media/"):
        with pytest.raises(Resolver404):
            resolve(path)


@pytest.mark.django_db
class TestResponse:
    @pytest.fixture
    def report(self):
        report = ReportRequest(kind="annual", year=2000, format="pdf", language="en", status="DONE")
        report.file.save("gb annual é.pdf", ContentFile(b"%PDF-1.4 annual"), save=True)
        return report

    def test_off_streams_the_file_as_an_attachment(self, report, settings):
        settings.TCMS_SENDFILE = "off"
        response = private_file_response(report.file, content_type="application/pdf")
        assert b"".join(response.streaming_content) == b"%PDF-1.4 annual"
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'attachment; filename="gb-annual-e.pdf"'

    def test_x_accel_redirect_names_the_internal_location_and_sends_no_body(self, report, settings):
        settings.TCMS_SENDFILE, settings.TCMS_SENDFILE_PREFIX = "x-accel-redirect", "/private-files/"
        response = private_file_response(report.file, content_type="application/pdf")
        assert response["X-Accel-Redirect"] == f"/private-files/{report.file.name}"
        assert response.content == b""
        assert response["Content-Disposition"] == 'attachment; filename="gb-annual-e.pdf"'
        assert "X-Sendfile" not in response

    def test_x_sendfile_names_the_file_where_the_web_server_sees_it(self, report, settings):
        settings.TCMS_SENDFILE, settings.TCMS_SENDFILE_PREFIX = "x-sendfile", "/srv/tcms/var/private"
        response = private_file_response(report.file, content_type="application/pdf")
        assert response["X-Sendfile"] == f"/srv/tcms/var/private/{report.file.name}"
        assert response.content == b"" and "X-Accel-Redirect" not in response

    def test_a_file_missing_on_disk_is_not_found(self, report, settings):
        settings.TCMS_SENDFILE = "off"
        private_storage().delete(report.file.name)
        with pytest.raises(Http404):
            private_file_response(report.file, content_type="application/pdf")


# ---------------------------------------------------------------- files saved under MEDIA_ROOT before


def _legacy_file(settings, name: str, content: bytes) -> Path:
    path = Path(settings.MEDIA_ROOT) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


@pytest.mark.django_db
def test_the_migrations_move_earlier_files_into_the_private_storage_and_back(settings):
    evaluation = EvaluationFactory()
    report = ReportRequest.objects.create(kind="annual", year=2000, format="pdf", language="en", status="DONE")
    # Rows as the earlier version left them: names under MEDIA_ROOT, one of them also in the history only.
    type(evaluation).objects.filter(pk=evaluation.pk).update(report="evaluations/2025/old.pdf")
    evaluation.history.update(report="evaluations/2024/older.pdf")
    ReportRequest.objects.filter(pk=report.pk).update(file="reports/2025/gb.pdf")
    old_files = [_legacy_file(settings, name, name.encode()) for name in
                 ("evaluations/2025/old.pdf", "evaluations/2024/older.pdf", "reports/2025/gb.pdf")]
    _legacy_file(settings, "unrelated/readme.txt", b"stays")

    for module in ("evaluation.migrations.0004_report_private_storage", "reports.migrations.0002_file_private_storage"):
        importlib.import_module(module).to_private(apps, None)
    private = Path(settings.PRIVATE_ROOT)
    for old in old_files:
        name = old.relative_to(settings.MEDIA_ROOT)
        assert not old.exists() and (private / name).read_bytes() == str(name).encode()
    assert (Path(settings.MEDIA_ROOT) / "unrelated/readme.txt").exists()
    evaluation.refresh_from_db()
    assert evaluation.report.open("rb").read() == b"evaluations/2025/old.pdf"

    for module in ("evaluation.migrations.0004_report_private_storage", "reports.migrations.0002_file_private_storage"):
        importlib.import_module(module).to_media(apps, None)
    assert all(old.exists() for old in old_files)


def test_relocation_leaves_missing_existing_and_outside_names_alone(tmp_path):
    source, target = tmp_path / "media", tmp_path / "private"
    (source / "a").mkdir(parents=True)
    (source / "a/moved.pdf").write_bytes(b"1")
    (source / "a/kept.pdf").write_bytes(b"old")
    (target / "a").mkdir(parents=True)
    (target / "a/kept.pdf").write_bytes(b"new")
    (tmp_path / "secret.txt").write_bytes(b"s")
    moved = relocate_files(["a/moved.pdf", "a/kept.pdf", "a/missing.pdf", "../secret.txt"], source=source,
                           target=target)
    assert moved == 1
    assert (target / "a/moved.pdf").read_bytes() == b"1" and (target / "a/kept.pdf").read_bytes() == b"new"
    assert (source / "a/kept.pdf").exists() and (tmp_path / "secret.txt").exists()


@pytest.mark.django_db
def test_private_file_names_lists_every_private_field():
    evaluation = EvaluationFactory()
    evaluation.report.save("report.pdf", ContentFile(b"%PDF"), save=True)
    report = ReportRequest(kind="annual", year=2000, format="csv", language="en", status="DONE")
    report.file.save("annual.zip", ContentFile(b"PK"), save=True)
    assert private_file_names(apps) == {evaluation.report.name, report.file.name}
    assert private_file_names(apps, "reports") == {report.file.name}
