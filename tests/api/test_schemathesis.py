"""Property-based check of the whole API against its own OpenAPI schema (schemathesis, in-process through the WSGI
application, authenticated by a token): no server error (5xx) and every documented response matches its schema.

The schema is generated in-process when the module is collected (drf-spectacular, as /api/v1/schema/ serves it);
each operation becomes one test. Bounded so the suite stays quick: a few examples per operation, no shrinking.
"""

import datetime as dt
import json

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from accounts.models import Role
from alerts.models import Alert, Rule
from evaluation.models import EvaluationStatus
from projects.models import ProjectPartner, TripartiteInvolvement
from tests import shared_data
from tests.evaluation.factories import EvaluationFactory, LessonFactory, PeriodFactory, RecommendationFactory
from tests.factories import (
    InputTypeFactory,
    OrganisationFactory,
    ProjectFactory,
    UnitFactory,
    UserFactory,
    api_token_for,
)

MAX_EXAMPLES = 2


def build_api_data() -> dict:
    """A project with a record of every kind the API serves, and an administrator's token."""
    project = ProjectFactory(responsible_unit=UnitFactory(code="ST-UNIT"))
    ProjectPartner.objects.create(project=project, organisation=OrganisationFactory(), role="FUNDING")
    TripartiteInvolvement.objects.create(project=project, stage="FORMULATION", group="GOVERNMENT")
    InputTypeFactory()
    PeriodFactory(indicator__result__project=project)
    RecommendationFactory(evaluation=EvaluationFactory(projects=[project], status=EvaluationStatus.COMPLETED,
                                                       actual_date=dt.date(2001, 11, 15)))
    LessonFactory(project=project)
    Alert.objects.create(project=project, rule=Rule.objects.get(code="LOW_DELIVERY"), period=2001,
                         severity="AMBER", raised_on=dt.date(2001, 6, 30))
    return {"project": project, "token": api_token_for(UserFactory(username="schemathesis", role=Role.ADMIN))}


# Built once for the module; each test starts from it as built (tests/shared_data.py).
shared_api_data = shared_data.module_fixture(build_api_data, name="shared_api_data")


@pytest.fixture
def api_data(shared_api_data, db, request, settings):
    settings.ALLOWED_HOSTS = ["*"]
    # The WSGI handler closes "old" connections around each request; inside the test's transaction that would
    # spoil it, so (as Django's test client does) those signal handlers are off while the schema is exercised.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield shared_api_data.for_test(request)["project"]
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_token(shared_api_data):
    return shared_api_data.value["token"]


def _openapi() -> dict:
    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


# The IATI file is XML (not described by the JSON schema checks) and has its own tests in tests/iati,
# including bad query values with control characters.
schema = schemathesis.openapi.from_dict(_openapi()).exclude(path_regex="^/api/v1/iati/")
schema.config.generation.update(modes=[schemathesis.GenerationMode.POSITIVE], deterministic=True, database="none")
schema.app = WSGIHandler()


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case, api_data, api_token):
    case.call_and_validate(headers={"Authorization": f"Token {api_token}"},
                           checks=[not_a_server_error, response_schema_conformance])
