"""The application for bench.api: TCMS, plus /bench/baseline/ answered by a plain Django view returning a constant.

The view is added to the URL patterns only in this module (never in tcms/urls.py), so it exists only in the
benchmark's server; its requests go through the same middleware as the API's.
"""

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()

from django.http import HttpResponse  # noqa: E402  (after Django is set up)
from django.urls import path  # noqa: E402

from tcms import urls  # noqa: E402


def baseline(request):
    return HttpResponse(b"ok", content_type="text/plain")


urls.urlpatterns.append(path("bench/baseline/", baseline))
