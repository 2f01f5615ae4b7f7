"""A new partner organisation from the project form's picker: one service (partners.services.organisation_create)
for the page, the admin and the API, refusing a name or acronym that repeats a known organisation's (ignoring
case, accents and spaces) with the field and the existing organisation named; who may add one."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from partners import services
from partners.models import Organisation, OrganisationKind
from tests.factories import OrganisationFactory, ProjectFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db
CIVIL_SOCIETY = OrganisationKind.CIVIL_SOCIETY


@pytest.fixture
def ituc(db):
    return OrganisationFactory(name="International Trade Union Confederation", acronym="ITUC",
                               kind=OrganisationKind.WORKERS)


@pytest.fixture
def unit(db):
    return UnitFactory(code="RO-PICKER")


@pytest.fixture
def officer(unit):
    return UserFactory(username="picker-officer", role="OFFICER", units=[unit])


@pytest.fixture
def project(unit):
    return ProjectFactory(responsible_unit=unit)


def _create(user, **values):
    return services.organisation_create(**{"name": "Confédération syndicale des travailleurs", "acronym": "CST",
                                           "kind": OrganisationKind.WORKERS, "user": user, **values})


@pytest.mark.parametrize("values, field", [
    ({"name": "International Trade Union Confederation"}, "name"),
    ({"name": "  international trade UNION confederation "}, "name"),
    ({"name": "Internatíonal Trade Ünion Confédération"}, "name"),
    ({"acronym": "ITUC"}, "acronym"),
    ({"acronym": " ituc "}, "acronym"),
    ({"acronym": "ÎTÜC"}, "acronym"),
])
def test_a_repeated_name_or_acronym_is_refused_naming_the_field_and_the_organisation(ituc, officer, values, field):
    with pytest.raises(ValidationError) as error:
        _create(officer, **values)
    assert list(error.value.message_dict) == [field]
    assert error.value.message_dict[field] == [
        f"An organisation with this {field} already exists: ITUC (International Trade Union Confederation)"]
    assert Organisation.objects.count() == 1


def test_both_fields_are_named_when_both_repeat(ituc, officer):
    with pytest.raises(ValidationError) as error:
        _create(officer, name="international trade union confederation", acronym="ituc")
    assert set(error.value.message_dict) == {"name", "acronym"}


def test_a_new_organisation_is_created_trimmed(ituc, officer):
    created = _create(officer, name="  Confédération syndicale des travailleurs ", acronym=" CST ")
    assert (created.name, created.acronym) == ("Confédération syndicale des travailleurs", "CST")
    assert created.history.get().history_user == officer
    assert _create(officer, name="Another one", acronym="").acronym == ""  # no acronym repeats nothing
    assert _create(officer, name="A third one", acronym="").pk


@pytest.mark.parametrize("role", ["SECRETARIAT", "EVALUATION"])
def test_only_those_who_register_projects_may_add_organisations(role):
    with pytest.raises(PermissionDenied):
        _create(UserFactory(role=role))
    assert not Organisation.objects.exists()


def test_a_file_naming_a_known_donor_with_other_accents_reuses_it(officer):
    known = OrganisationFactory(name="Agence française de développement", acronym="AFD")
    assert services.donor_get_or_create(text="Agence francaise de developpement", user=officer) == (known, False)


# ---------------------------------------------------------------- the picker's page


def _post(client, user, *, project=None, htmx=True, **values):
    client.force_login(user)
    query = f"?project={project.pk}" if project else ""
    data = {"new_organisation-name": "Confédération syndicale des travailleurs", "new_organisation-acronym": "CST",
            "new_organisation-kind": OrganisationKind.WORKERS}
    data.update({f"new_organisation-{name}": value for name, value in values.items()})
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(reverse("projects:organisation_create") + query, data, headers=headers)


def test_the_picker_adds_and_announces_the_organisation(client, officer, project):
    response = _post(client, officer, project=project)
    assert response.status_code == 200
    created = Organisation.objects.get(acronym="CST")
    event = json.loads(response["HX-Trigger"])["organisation-created"]
    assert event == {"id": created.pk, "label": str(created)}
    html = response.content.decode()
    assert 'id="new-organisation-added"' in html and "<html" not in html  # the fragment, not a page


def test_the_picker_shows_the_duplicate_under_the_field(client, officer, project, ituc):
    response = _post(client, officer, project=project, name="Other", acronym="ituc")
    html = response.content.decode()
    assert response.status_code == 200 and "HX-Trigger" not in response
    assert "An organisation with this acronym already exists: ITUC (International Trade Union Confederation)" in html
    assert not Organisation.objects.filter(name="Other").exists()


def test_without_javascript_the_page_goes_back_to_the_form(client, officer, project):
    client.force_login(officer)
    edit = reverse("projects:edit", args=[project.pk])
    response = client.post(reverse("projects:organisation_create") + f"?project={project.pk}&next={edit}",
                           {"new_organisation-name": "Plain page", "new_organisation-kind": CIVIL_SOCIETY})
    assert response.status_code == 302 and response["Location"] == edit
    assert Organisation.objects.filter(name="Plain page").exists()
    response = client.post(reverse("projects:organisation_create") + "?next=https://elsewhere.example/",
                           {"new_organisation-name": "Second", "new_organisation-kind": CIVIL_SOCIETY})
    assert response["Location"] == reverse("projects:create")


def test_who_may_not_edit_the_projects_partners_is_refused(client, project):
    elsewhere = UserFactory(role="OFFICER", units=[UnitFactory(code="ELSEWHERE")])
    assert _post(client, elsewhere, project=project).status_code == 403  # not this project's
    assert _post(client, elsewhere).status_code == 200  # but may register a new project with a new partner
    for role in ("SECRETARIAT", "EVALUATION"):
        assert _post(client, UserFactory(role=role), name=f"By {role}").status_code == 403
    assert not Organisation.objects.filter(name__startswith="By ").exists()
    client.logout()
    assert client.get(reverse("projects:organisation_create"))["Location"].startswith(reverse("login"))


def test_the_project_form_carries_the_picker_only_for_who_may_add(client, officer, project):
    client.force_login(officer)
    html = client.get(reverse("projects:edit", args=[project.pk])).content.decode()
    assert 'id="new-organisation-form"' in html and 'form="new-organisation-form"' in html
    assert f"project={project.pk}" in html


def test_the_admin_adds_through_the_same_service(client, ituc):
    admin = UserFactory(role="ADMIN", is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = reverse("admin:partners_organisation_add")
    response = client.post(url, {"name": "Ituc again", "acronym": "ítuc", "kind": OrganisationKind.WORKERS,
                                 "is_active": "on"})
    assert response.status_code == 200
    assert "An organisation with this acronym already exists" in response.content.decode()
    response = client.post(url, {"name": "New admin organisation", "acronym": "NAO", "kind": CIVIL_SOCIETY,
                                 "is_active": "on"})
    assert response.status_code == 302
    assert Organisation.objects.get(acronym="NAO").history.get().history_user == admin
