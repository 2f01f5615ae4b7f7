"""Hostile text typed by users (script tags, quotes, very long text, right-to-left marks) is shown escaped."""

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import Role
from alerts.models import Alert, AlertEvent, Rule
from tests.evaluation.factories import LessonFactory
from tests.factories import OrganisationFactory, ProjectFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script>'
ATTRIBUTE = '" onmouseover="alert(1)" x="'
RLO = "\u202egnp.exe"  # right-to-left override: shows "exe.png"
HOSTILE = f"{SCRIPT}{ATTRIBUTE}{RLO} O'Brien & Sons"
ESCAPED_SCRIPT = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"


@pytest.fixture
def hostile_world(db):
    unit = UnitFactory(code="CO-HOSTILE")
    admin = UserFactory(username="h-admin", role=Role.ADMIN, units=[unit])
    donor = OrganisationFactory(name=f"Donor {HOSTILE}", acronym="EVIL<b>")
    project = ProjectFactory(title=(f"Title {HOSTILE}" + " long" * 40)[:255], responsible_unit=unit, donor=donor)
    alert = Alert.objects.create(project=project, rule=Rule.objects.get(code="PAST_END"), period=2001,
                                 severity="AMBER", raised_on=dt.date(2001, 10, 31))
    AlertEvent.objects.create(alert=alert, kind="ACKNOWLEDGED", severity="AMBER", user=admin,
                              note=f"Comment {HOSTILE}")
    lesson = LessonFactory(title=f"Lesson {HOSTILE}", text=f"Text {HOSTILE}", project=project)
    return admin, project, alert, lesson


def _assert_escaped(html: str, where: str):
    assert SCRIPT not in html, f"{where}: raw <script> tag"
    assert 'onmouseover="alert(1)"' not in html, f"{where}: attribute broken out of its quotes"
    assert "EVIL<b>" not in html, f"{where}: raw tag"


@pytest.mark.parametrize("page", ["projects:list", "projects:detail", "alerts:list", "alerts:detail",
                                  "evaluation:lessons", "evaluation:lesson_detail", "delivery:dashboard", "home"])
def test_hostile_text_is_escaped(client, hostile_world, page):
    admin, project, alert, lesson = hostile_world
    kwargs = {"projects:detail": {"pk": project.pk}, "alerts:detail": {"pk": alert.pk},
              "evaluation:lesson_detail": {"pk": lesson.pk}}.get(page, {})
    client.force_login(admin)
    response = client.get(reverse(page, kwargs=kwargs), {"q": SCRIPT} if page.endswith(("list", "lessons")) else {})
    assert response.status_code == 200
    html = response.content.decode()
    _assert_escaped(html, page)


@pytest.mark.parametrize(("page", "shown"), [
    ("projects:detail", "Title "), ("alerts:detail", "Comment "), ("evaluation:lesson_detail", "Text "),
])
def test_hostile_text_is_shown_in_its_escaped_form(client, hostile_world, page, shown):
    """Not dropped: the text is there, escaped, with the right-to-left mark kept as typed."""
    admin, project, alert, lesson = hostile_world
    pk = {"projects:detail": project.pk, "alerts:detail": alert.pk, "evaluation:lesson_detail": lesson.pk}[page]
    client.force_login(admin)
    html = client.get(reverse(page, kwargs={"pk": pk})).content.decode()
    assert shown + ESCAPED_SCRIPT in html
    assert RLO in html
