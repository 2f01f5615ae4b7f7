"""Text is clean at the door: characters XML and spreadsheets cannot hold are refused, naming the field, in the web
forms, the admin and the services (the API's writes: tests/api/test_clean_text.py); tab and newline are accepted.

Found by an attacker's probe: a title holding U+000B saved through the API made every export answer 500.
"""

import datetime as dt
import importlib
import pkgutil

import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.test import RequestFactory
from django.urls import reverse
from rest_framework import serializers as drf_serializers

from accounts.models import Role
from alerts.forms import ExplainForm
from core.forms import CleanTextMixin
from core.serializers import CleanTextFields
from core.text import validate_clean_text
from evaluation.forms import LessonForm
from partners.models import Organisation
from partners.services import organisation_create
from projects.forms import DateRevisionForm
from projects.models import Project
from reports.forms import PlanForm
from reports.models import ImplementationPlan
from reports.services import plan_create
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

# The characters of the finding (U+000B, U+0001), a lone surrogate and a non-character, each inside a title.
FORBIDDEN = {"U+000B": "P\x0bQ", "U+0001": "P\x01Q", "U+D800": "P\ud800Q", "U+FFFE": "P\ufffeQ"}
# A browser cannot send a lone surrogate (UTF-8 has none; Django decodes what arrives with replacement).
SENDABLE = {code: text for code, text in FORBIDDEN.items() if code != "U+D800"}
TAB_AND_NEWLINE = "Line one\tcolumn\nLine two"
PROJECT_APPS = ("tcms", "accounts", "partners", "projects", "delivery", "evaluation", "alerts", "reports", "iati")


def _refused(messages, code: str) -> bool:
    return any(code in str(message) for message in messages)


def _project_modules():
    """Every module of the project's apps (migrations aside), imported, so that every class they define exists."""
    for app in PROJECT_APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{app}."):
            if ".migrations" not in info.name:
                yield importlib.import_module(info.name)


def _subclasses(base) -> set[type]:
    list(_project_modules())
    found, todo = set(), [base]
    while todo:
        for cls in todo.pop().__subclasses__():
            if cls not in found:
                found.add(cls)
                todo.append(cls)
    return {cls for cls in found if cls.__module__.split(".")[0] in PROJECT_APPS}


# ---------------------------------------------------------------- no door without the check


def test_every_model_text_field_refuses_forbidden_characters():
    unguarded = [f"{model._meta.label}.{field.name}" for model in apps.get_models(include_auto_created=True)
                 for field in model._meta.get_fields()
                 if isinstance(field, models.CharField | models.TextField)
                 and validate_clean_text not in field.validators]
    assert not unguarded


def test_every_form_of_the_apps_refuses_forbidden_characters():
    form_classes = _subclasses(forms.BaseForm)
    assert {PlanForm, LessonForm, ExplainForm, DateRevisionForm} <= form_classes
    assert not sorted(cls.__qualname__ for cls in form_classes if not issubclass(cls, CleanTextMixin))


def test_every_serializer_of_the_apps_refuses_forbidden_characters():
    serializer_classes = {cls for cls in _subclasses(drf_serializers.BaseSerializer)
                          if not issubclass(cls, drf_serializers.ListSerializer)}  # its child holds the fields
    assert len(serializer_classes) > 30
    assert not sorted(cls.__qualname__ for cls in serializer_classes if not issubclass(cls, CleanTextFields))


# ---------------------------------------------------------------- web forms


def _plan_data(**changes) -> dict:
    return {"title": "Plan", "description": "", "start_date": "2001-01-01", "end_date": "2001-12-31", **changes}


@pytest.mark.parametrize("code", FORBIDDEN)
@pytest.mark.parametrize(("make_form", "field"), [
    (lambda text: PlanForm(data=_plan_data(title=text)), "title"),  # a model's field
    (lambda text: LessonForm(data={"kind": "LESSON", "title": text, "text": "Text"}), "title"),
    (lambda text: ExplainForm(data={"reason": "", "comment": text}, reasons=[]), "comment"),  # the form's own
    (lambda text: DateRevisionForm(data={"field": "planned_end", "new_value": "2002-01-01", "reason": text,
                                         "version": 1}, project=ProjectFactory()), "reason"),
], ids=["plan title", "lesson title", "alert explanation", "date revision reason"])
def test_a_form_refuses_a_forbidden_character_naming_the_field(code, make_form, field):
    form = make_form(FORBIDDEN[code])
    assert not form.is_valid()
    assert _refused(form.errors.get(field, []), code), form.errors


