"""What every test runs in: tasks in-process, uploads (public and private) and mail kept in a folder of its own, the
real date and an empty cache. Integration tests that need a real worker start one explicitly
(tests/tcms/celery_worker.py)."""

from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.test.utils import override_settings


@contextmanager
def isolated(folder: Path):
    from tcms.celery import app

    cache.clear()  # e.g. the dashboard's cached filter options must not outlive the test that created them
    with override_settings(
        TCMS_TODAY=None,  # the real date, whatever the settings read from the environment
        CELERY_TASK_ALWAYS_EAGER=True,
        MEDIA_ROOT=folder / "media",
        PRIVATE_ROOT=folder / "private",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        STORAGES={**settings.STORAGES,
                  "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}},
    ):
        app.conf.task_always_eager = True
        try:
            yield
        finally:
            app.conf.task_always_eager = False
