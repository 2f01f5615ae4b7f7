"""Required-evaluation rules on pages (no admin): everyone reads them, evaluation officers and administrators add
and change them through evaluation.services.required_rule_save; the plan links to them."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.models import Role
from evaluation import services
from evaluation.models import RequiredEvaluationRule
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

VALID = {"min_budget_usd": "1000000", "max_budget_usd": "", "type": "INDEPENDENT", "timing": "FINAL",
         "is_active": "on"}


@pytest.fixture(autouse=True)
def no_rules(db):
    RequiredEvaluationRule.objects.all().delete()  # the migrations' defaults


@pytest.fixture
def evaluator(db):
    return UserFactory(role=Role.EVALUATION)


def test_the_plan_links_to_the_rules_which_everyone_reads(client, evaluator):
    RequiredEvaluationRule.objects.create(min_budget_usd=Decimal("5000000"), type="INDEPENDENT", timing="MID_TERM")
    client.force_login(UserFactory(role=Role.MANAGER))
    assert reverse("evaluation:required_rules") in client.get(reverse("evaluation:plan")).content.decode()
    page = client.get(reverse("evaluation:required_rules")).content.decode()
    assert "5,000,000" in page and "Independent" in page and "Mid-term" in page
    assert reverse("evaluation:required_rule_create") not in page  # a manager reads, does not change


def test_an_evaluation_officer_adds_and_changes_a_rule(client, evaluator):
    client.force_login(evaluator)
    response = client.post(reverse("evaluation:required_rule_create"), VALID)
    assert response.status_code == 302 and response["Location"] == reverse("evaluation:required_rules")
    rule = RequiredEvaluationRule.objects.get()
    assert (rule.min_budget_usd, rule.max_budget_usd, rule.is_active) == (Decimal("1000000"), None, True)
    assert reverse("evaluation:required_rule_edit", args=[rule.pk]) in client.get(
        reverse("evaluation:required_rules")).content.decode()
    response = client.post(reverse("evaluation:required_rule_edit", args=[rule.pk]),
                           {**VALID, "max_budget_usd": "5000000", "is_active": ""})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.max_budget_usd, rule.is_active) == (Decimal("5000000"), False)


def test_an_upper_limit_below_the_lower_one_is_refused_under_its_field(client, evaluator):
    client.force_login(evaluator)
    response = client.post(reverse("evaluation:required_rule_create"), {**VALID, "max_budget_usd": "10"})
    assert response.status_code == 200 and "max_budget_usd" in response.context["form"].errors
    assert not RequiredEvaluationRule.objects.exists()


@pytest.mark.parametrize("role", [Role.OFFICER, Role.MANAGER, Role.SECRETARIAT])
def test_other_roles_are_refused_on_the_page_and_in_the_service(client, role):
    user = UserFactory(role=role)
    client.force_login(user)
    assert client.get(reverse("evaluation:required_rule_create")).status_code == 403
    assert client.post(reverse("evaluation:required_rule_create"), VALID).status_code == 403
    with pytest.raises(PermissionDenied):
        services.required_rule_save(user=user, min_budget_usd=Decimal("1"), type="SELF", timing="FINAL")
    assert not RequiredEvaluationRule.objects.exists()
