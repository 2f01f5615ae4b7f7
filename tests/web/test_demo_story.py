"""`make run`'s demo tells a story on the day it shows (TCMS_TODAY = the demo's today): alerts acknowledged and
explained with reasons by the people who follow them, targets revised with reasons, an implementation plan whose
milestones are done, in progress, delayed and planned."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.services import demo_users_ensure
from alerts.models import Alert, AlertEvent, AlertState, EventKind
from evaluation.models import TargetRevision
from projects.demo import DEMO_AS_OF
from reports.models import ImplementationPlan, MilestoneStatus

pytestmark = pytest.mark.django_db


def test_the_demo_tells_its_story(settings, client):
    """One seeding (the demo takes seconds) checked from every side."""
    settings.TCMS_TODAY = DEMO_AS_OF
    users = {user.username: user for user in demo_users_ensure(password="a-long-demo-password")}
    out = io.StringIO()
    call_command("seed_demo", projects=40, seed=1, stdout=out)
    log = out.getvalue()
    _alerts_are_acted_on_by_the_people_who_follow_them(users, log)
    _targets_are_revised_with_reasons()
    _the_implementation_plan_has_milestones_at_every_stage(users, client)
    _a_second_run_leaves_the_story_alone()


def _alerts_are_acted_on_by_the_people_who_follow_them(users, log):
    explained = Alert.objects.filter(state=AlertState.EXPLAINED).select_related("slippage_reason", "explained_by")
    assert explained.exists() and Alert.objects.filter(state=AlertState.ACKNOWLEDGED).exists()
    assert Alert.objects.filter(state=AlertState.OPEN).exists()  # some still wait for someone
    for alert in explained:
        assert alert.slippage_reason is not None and alert.slippage_comment
        assert alert.explained_by in (users["officer"], users["manager"])
        assert alert.explained_at.date() == DEMO_AS_OF  # on the demo's day, not the machine's
    assert AlertEvent.objects.filter(kind=EventKind.EXPLAINED).count() == explained.count()
    assert "alerts acted on by the demo users" in log


def _targets_are_revised_with_reasons():
    revisions = TargetRevision.objects.all()
    assert revisions.exists()
    assert all(revision.reason and revision.new_target != revision.old_target for revision in revisions)
    for revision in revisions.select_related("period"):
        assert revision.period.target == revision.new_target


def _the_implementation_plan_has_milestones_at_every_stage(users, client):
    plan = ImplementationPlan.objects.get()
    statuses = set(plan.milestones.values_list("status", flat=True))
    assert {MilestoneStatus.DONE, MilestoneStatus.IN_PROGRESS, MilestoneStatus.DELAYED,
            MilestoneStatus.PLANNED} <= statuses
    assert plan.start_date <= DEMO_AS_OF <= plan.end_date
    client.force_login(users["secretariat"])
    page = client.get(reverse("reports:plan", args=[plan.pk])).content.decode()
    assert "Report to the Governing Body on the follow-up" in page and "<svg" in page


def _a_second_run_leaves_the_story_alone():
    before = (Alert.objects.filter(state=AlertState.EXPLAINED).count(), TargetRevision.objects.count(),
              ImplementationPlan.objects.count())
    call_command("seed_demo", projects=40, seed=1, if_empty=True, stdout=io.StringIO())
    assert before == (Alert.objects.filter(state=AlertState.EXPLAINED).count(), TargetRevision.objects.count(),
                      ImplementationPlan.objects.count())
