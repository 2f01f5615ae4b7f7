"""Text stored before TCMS refused control characters cannot break the IATI publication: the file stays valid
against the schema, without the characters.

Found by an attacker's probe: a project title holding U+000B or U+0001 made the IATI export fail.
"""

import pytest
from lxml import etree

from accounts.models import Role
from evaluation.models import Evaluation, Result
from partners.models import Organisation
from projects.models import Project
from tests.factories import UserFactory

URL = "/api/v1/iati/activities.xml"


@pytest.fixture
def old_text(portfolio):
    """As the probe left it: written straight to the database, as if stored before the rule existed."""
    project = portfolio[2]
    Project.objects.filter(pk=project.pk).update(title="Child\x0b labour\x01", summary="What\x01 it does\x0c")
    Organisation.objects.filter(name="US Department of Labor").update(name="US\x0b Department of Labor")
    Result.objects.filter(project=project).update(title="Children\x01 in school", description="More\x0b of them")
    Evaluation.objects.filter(projects=project).update(title="Final\x01 evaluation")
    return project


def test_the_export_stays_valid_without_the_characters(old_text, client, iati_schema):
    client.force_login(UserFactory(role=Role.MANAGER))
    response = client.get(URL)
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    document = etree.fromstring(content)
    iati_schema.assertValid(document)
    narratives = {element.text for element in document.iter("narrative")}
    assert {"Child labour", "What it does", "US Department of Labor", "Children in school",
            "More of them", "Final evaluation"} <= narratives
    assert b"\x01" not in content and b"\x0b" not in content
