"""/api/v1/alerts/: reading, and acknowledge / explain / resolve with the pages' rules."""

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import Role
from alerts.models import Alert, AlertState, Rule
from tests.api.base import ROLES, EndpointTests
from tests.factories import ProjectFactory

MANAGERS_OF_ALERTS = {Role.ADMIN, Role.OFFICER, Role.MANAGER}


def alert_for(unit, **values) -> Alert:
    return Alert.objects.create(project=ProjectFactory(responsible_unit=unit), rule=Rule.objects.get(
        code="LOW_DELIVERY"), period=2026, severity="AMBER", raised_on=dt.date(2026, 6, 30), **values)


class TestAlerts(EndpointTests):
    basename = "alert"

    def make(self, scope, unit):
        return alert_for(unit)


@pytest.mark.django_db
class TestAlertActions:
    def test_acknowledge_per_role(self, scope):
        for role in ROLES:
            alert = alert_for(scope.unit)
            response = scope.client(role).post(reverse("alert-acknowledge", args=[alert.pk]), format="json")
            expected = 200 if role in MANAGERS_OF_ALERTS else 403
            assert response.status_code == expected, role
            alert.refresh_from_db()
            assert (alert.state == AlertState.ACKNOWLEDGED) == (expected == 200)

    def test_alerts_of_another_unit_cannot_be_managed(self, scope):
        alert = alert_for(scope.other_unit)
        for role in (Role.OFFICER, Role.MANAGER):
            assert scope.client(role).post(reverse("alert-acknowledge", args=[alert.pk])).status_code == 403
        assert scope.client(Role.ADMIN).post(reverse("alert-acknowledge", args=[alert.pk])).status_code == 200

    def test_explain_and_resolve_validate_naming_the_field(self, scope):
        alert = alert_for(scope.unit)
        client = scope.client(Role.OFFICER)
        explain = reverse("alert-explain", args=[alert.pk])
        bad = client.post(explain, {"reason": "ALIENS", "comment": ""}, format="json")
        assert bad.status_code == 400 and {"reason", "comment"} <= set(bad.data)
        explained = client.post(explain, {"reason": "RECRUITMENT", "comment": "Expert arrived late"}, format="json")
        assert explained.status_code == 200, explained.content
        assert explained.data["state"] == "EXPLAINED" and explained.data["slippage_reason"] == "RECRUITMENT"
        again = client.post(reverse("alert-acknowledge", args=[alert.pk]))
        assert again.status_code == 400 and "state" in again.data
        resolved = client.post(reverse("alert-resolve", args=[alert.pk]), {"note": "Caught up"}, format="json")
        assert resolved.status_code == 200 and resolved.data["state"] == "RESOLVED"

    def test_a_stale_if_match_answers_412(self, scope):
        alert = alert_for(scope.unit)
        client = scope.client(Role.MANAGER)
        etag = client.get(reverse("alert-detail", args=[alert.pk]))["ETag"]
        Alert.objects.filter(pk=alert.pk).update(severity="RED")
        stale = client.post(reverse("alert-acknowledge", args=[alert.pk]), HTTP_IF_MATCH=etag)
        assert stale.status_code == 412
        assert Alert.objects.get(pk=alert.pk).state == AlertState.OPEN

    def test_shared_filters(self, scope):
        alert_for(scope.unit)
        alert_for(scope.unit, state=AlertState.ACKNOWLEDGED)
        client = scope.client(Role.SECRETARIAT)
        assert client.get(reverse("alert-list"), {"state": "OPEN"}).data["count"] == 1
        assert client.get(reverse("alert-list"), {"rule": "LOW_DELIVERY", "unit": "API-UNIT"}).data["count"] == 2
