"""The one gate every uploaded file passes: the import pages, the management commands' files, the API's bulk
imports and the evaluation reports (form, API, service) all call `check_upload`, directly or through
`UploadValidator` on a form, serializer or model field.

A file is refused (ValidationError) when it is empty or larger than TCMS_MAX_UPLOAD_BYTES, when its extension is
not one its kind accepts, or when its content is not what the extension says:
- "table": .csv is text (no NUL, no binary signature); .xlsx is a zip holding `[Content_Types].xml` and
  `xl/workbook.xml`, whose parts declare no more than the unpacked-size and compression limits
  (core.tabular.check_xlsx_archive: checked before anything is unpacked);
- "document": .pdf starts with the `%PDF-` signature; .docx is a zip holding `[Content_Types].xml` and
  `word/document.xml`.
Messages name the file by at most a few dozen characters of its name, never by its content.
"""

import zipfile
from pathlib import Path, PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import CommandError
from django.template.defaultfilters import filesizeformat
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

from core.tabular import XLSX_MAGIC, TableError, excerpt, open_xlsx
from core.zips import open_zip

TABLE, DOCUMENT = "table", "document"
EXTENSIONS = {TABLE: (".csv", ".xlsx"), DOCUMENT: (".pdf", ".docx")}
DOCX_REQUIRED_PARTS = ("[Content_Types].xml", "word/document.xml")
# Signatures of files that are certainly not a CSV table even when named .csv (zip/xlsx, PDF, OLE2 .xls, gzip).
_BINARY_SIGNATURES = (XLSX_MAGIC, b"%PDF", b"\xd0\xcf\x11\xe0", b"\x1f\x8b")
_SNIFF_BYTES = 4096
_CHUNK = 1024 * 1024


def _size(upload) -> int:
    size = getattr(upload, "size", None)
    if size is None:
        position = upload.tell()
        upload.seek(0, 2)
        size = upload.tell()
        upload.seek(position)
    return size


def _chunks(upload):
    upload.seek(0)
    while chunk := upload.read(_CHUNK):
        yield chunk if isinstance(chunk, bytes) else chunk.encode()


def _head(upload) -> bytes:
    upload.seek(0)
    head = upload.read(_SNIFF_BYTES)
    return head if isinstance(head, bytes) else head.encode()


def _wrong_content(extension: str) -> ValidationError:
    messages = {
        ".csv": _("The file is named .csv but is not a text file."),
        ".xlsx": _("The file is named .xlsx but is not an XLSX workbook."),
        ".pdf": _("The file is named .pdf but is not a PDF document."),
        ".docx": _("The file is named .docx but is not a Word (DOCX) document."),
    }
    return ValidationError(messages[extension], code="file_type")


def _check_csv(upload) -> None:
    if _head(upload).startswith(_BINARY_SIGNATURES) or any(b"\x00" in chunk for chunk in _chunks(upload)):
        raise _wrong_content(".csv")


def _open_zip(upload, extension: str) -> zipfile.ZipFile:
    upload.seek(0)
    try:
        return open_zip(upload)
    except zipfile.BadZipFile:
        raise _wrong_content(extension)


def _check_xlsx(upload) -> None:
    if not _head(upload).startswith(XLSX_MAGIC):
        raise _wrong_content(".xlsx")
    upload.seek(0)
    try:
        open_xlsx(upload).close()
    except TableError as exc:
        raise ValidationError(" ".join(error.message for error in exc.errors), code="file_content")


def _check_pdf(upload) -> None:
    if not _head(upload).startswith(b"%PDF-"):
        raise _wrong_content(".pdf")


def _check_docx(upload) -> None:
    if not _head(upload).startswith(XLSX_MAGIC):
        raise _wrong_content(".docx")
    with _open_zip(upload, ".docx") as archive:
        names = set(archive.namelist())
    if not all(part in names for part in DOCX_REQUIRED_PARTS):
        raise _wrong_content(".docx")


CONTENT_CHECKS = {".csv": _check_csv, ".xlsx": _check_xlsx, ".pdf": _check_pdf, ".docx": _check_docx}


