"""Private files: evaluation reports, generated reports and pending imports.

They live in the "private" storage (settings.PRIVATE_ROOT), which no URL serves. A model field holding one is a
`PrivateFileField` naming its download view: the file's `.url` is that view, which checks the reader's permission
and answers with `private_file_response` (Django streams the file, or nginx/Apache/lighttpd do when
TCMS_SENDFILE says so). The storage itself refuses to make a URL, so nothing can link to the files directly.
"""

import shutil
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import models
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header
from django.utils.text import slugify


class PrivateStorage(FileSystemStorage):
    """Files under settings.PRIVATE_ROOT, with plain ASCII names (safe in a download header and for the web server's
    X-Sendfile), and no URL."""

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_ROOT)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def get_valid_name(self, name):
        stem, dot, extension = str(name).rpartition(".")
        if not dot:
            stem, extension = extension, ""
        stem = slugify(stem)[:100] or "file"
        extension = slugify(extension)[:10]
        return f"{stem}.{extension}" if extension else stem

    def url(self, name):
        raise ValueError("A private file has no URL of its own: link to its download view.")


def private_storage() -> PrivateStorage:
    """The private storage (STORAGES["private"]); FileFields take this callable, so migrations name it."""
    return storages["private"]


class PrivateFieldFile(FieldFile):
    @property
    def url(self):
        self._require_file()
        return reverse(self.field.download_view, kwargs={"pk": self.instance.pk})


class PrivateFileField(models.FileField):
    """A FileField in the private storage whose `.url` is `download_view` (a URL name taking the object's pk)."""

    attr_class = PrivateFieldFile

    def __init__(self, *args, download_view: str = "", **kwargs):
        self.download_view = download_view
        kwargs.setdefault("storage", private_storage)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["download_view"] = self.download_view
        return name, path, args, kwargs


def private_file_response(file: FieldFile, *, content_type: str) -> HttpResponse:
    """The file as an attachment under its stored name. The caller has checked the reader's permission.

    TCMS_SENDFILE "off": Django streams the file. "x-accel-redirect" (nginx) and "x-sendfile" (Apache's
    mod_xsendfile, lighttpd): an empty answer whose header tells the web server which file to send, found under
    TCMS_SENDFILE_PREFIX (the internal location, or the folder where the web server sees PRIVATE_ROOT).
    """
    if not file:
        raise Http404
    filename = Path(file.name).name
    mode = settings.TCMS_SENDFILE
    if mode == "off":
        try:
            handle = file.storage.open(file.name, "rb")
        except FileNotFoundError:
            raise Http404
        return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response = HttpResponse(content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    location = settings.TCMS_SENDFILE_PREFIX.rstrip("/") + "/" + file.name
    if mode == "x-accel-redirect":
        response["X-Accel-Redirect"] = quote(location, safe="/")  # a URI, which nginx decodes
    else:
        response["X-Sendfile"] = location  # a path
    return response


# ---------------------------------------------------------------- files saved before they were private


def private_file_names(apps, app_label: str | None = None) -> set[str]:
    """The names stored in every PrivateFileField (of one app, or all), e.g. to move them into the storage."""
    names = set()
    for model in apps.get_models():
        if app_label is not None and model._meta.app_label != app_label:
            continue
        for field in model._meta.fields:
            if isinstance(field, PrivateFileField):
                names.update(model._default_manager.exclude(**{field.name: ""})
                             .values_list(field.name, flat=True).distinct())
    return names


def relocate_files(names: Iterable[str], *, source: Path, target: Path) -> int:
    """Move each named file from the folder `source` to the same name under `target`; a file missing from
    `source`, already in `target`, or whose name points outside `source` stays where it is. Returns how many moved.
    """
    source, target = Path(source).resolve(), Path(target).resolve()
    moved = 0
    for name in names:
        old, new = (source / name).resolve(), (target / name).resolve()
        if not (old.is_relative_to(source) and new.is_relative_to(target)) or not old.is_file() or new.exists():
            continue
        new.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(old, new)
        moved += 1
    return moved
