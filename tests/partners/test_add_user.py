"""`manage.py add_user`: accounts with a role and their units, from scripts; errors name the option."""

import io

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Role, User
from partners.models import UnitMembership
from tests.factories import UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-provisioned-password"


@pytest.fixture
def password(monkeypatch):
    monkeypatch.setenv("TCMS_NEW_USER_PASSWORD", PASSWORD)


@pytest.fixture
def units():
    office = UnitFactory(code="RO-AFRICA")
    return office, UnitFactory(code="CO-DAKAR", parent=office)


def add_user(*args) -> str:
    out = io.StringIO()
    call_command("add_user", *args, stdout=out)
    return out.getvalue()


def refused(*args) -> str:
    with pytest.raises(CommandError) as info:
        add_user(*args)
    return str(info.value)


def memberships(user) -> set[tuple[str, bool]]:
    return set(UnitMembership.objects.filter(user=user).values_list("unit__code", "is_manager"))


def test_creates_a_manager_of_a_unit_and_member_of_another(password, units):
    output = add_user("amina", "--role", "manager", "--manages", "ro-africa", "--unit", "CO-DAKAR",
                      "--email", "amina@example.org")
    assert "User amina created (Manager)" in output
    user = User.objects.get(username="amina")
    assert user.role == Role.MANAGER and user.check_password(PASSWORD) and user.email == "amina@example.org"
    assert memberships(user) == {("RO-AFRICA", True), ("CO-DAKAR", False)}
    assert not user.is_staff


def test_an_existing_username_is_refused_unless_update(password, units):
    UserFactory(username="amina", role=Role.OFFICER, units=[units[1]])
    message = refused("amina", "--role", "MANAGER")
    assert "USERNAME: A user named “amina” already exists." in message and "--update" in message
    assert "User amina updated" in add_user("amina", "--role", "MANAGER", "--manages", "RO-AFRICA", "--update")
    user = User.objects.get(username="amina")
    assert user.role == Role.MANAGER and user.check_password(PASSWORD)
    assert memberships(user) == {("RO-AFRICA", True), ("CO-DAKAR", False)}
    add_user("amina", "--role", "MANAGER", "--manages", "RO-AFRICA", "--update")  # again: nothing more
    assert memberships(user) == {("RO-AFRICA", True), ("CO-DAKAR", False)}


def test_errors_name_the_option_and_write_nothing(password, units):
    assert "--role: 'CHIEF' is not a role" in refused("amina", "--role", "chief")
    assert "--unit: no unit has the code CO-NOWHERE" in refused("amina", "--role", "OFFICER", "--unit", "CO-NOWHERE")
    assert "--manages: no unit has the code X" in refused("amina", "--role", "OFFICER", "--manages", "X")
    assert "--email:" in refused("amina", "--role", "OFFICER", "--email", "not-an-address")
    assert not User.objects.filter(username="amina").exists()


def test_the_password_validators_apply(monkeypatch, units):
    monkeypatch.setenv("TCMS_NEW_USER_PASSWORD", "12345")
    message = refused("amina", "--role", "OFFICER")
    assert message.startswith("password (TCMS_NEW_USER_PASSWORD or prompt): ") and "too short" in message
    monkeypatch.setenv("TCMS_NEW_USER_PASSWORD", "")
    assert "TCMS_NEW_USER_PASSWORD is set but empty" in refused("amina", "--role", "OFFICER")
    assert not User.objects.exists()


def test_the_password_is_asked_twice_at_a_prompt(monkeypatch, units):
    monkeypatch.delenv("TCMS_NEW_USER_PASSWORD", raising=False)
    answers = iter([PASSWORD, "something-else-entirely"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert "the two passwords differ" in refused("amina", "--role", "OFFICER")
    answers = iter([""])
    assert "the password cannot be empty" in refused("amina", "--role", "OFFICER")
    answers = iter([PASSWORD, PASSWORD])
    add_user("amina", "--role", "OFFICER")
    assert User.objects.get(username="amina").check_password(PASSWORD)


# ---------------------------------------------------------------- constituents (issue 18, point 1)


@pytest.fixture
def organisations():
    from partners.models import OrganisationKind
    from tests.factories import CountryFactory, OrganisationFactory

    senegal = CountryFactory(iso3="SEN", iso2="SN")
    return {
        "workers": OrganisationFactory(name="Confédération nationale des travailleurs du Sénégal", acronym="CNTS",
                                       kind=OrganisationKind.WORKERS, country=senegal),
        "donor": OrganisationFactory(name="Swedish International Development Agency", acronym="SIDA",
                                     kind=OrganisationKind.DONOR),
        "twin_a": OrganisationFactory(name="Union générale des travailleurs", acronym="UGT",
                                      kind=OrganisationKind.WORKERS),
        "twin_b": OrganisationFactory(name="Unión General de Trabajadores", acronym="UGT",
                                      kind=OrganisationKind.WORKERS),
    }


def test_creates_a_constituent_of_an_organisation_by_acronym_or_name(password, organisations):
    from partners.selectors import constituent_organisation

    assert "User awa created (Constituent)" in add_user("awa", "--role", "constituent", "--organisation", "cnts")
    user = User.objects.get(username="awa")
    assert user.role == Role.CONSTITUENT and constituent_organisation(user) == organisations["workers"]
    assert not UnitMembership.objects.filter(user=user).exists()
    add_user("moussa", "--role", "CONSTITUENT", "--organisation", "Union générale des travailleurs")
    assert constituent_organisation(User.objects.get(username="moussa")) == organisations["twin_a"]


@pytest.mark.parametrize(("args", "expected"), [
    (("--organisation", "NOPE"), "--organisation: no organisation has the acronym or name 'NOPE'."),
    (("--organisation", "UGT"), "--organisation: 'UGT' is the acronym of several organisations"),
    (("--organisation", "SIDA"), "is not a constituent organisation (it is: Donor government or agency)"),
    ((), "--organisation: a constituent belongs to an organisation"),
    (("--organisation", "CNTS", "--unit", "CO-DAKAR"), "--unit: A constituent belongs to no unit of the Office."),
])
def test_a_constituent_is_refused_with_a_clear_error(password, organisations, units, args, expected):
    assert expected in refused("awa", "--role", "constituent", *args)
    assert not User.objects.filter(username="awa").exists()


def test_an_organisation_for_another_role_is_refused(password, organisations):
    assert "--organisation: only a constituent belongs to an organisation (--role OFFICER)." in refused(
        "olivia", "--role", "officer", "--organisation", "CNTS")
    assert not User.objects.filter(username="olivia").exists()
