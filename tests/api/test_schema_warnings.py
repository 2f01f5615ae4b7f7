"""The OpenAPI schema is generated without a warning or an error, with one meaningful name per choice set and
one operationId per operation (what client generators turn into type and method names)."""

from collections import Counter

import pytest
import yaml
from django.core.management import CommandError, call_command
from drf_spectacular.drainage import GENERATOR_STATS


@pytest.fixture
def schema_file(tmp_path):
    # The warning counter is process-wide: start from zero so only this generation counts, and leave it clean.
    GENERATOR_STATS.reset()
    path = tmp_path / "schema.yml"
    yield path
    GENERATOR_STATS.reset()


def test_schema_generation_reports_no_warning_or_error(schema_file, capsys):
    try:
        call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(schema_file))
    except CommandError as exc:
        pytest.fail(f"{exc}\n{capsys.readouterr().err}")
    assert "Warning" not in capsys.readouterr().err
    assert schema_file.stat().st_size > 0


def test_choice_sets_and_operations_have_names_of_their_own(schema_file):
    call_command("spectacular", "--file", str(schema_file))
    schema = yaml.safe_load(schema_file.read_text())
    components = schema["components"]["schemas"]
    assert {"ProjectStatusEnum", "EvaluationStatusEnum", "FollowUpStatusEnum", "AlertStateEnum",
            "OrganisationKindEnum", "ResultKindEnum", "LessonKindEnum", "RatingEnum"} <= set(components)
    assert "PIPELINE" in components["ProjectStatusEnum"]["enum"]
    assert components["RatingEnum"]["enum"] == [6, 5, 4, 3, 2, 1]
    evaluation = components["Evaluation"]["properties"]
    for criterion in ("relevance", "impact", "sustainability"):
        assert {"$ref": "#/components/schemas/RatingEnum"} in evaluation[criterion]["oneOf"]
    # No collision was resolved with a hash or numeral suffix.
    assert not [name for name in components if name.endswith("Enum") and any(ch.isdigit() for ch in name)]
    operation_ids = Counter(operation["operationId"] for path in schema["paths"].values()
                            for method, operation in path.items() if isinstance(operation, dict))
    assert [name for name, count in operation_ids.items() if count > 1] == []
    assert not [name for name in operation_ids if name[-2:-1] == "_" and name[-1].isdigit()]
    assert schema["paths"]["/api/v1/delivery/"]["get"]["operationId"] == "delivery_figures"
