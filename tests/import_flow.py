"""Driving the import workflow (tcms/imports.py) through its pages in tests.

The tasks run eagerly in tests, but only once the request's transaction commits, which inside a test never happens:
each step runs the work it queued (pytest-django's django_capture_on_commit_callbacks) before the job page is read.
"""

from django.urls import reverse


def upload(client, capture, url: str, data: dict):
    """POST an upload form, run the check it queued, and answer the job page it redirects to."""
    with capture(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return client.get(response.url)


def confirm(client, capture, job):
    """Confirm a checked job as the signed-in user, run the import it queued, and answer the job page."""
    with capture(execute=True):
        response = client.post(reverse("import_job_confirm", args=[job.pk]))
    assert response.status_code == 302
    return client.get(reverse("import_job", args=[job.pk]))