def test_a_form_accepts_tab_and_newline():
    form = PlanForm(data=_plan_data(title="Plan\tA", description=TAB_AND_NEWLINE))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["description"] == TAB_AND_NEWLINE


@pytest.mark.parametrize("code", SENDABLE)
def test_the_plan_page_refuses_a_forbidden_character_in_a_title(client, code):
    client.force_login(UserFactory(role=Role.SECRETARIAT))
    response = client.post(reverse("reports:plans"), _plan_data(title=SENDABLE[code]))
    assert response.status_code == 200
    assert code in response.content.decode()
    assert not ImplementationPlan.objects.exists()


# ---------------------------------------------------------------- the admin


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="ada", role=Role.ADMIN, is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("code", SENDABLE)
def test_the_admin_refuses_a_forbidden_character_naming_the_field(admin_client, code):
    response = admin_client.post(reverse("admin:partners_organisation_add"),
                                 {"name": SENDABLE[code], "kind": "DONOR", "acronym": "", "iati_identifier": ""})
    assert response.status_code == 200
    assert _refused(response.context["adminform"].form.errors["name"], code)
    assert not Organisation.objects.exists()


def test_the_admin_form_refuses_a_lone_surrogate(admin_client):
    request = RequestFactory().post("/")
    request.user = UserFactory(username="root", is_staff=True, is_superuser=True)
    form_class = admin.site._registry[Organisation].get_form(request)
    form = form_class(data={"name": FORBIDDEN["U+D800"], "kind": "DONOR"})
    assert not form.is_valid()
    assert _refused(form.errors["name"], "U+D800")


def test_the_admin_refuses_a_forbidden_character_in_a_field_of_its_own_form(admin_client):
    from tests.projects.test_admin import change_form_data

    project = ProjectFactory(planned_end=dt.date(2001, 12, 31))
    response = admin_client.post(reverse("admin:projects_project_change", args=[project.pk]), change_form_data(
        project, planned_end="2002-06-30", date_revision_reason="Donor\x0bextension", title="Renamed"))
    assert response.status_code == 200
    assert _refused(response.context["adminform"].form.errors["date_revision_reason"], "U+000B")
    assert Project.objects.get(pk=project.pk).title == project.title


def test_the_admin_accepts_tab_and_newline(admin_client):
    response = admin_client.post(reverse("admin:partners_organisation_add"),
                                 {"name": "Donor\tAgency", "kind": "DONOR", "acronym": "", "iati_identifier": ""})
    assert response.status_code == 302
    assert Organisation.objects.get().name == "Donor\tAgency"


# ---------------------------------------------------------------- services (full_clean)


@pytest.mark.parametrize("code", FORBIDDEN)
def test_a_service_refuses_a_forbidden_character_naming_the_field(code):
    with pytest.raises(ValidationError) as refused:
        plan_create(title=FORBIDDEN[code], start_date=dt.date(2001, 1, 1), end_date=dt.date(2001, 12, 31))
    assert set(refused.value.message_dict) == {"title"}
    assert _refused(refused.value.message_dict["title"], code)
    with pytest.raises(ValidationError) as refused:
        organisation_create(name="Agency", acronym=FORBIDDEN[code], kind="DONOR")
    assert set(refused.value.message_dict) == {"acronym"}
    assert not ImplementationPlan.objects.exists() and not Organisation.objects.exists()


def test_a_service_accepts_tab_and_newline():
    plan = plan_create(title="Plan\tA", description=TAB_AND_NEWLINE, start_date=dt.date(2001, 1, 1),
                       end_date=dt.date(2001, 12, 31))
    plan.refresh_from_db()
    assert (plan.title, plan.description) == ("Plan\tA", TAB_AND_NEWLINE)


def test_the_message_names_the_character_and_its_position():
    with pytest.raises(ValidationError) as refused:
        validate_clean_text("ab\x0bc")
    assert "U+000B" in refused.value.messages[0] and "position 3" in refused.value.messages[0]
