import pytest


@pytest.fixture(autouse=True)
def _eager_celery_and_media(settings, tmp_path):
    """Unit tests run tasks in-process and keep uploads and mail in a temporary folder.

    Integration tests that need a real worker start one explicitly (tests/tcms/celery_worker.py).
    """
    from tcms.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    yield
    app.conf.task_always_eager = False
