import io

import pytest
from django.core.management import CommandError, call_command
from django.test.utils import override_settings
from lxml import etree

from accounts.models import Role
from projects.models import ProjectStatus
from tests.factories import ProgrammeFactory, UserFactory, api_token_for

URL = "/api/v1/iati/activities.xml"


def identifiers(xml: bytes) -> list[str]:
    return [a.findtext("iati-identifier") for a in etree.fromstring(xml).iter("iati-activity")]


def test_command_writes_a_valid_file_with_filters(portfolio, iati_schema, tmp_path):
    out = tmp_path / "activities.xml"
    stdout = io.StringIO()
    call_command("export_iati", "--status", ProjectStatus.ONGOING, "--status", ProjectStatus.CANCELLED,
                 "--out", str(out), stdout=stdout)
    document = etree.parse(str(out))
    iati_schema.assertValid(document)
    assert sorted(i.rsplit("-", 1)[-1] for i in identifiers(out.read_bytes())) == [
        "INT/99/06/MUL", "RAF/00/M07/USA", "SEN/00/07/NOR"]
    assert "3 activities written" in stdout.getvalue()
    assert not (tmp_path / "activities.xml.partial").exists()


def test_command_since_and_refusals(portfolio, tmp_path):
    out = tmp_path / "a.xml"
    call_command("export_iati", "--since", "2000-01-01", "--out", str(out), stdout=io.StringIO())
    assert len(identifiers(out.read_bytes())) == len(portfolio)
    with pytest.raises(CommandError, match="--since"):
        call_command("export_iati", "--since", "yesterday", "--out", str(tmp_path / "b.xml"))
    assert not (tmp_path / "b.xml").exists()
    with pytest.raises(CommandError):
        call_command("export_iati", "--status", "FINISHED", "--out", str(tmp_path / "c.xml"))


def test_endpoint_requires_authentication(portfolio, client):
    response = client.get(URL)
    assert response.status_code in (401, 403)
    assert b"iati-activity" not in response.content


@override_settings(TCMS_IATI_PUBLIC=True)
def test_endpoint_can_be_public(portfolio, client, iati_schema):
    response = client.get(URL)
    assert response.status_code == 200
    iati_schema.assertValid(etree.fromstring(b"".join(response.streaming_content)))


@pytest.mark.parametrize("role", [Role.OFFICER, Role.MANAGER, Role.SECRETARIAT])
def test_endpoint_streams_valid_xml_to_signed_in_users(portfolio, client, iati_schema, role):
    client.force_login(UserFactory(role=role))
    response = client.get(URL, {"status": [ProjectStatus.ONGOING, ProjectStatus.SUSPENDED]},
                          HTTP_ACCEPT="application/xml")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "application/xml"
    xml = b"".join(response.streaming_content)
    iati_schema.assertValid(etree.fromstring(xml))
    assert sorted(i.rsplit("-", 1)[-1] for i in identifiers(xml)) == [
        "RAF/00/M07/USA", "RER/00/05/NOR", "SEN/00/07/NOR"]


def test_endpoint_accepts_token_and_refuses_bad_filters(portfolio, client):
    key = api_token_for(UserFactory())
    response = client.get(URL, {"since": "not-a-date"}, HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 400
    assert b"since" in response.content
    response = client.get(URL, {"since": "2000-01-01"}, HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert len(identifiers(b"".join(response.streaming_content))) == len(portfolio)


def test_vocabularies_list_our_codes(db, client):
    ProgrammeFactory(code="IPEC")
    client.force_login(UserFactory())
    response = client.get("/api/v1/iati/vocabularies/programmes.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "IPEC,Programme IPEC,2000-01" in response.content.decode()
    response = client.get("/api/v1/iati/vocabularies/objectives.csv")
    assert "2,Strategic objective 2,2000-01" in response.content.decode()


def test_bad_filter_with_control_characters_answers_well_formed_xml(portfolio, client):
    from lxml import etree

    client.force_login(UserFactory())
    response = client.get(URL, {"since": "2000\x01-01"}, HTTP_ACCEPT="application/xml")
    assert response.status_code == 400
    root = etree.fromstring(response.content)
    assert root.tag == "errors" and "since" in etree.tostring(root).decode()


def test_no_matching_project_is_refused_rather_than_published_invalid(portfolio, client, tmp_path):
    out = tmp_path / "none.xml"
    with pytest.raises(CommandError, match="No project matches"):
        call_command("export_iati", "--since", "2999-01-01", "--out", str(out), stdout=io.StringIO())
    assert not out.exists() and not (tmp_path / "none.xml.partial").exists()
    client.force_login(UserFactory())
    response = client.get(URL, {"since": "2999-01-01"}, HTTP_ACCEPT="application/xml")
    assert response.status_code == 404
    assert b"No project matches" in response.content
    assert b"iati-activities" not in response.content