def _type_refused(kind: str, name: str) -> ValidationError:
    shown = excerpt(PurePath(name).name)
    if kind == TABLE:
        return ValidationError(_("Only CSV and XLSX files can be imported (the file is “%(name)s”).") % {
            "name": shown}, code="file_type")
    return ValidationError(_("Only PDF and DOCX documents are accepted (the file is “%(name)s”).") % {
        "name": shown}, code="file_type")


def _too_large(size: int, limit: int) -> ValidationError:
    return ValidationError(_("The file is too large (%(size)s); the limit is %(limit)s.") % {
        "size": filesizeformat(size), "limit": filesizeformat(limit)}, code="file_too_large")


def check_upload(upload, kind: str) -> None:
    """Refuse (ValidationError naming the reason) an uploaded file of `kind` ("table" or "document") that is too
    big, empty, of another type, or whose content does not match its name. Leaves the file at its start."""
    if kind not in EXTENSIONS:
        raise ValueError(f"Unknown upload kind {kind!r}")
    limit = settings.TCMS_MAX_UPLOAD_BYTES
    size = _size(upload)
    if size > limit:
        raise _too_large(size, limit)
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty_file")
    name = getattr(upload, "name", "") or ""
    extension = PurePath(name).suffix.lower()
    if extension not in EXTENSIONS[kind]:
        raise _type_refused(kind, name)
    try:
        CONTENT_CHECKS[extension](upload)
    finally:
        upload.seek(0)


class _CountedUpload(File):
    """An upload as a storage reads it to write it (chunks() or read()), counted as it goes: past the limit, the
    write is refused."""

    def __init__(self, upload, limit: int):
        super().__init__(upload, name=getattr(upload, "name", None))
        self.limit, self.counted = limit, 0

    def read(self, size=-1):
        chunk = self.file.read(size)
        self.counted += len(chunk)
        if self.counted > self.limit:
            # The rest is only counted, so that the message gives the file's size.
            while rest := self.file.read(_CHUNK):
                self.counted += len(rest)
            raise _too_large(self.counted, self.limit)
        return chunk

    def seek(self, offset, whence=0):
        position = self.file.seek(offset, whence)
        self.counted = self.file.tell()
        return position


def store_upload(upload, storage, name: str) -> str:
    """Write a checked upload to `storage` under `name`, a chunk at a time, its size counted as it is written (the
    size an upload declares is not trusted): past TCMS_MAX_UPLOAD_BYTES the write is refused (ValidationError, the
    gate's message) and nothing is kept. Answers the name it is stored under."""
    name = storage.get_available_name(name)
    try:
        return storage.save(name, _CountedUpload(upload, settings.TCMS_MAX_UPLOAD_BYTES))
    except BaseException:
        if storage.exists(name):
            storage.delete(name)
        raise


def check_file(path, kind: str) -> Path:
    """A file on disk (a management command's argument) that passed the same gate as an upload, to be read from its
    path by the import: ValidationError if it does not pass, OSError if it cannot be read."""
    path = Path(path)
    with path.open("rb") as handle:
        check_upload(File(handle, name=path.name), kind)
    return path


def command_file(path) -> Path:
    """check_file for a management command's table: a file it cannot read, or one the gate refuses, stops the
    command with the reason."""
    try:
        return check_file(path, TABLE)
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc}")
    except ValidationError as exc:
        raise CommandError(" ".join(exc.messages))


@deconstructible
class UploadValidator:
    """check_upload as a field validator. A file stored earlier (a model's FieldFile already saved) is not checked
    again: it passed when it was uploaded, and editing its record must not depend on re-reading it."""

    def __init__(self, kind: str):
        self.kind = kind

    def __call__(self, value) -> None:
        if not value or getattr(value, "_committed", False):
            return
        check_upload(value, self.kind)

    def __eq__(self, other):
        return isinstance(other, UploadValidator) and other.kind == self.kind


validate_table_upload = UploadValidator(TABLE)
validate_document_upload = UploadValidator(DOCUMENT)
