"""The unit tree: one expansion of units to the units below them, and no unit placed under itself."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Role
from partners import selectors, services
from partners.models import Unit, UnitKind
from tests.factories import CountryFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    office = UnitFactory(code="RO-R", kind=UnitKind.REGIONAL_OFFICE)
    first = UnitFactory(code="CO-C1", kind=UnitKind.COUNTRY_OFFICE, parent=office)
    second = UnitFactory(code="CO-C2", kind=UnitKind.COUNTRY_OFFICE, parent=office)
    team = UnitFactory(code="MDT-M", kind=UnitKind.MDT, parent=first)
    return office, first, second, team


def test_units_with_descendants_reads_the_tree_once(tree, django_assert_num_queries):
    office, first, second, team = tree
    UnitFactory(code="HQ-X")
    with django_assert_num_queries(1):
        assert selectors.units_with_descendants([office.pk]) == {office.pk, first.pk, second.pk, team.pk}
    assert selectors.units_with_descendants([first, second]) == {first.pk, second.pk, team.pk}
    assert selectors.units_with_descendants([team.pk]) == {team.pk}
    with django_assert_num_queries(0):
        assert selectors.units_with_descendants([]) == frozenset()


def test_ancestors_nearest_first(tree):
    office, first, _second, team = tree
    assert selectors.unit_tree().with_ancestors(team.pk) == [team.pk, first.pk, office.pk]
    assert selectors.unit_tree().with_ancestors(None) == []


def test_a_stored_cycle_does_not_make_a_walk_loop(tree):
    office, first, _second, team = tree
    Unit.objects.filter(pk=office.pk).update(parent=team)  # bypassing validation, as old data might
    tree_now = selectors.unit_tree()
    assert tree_now.with_descendants([first.pk]) == {first.pk, team.pk, office.pk, tree[2].pk}
    assert tree_now.with_ancestors(team.pk) == [team.pk, first.pk, office.pk]


def test_scope_of_a_user_is_their_units_and_those_below(tree):
    office, first, second, team = tree
    user = UserFactory(units=[first])
    assert selectors.scope_unit_ids(user) == {first.pk, team.pk}
    assert selectors.scope_unit_ids(UserFactory()) == frozenset()


@pytest.mark.parametrize("new_parent", ["self", "child", "grandchild"])
def test_a_unit_cannot_be_its_own_ancestor(tree, new_parent):
    office, first, _second, team = tree
    office.parent = {"self": office, "child": first, "grandchild": team}[new_parent]
    with pytest.raises(ValidationError) as info:
        services.unit_save(unit=office)
    assert "parent" in info.value.message_dict
    office.refresh_from_db()
    assert office.parent is None


def test_unit_save_moves_a_unit_and_sets_its_countries(tree):
    office, first, second, team = tree
    team.parent = second
    services.unit_save(unit=team, countries=[CountryFactory(iso3="SEN")])
    assert selectors.units_with_descendants([first.pk]) == {first.pk}
    assert list(team.countries.values_list("iso3", flat=True)) == ["SEN"]


def test_the_admin_refuses_a_cycle_on_the_parent_field(tree, client):
    office, _first, _second, team = tree
    client.force_login(UserFactory(username="ada", role=Role.ADMIN, is_staff=True, is_superuser=True))
    url = reverse("admin:partners_unit_change", args=[office.pk])
    data = {"code": office.code, "name_en": office.name, "kind": office.kind, "parent": team.pk, "region": "",
            "is_active": "on", "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "cannot be placed under itself" in response.content.decode()
    data["parent"] = ""
    data["name_en"], data["name_fr"] = "Regional office R", "Bureau régional R"  # a name per language
    assert client.post(url, data).status_code == 302
    office.refresh_from_db()
    assert (office.name_en, office.name_fr) == ("Regional office R", "Bureau régional R")
    assert office.name == "Regional office R" and office.history.first().history_user.username == "ada"
