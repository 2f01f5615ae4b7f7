"""No query parameter fails a page: out-of-range years, months and ids answer with the page (falling back to the
default with a message saying so) or a 4xx, never a server error.

The findings of an attacker's probe are reproduced first as they were found (`/delivery/?as_of=0000-01` or
`9999-12`, `/evaluation/dashboard/?year=0` or a 23-digit year, `/evaluation/new/?project=abc` answered 500). Then a
property-based walk requests every page of the access matrix (tests/web/test_access_matrix.py) with hostile values
in the parameters it reads, signed in as an administrator and as an officer. The parameters of a page are those of
its filter forms, those it reads itself (declared in READS, which test_every_parameter_read_is_declared holds to the
views' code) and COMMON ones.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.models import Role
from alerts.filters import AlertFilterSet
from delivery.filters import DeliveryFilterSet, DeliveryPeriodForm
from evaluation.filters import EvaluationFilterSet, LessonFilterSet
from projects.filters import ProjectFilterSet
from tests.evaluation.factories import EvaluationFactory
from tests.factories import ProjectFactory, UserFactory
from tests.web.test_access_matrix import MATRIX, shared_world, world  # noqa: F401 — the fixtures the pages need

pytestmark = pytest.mark.django_db

BOUNDED = hypothesis_settings(max_examples=12, deadline=None, database=None,
                              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Read by many pages (pagination, sorting, downloads) or named like what pages take (years, months, ids).
COMMON = ["page", "sort", "format", "year", "as_of", "period", "q", "project", "evaluation", "id", "pk", "tab"]
# page → the filter forms it reads (every field of theirs is a parameter)
FILTERS = {
    "projects:list": [ProjectFilterSet], "projects:export": [ProjectFilterSet],
    "delivery:dashboard": [DeliveryFilterSet, DeliveryPeriodForm], "delivery:project": [DeliveryPeriodForm],
    "alerts:list": [AlertFilterSet], "evaluation:plan": [EvaluationFilterSet], "evaluation:lessons": [LessonFilterSet],
}
# page → the parameters its view reads itself from request.GET
READS = {
    "projects:list": ["scope", "sort", "page"], "projects:export": ["scope", "sort", "format"],
    "projects:detail": ["tab"], "delivery:dashboard": ["sort", "format", "page"], "delivery:template": ["format"],
    "alerts:list": ["page"], "alerts:slippage": ["period"], "alerts:mail": ["file", "page"],
    "evaluation:plan": ["page"], "evaluation:lessons": ["page", "q"], "evaluation:create": ["project"],
    "evaluation:dashboard": ["year"], "evaluation:lesson_create": ["evaluation", "project"], "reports:list": ["mine"],
    "projects:organisation_create": ["project", "next"],
}
GET_PAGES = sorted(name for name, page in MATRIX.items() if page.method == "get")

HOSTILE_VALUES = [
    "0", "-1", "1", "2", "2001", "2001-06", "9" * 23, "-" + "9" * 23, "1" + "0" * 22, "0000-01", "9999-12",
    "2001-13", "2001-00", "10000-01", "٢٠٠١", "٢٠٠١-٠٦", "١", "\x00", "a\x00b", "x" * 5000, "", " ", "abc",
    "1e309", "NaN", "-0", "1.5", "true", "on", "mine", "csv", "xlsx", "pdf", "-rate", "-symbol", "overview",
    "history", "../secret_key", ".", "/etc/passwd", "<script>x</script>", "' OR 1=1 --", "\u202e", "%00",
]
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


def parameters(name: str) -> list[str]:
    names = {*COMMON, *READS.get(name, [])}
    for source in FILTERS.get(name, []):
        names |= set(getattr(source, "base_filters", None) or source.base_fields)
    return sorted(names)


def queries(name: str):
    """{parameter: [values]}: one to four parameters of the page, each given once or repeated."""
    value = st.one_of(st.sampled_from(HOSTILE_VALUES), TEXT)
    return st.dictionaries(st.sampled_from(parameters(name)), st.lists(value, min_size=1, max_size=3),
                           min_size=1, max_size=4)


@pytest.fixture
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # the walk is not about passwords


def test_hostile_query_parameters_never_fail_a_page(fast_hashing, world):  # noqa: F811 — the fixture imported above
    """Each page in turn (one world for all: building it is what costs), a few hostile queries each."""
    clients = []
    for role in (Role.ADMIN, Role.OFFICER):
        client = Client()
        client.force_login(world.users[role])
        clients.append((role, client))
    for name in GET_PAGES:
        _walk(clients, reverse(name, kwargs=MATRIX[name].kwargs(world)), name)


def _walk(clients, url: str, name: str) -> None:
    @BOUNDED
    @given(query=queries(name))
    def walk(query):
        for role, client in clients:
            response = client.get(url, query)
            assert response.status_code < 500, (role, url, query)

    walk()


# The values that broke pages before (or could): each alone, in each parameter a view parses itself.
SHARP_VALUES = ["0", "-1", "9" * 23, "0000-01", "9999-12", "٢٠٠١", "\x00", "abc", "x" * 5000, "1e309",
                "../secret_key", ""]


def test_each_parameter_a_view_reads_itself_with_each_sharp_value(fast_hashing, world):  # noqa: F811
    """Deterministic, beside the walk: these parameters are parsed by hand, where the 500s were found."""
    client = Client()
    client.force_login(world.users[Role.ADMIN])
    for name, names in sorted(READS.items()):
        url = reverse(name, kwargs=MATRIX[name].kwargs(world))
        for parameter in names:
            for value in SHARP_VALUES:
                response = client.get(url, {parameter: value})
                assert response.status_code < 500, (url, parameter, value[:20])
            response = client.get(url, {parameter: SHARP_VALUES[:3]})  # repeated
            assert response.status_code < 500, (url, parameter, "repeated")


def test_every_parameter_read_is_declared():
    """A view that starts reading a parameter from the address must have it declared above, so the walk tries it."""
    read = set()
    for views in Path(settings.BASE_DIR).glob("*/views.py"):
        source = views.read_text()
        read |= set(re.findall(r"GET(?:\.get|\.getlist)?\(\s*[\"'](\w+)[\"']", source))
        read |= set(re.findall(r"GET\[[\"'](\w+)[\"']\]", source))
        read |= set(re.findall(r"(?:int|object)_param\(\s*request,\s*[\"'](\w+)[\"']", source))
    assert read, "no parameter found: the patterns above no longer match the views' code"
    declared = {*COMMON, *(name for names in READS.values() for name in names)}
    assert not sorted(read - declared)
    assert set(READS) <= set(GET_PAGES) and set(FILTERS) <= set(GET_PAGES)


# ---------------------------------------------------------------- the findings, as found


@pytest.fixture
def manager(client):
    client.force_login(UserFactory(role=Role.MANAGER))
    return client


@pytest.mark.parametrize("as_of", ["0000-01", "9999-12"])
def test_the_dashboard_falls_back_from_a_month_out_of_range(manager, as_of):
    response = manager.get(reverse("delivery:dashboard"), {"as_of": as_of})
    assert response.status_code == 200
    assert "Give a month between 1950-01 and 2100-12." in response.content.decode()
    assert response.context["as_of"].year not in (0, 9999)  # the default period
    download = manager.get(reverse("delivery:dashboard"), {"as_of": as_of, "format": "xlsx"})
    assert download.status_code == 200
    project = ProjectFactory()
    panel = manager.get(reverse("delivery:project", args=[project.pk]), {"as_of": as_of})
    assert panel.status_code == 200 and "Give a month between 1950-01 and 2100-12." in panel.content.decode()


@pytest.mark.parametrize("year", ["0", "1" + "0" * 22, "-5", "abc"])
def test_the_evaluation_dashboard_falls_back_from_a_year_out_of_range(manager, year):
    EvaluationFactory(status="COMPLETED", actual_date="2001-06-01", projects=[ProjectFactory()])
    response = manager.get(reverse("evaluation:dashboard"), {"year": year})
    assert response.status_code == 200
    assert response.context["year"] == 2001
    assert "must be a whole number from 1950 to 2100; it was ignored." in response.content.decode()


def test_a_new_evaluation_ignores_a_project_that_is_not_an_id(client):
    client.force_login(UserFactory(role=Role.EVALUATION))
    response = client.get(reverse("evaluation:create"), {"project": "abc"})
    assert response.status_code == 200
    assert "names nothing that exists; it was ignored." in response.content.decode()
    project = ProjectFactory()
    response = client.get(reverse("evaluation:create"), {"project": project.pk})
    assert response.status_code == 200
    assert list(response.context["form"].initial["projects"]) == [project.pk]
