"""The upload gate (tcms/uploads.py): size, extension and content, for tables and documents, before anything is
expanded."""

import io
import time
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from core import zips
from core.uploads import DOCUMENT, TABLE, UploadValidator, check_file, check_upload
from tests import hostile_files
from tests.hostile_files import MB


def _refusal(name: str, content: bytes, kind: str = TABLE) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        check_upload(SimpleUploadedFile(name, content), kind)
    return caught.value


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_the_307_kb_bomb_is_refused_at_once_with_a_clear_message():
    bomb = hostile_files.bomb_xlsx()
    assert len(bomb) < 400 * 1024
    started = time.perf_counter()
    refusal = _refusal("projects.xlsx", bomb)
    assert time.perf_counter() - started < 2
    message = refusal.messages[0]
    assert "too large once unpacked" in message and "xl/sharedStrings.xml" in message and "300.0" in message
    assert len(message) < 300


def test_a_part_compressed_like_a_bomb_is_refused_below_the_size_limits(settings):
    settings.TCMS_MAX_XLSX_PART_BYTES = settings.TCMS_MAX_XLSX_UNCOMPRESSED_BYTES = 100 * MB
    refusal = _refusal("projects.xlsx", hostile_files.bomb_xlsx(5 * MB))
    assert "possible zip bomb" in refusal.messages[0]


def test_the_total_unpacked_size_is_limited(settings):
    settings.TCMS_MAX_XLSX_UNCOMPRESSED_BYTES = 50 * 1024
    refusal = _refusal("rows.xlsx", hostile_files.many_rows_xlsx(2000))
    assert "too large once unpacked" in refusal.messages[0] and "50.0" in refusal.messages[0]


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("projects.xlsx", b"symbol,title\nA,B\n", "not an XLSX workbook"),
    ("projects.xlsx", b"PK\x03\x04 a torn zip", "not a readable XLSX workbook"),
    ("projects.xlsx", _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}),
     "it has no xl/workbook.xml"),
])
def test_an_xlsx_that_is_not_a_workbook_is_refused(name, content, reason):
    assert reason in _refusal(name, content).messages[0]


def test_a_real_workbook_and_csv_pass():
    check_upload(SimpleUploadedFile("rows.xlsx", hostile_files.many_rows_xlsx(10)), TABLE)
    check_upload(SimpleUploadedFile("rows.csv", hostile_files.many_rows_csv(10)), TABLE)


def test_a_zip_directory_larger_than_any_office_document_is_refused_before_it_is_read(monkeypatch):
    monkeypatch.setattr(zips, "MAX_CENTRAL_DIRECTORY_BYTES", 100)
    assert "not a readable XLSX" in _refusal("rows.xlsx", hostile_files.many_rows_xlsx(10)).messages[0]


@pytest.mark.parametrize("kind", [TABLE, DOCUMENT])
def test_an_executable_is_refused_naming_it_briefly(kind):
    refusal = _refusal("evil.exe", b"MZ\x90\x00" + b"\x00" * 100, kind)
    assert refusal.code == "file_type" and "evil.exe" in refusal.messages[0]
    long_name = "x" * 5000 + ".exe"
    assert len(_refusal(long_name, b"MZ", kind).messages[0]) < 200


def test_a_csv_with_a_nul_anywhere_is_refused():
    assert _refusal("rows.csv", b"symbol\n" + b"A\n" * 5000 + b"B\x00\n").code == "file_type"


def test_documents_are_checked_by_their_signature():
    check_upload(SimpleUploadedFile("report.pdf", hostile_files.pdf()), DOCUMENT)
    check_upload(SimpleUploadedFile("report.docx", hostile_files.docx()), DOCUMENT)
    assert "not a PDF" in _refusal("report.pdf", b"<html>not a pdf</html>", DOCUMENT).messages[0]
    assert "not a Word" in _refusal("report.docx", hostile_files.pdf(), DOCUMENT).messages[0]
    workbook = hostile_files.many_rows_xlsx(1)  # a zip, but not a Word document
    assert "not a Word" in _refusal("report.docx", workbook, DOCUMENT).messages[0]
    assert _refusal("report.xlsx", workbook, DOCUMENT).code == "file_type"
    assert _refusal("rows.pdf", hostile_files.pdf(), TABLE).code == "file_type"


def test_the_size_limit_applies_to_every_kind(settings):
    settings.TCMS_MAX_UPLOAD_BYTES = 1000
    for name, kind in (("rows.csv", TABLE), ("report.pdf", DOCUMENT)):
        assert _refusal(name, b"%PDF-" + b"x" * 2000, kind).code == "file_too_large"


def test_the_validator_checks_new_files_only():
    """A file already stored passed the gate when it was uploaded; editing its record does not read it again."""

    class Stored(ContentFile):
        _committed = True

    validate = UploadValidator(DOCUMENT)
    validate(Stored(b"whatever was stored before the gate", name="old.pdf"))
    with pytest.raises(ValidationError):
        validate(SimpleUploadedFile("new.pdf", b"not a pdf"))
    assert UploadValidator(DOCUMENT) == validate and UploadValidator(TABLE) != validate


def test_a_command_file_passes_the_same_gate(tmp_path):
    good = tmp_path / "rows.csv"
    good.write_bytes(b"symbol\nA\n")
    assert check_file(good, TABLE) == good  # the import then reads it from its path
    evil = tmp_path / "evil.exe"
    evil.write_bytes(b"MZ")
    with pytest.raises(ValidationError):
        check_file(evil, TABLE)


def test_an_upload_is_stored_in_chunks_and_refused_while_written_past_the_limit(settings, tmp_path):
    """The size an upload declares is not trusted: the bytes are counted as they are written, and past the limit
    the write stops, refused with the gate's message, and nothing is kept."""
    from django.core.files.storage import FileSystemStorage

    from core.uploads import store_upload

    settings.TCMS_MAX_UPLOAD_BYTES = 100 * 1024
    storage = FileSystemStorage(location=tmp_path)
    fine = SimpleUploadedFile("rows.csv", b"symbol\n" + b"A\n" * 1000)
    assert storage.open(store_upload(fine, storage, "imports/fine.csv")).read() == b"symbol\n" + b"A\n" * 1000
    liar = SimpleUploadedFile("rows.csv", b"symbol\n" + b"A\n" * 100_000)
    liar.size = 10  # what it claims
    check_upload(liar, TABLE)  # the declared size passes the gate...
    with pytest.raises(ValidationError) as caught:
        store_upload(liar, storage, "imports/liar.csv")  # ...the counted one does not
    assert caught.value.code == "file_too_large"
    assert caught.value.messages == ["The file is too large (195.3\xa0KB); the limit is 100.0\xa0KB."]
    assert storage.listdir("imports") == ([], ["fine.csv"])
