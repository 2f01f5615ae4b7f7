"""The profile page: each signed-in person sets their name, language and digest frequency, sees their units, and
manages their REST API token (the key shown once)."""

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken, DigestFrequency, Role
from partners.models import UnitMembership
from tests.factories import UnitFactory, UserFactory, api_token_for

pytestmark = pytest.mark.django_db


def _signed_in(client, **fields):
    user = UserFactory(**fields)
    client.force_login(user)
    return user


def test_a_person_changes_their_name_language_and_digest(client):
    user = _signed_in(client, role=Role.OFFICER, first_name="Olivia", language="", digest_frequency="WEEKLY")
    response = client.post(reverse("profile"), {"action": "save", "first_name": "Olga", "last_name": "Ortiz",
                                                "language": "fr", "digest_frequency": DigestFrequency.DAILY})
    assert response.status_code == 302 and response.url == reverse("profile")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    user.refresh_from_db()
    assert (user.first_name, user.last_name, user.language, user.digest_frequency) == (
        "Olga", "Ortiz", "fr", DigestFrequency.DAILY)
    page = client.get(reverse("profile")).content.decode()
    assert "Olga" in page and 'lang="fr"' in page


def test_role_and_email_cannot_be_changed_there(client):
    user = _signed_in(client, role=Role.OFFICER, email="o@example.org")
    client.post(reverse("profile"), {"action": "save", "first_name": "A", "last_name": "B", "language": "en",
                                     "digest_frequency": "NONE", "role": Role.ADMIN, "email": "x@example.org",
                                     "is_superuser": "on"})
    user.refresh_from_db()
    assert (user.role, user.email, user.is_superuser, user.digest_frequency) == (
        Role.OFFICER, "o@example.org", False, "NONE")


def test_an_unknown_choice_is_refused_under_its_field(client):
    user = _signed_in(client, role=Role.MANAGER, digest_frequency="WEEKLY")
    response = client.post(reverse("profile"), {"action": "save", "first_name": "A", "last_name": "B",
                                                "language": "xx", "digest_frequency": "HOURLY"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"language", "digest_frequency"}
    user.refresh_from_db()
    assert user.digest_frequency == "WEEKLY"


def test_units_are_shown_read_only(client):
    user = _signed_in(client, role=Role.MANAGER)
    region, office = UnitFactory(code="RO-X", name="Regional office X"), UnitFactory(code="CO-Y", name="Country Y")
    UnitMembership.objects.create(user=user, unit=region, is_manager=True)
    UnitMembership.objects.create(user=user, unit=office)
    page = client.get(reverse("profile")).content.decode()
    assert "RO-X — Regional office X" in page and "CO-Y — Country Y" in page
    assert page.count(">manager<") == 1
    assert "<select" not in page.split('id="profile-units"')[1].split("</section>")[0]


def test_no_unit_says_who_adds_one(client):
    _signed_in(client, role=Role.SECRETARIAT)
    assert "You belong to no unit" in client.get(reverse("profile")).content.decode()


class TestToken:
    def test_create_shows_the_key_once_and_it_authenticates(self, client):
        user = _signed_in(client, role=Role.SECRETARIAT)
        assert "You have no token" in client.get(reverse("profile")).content.decode()
        created = client.post(reverse("profile"), {"action": "create_token"})
        key = created.context["new_key"]
        assert key in created.content.decode()
        page = client.get(reverse("profile")).content.decode()
        assert key not in page
        expiry = ApiToken.objects.get(user=user).expiry
        assert f"It expires on {formats.date_format(timezone.localtime(expiry), 'DATETIME_FORMAT')}." in page
        client.logout()
        assert APIClient().get(reverse("project-list"), HTTP_AUTHORIZATION=f"Token {key}").status_code == 200

    def test_replace_and_revoke(self, client):
        user = _signed_in(client, role=Role.OFFICER)
        first = client.post(reverse("profile"), {"action": "create_token"}).context["new_key"]
        second = client.post(reverse("profile"), {"action": "create_token"}).context["new_key"]
        assert second != first and ApiToken.objects.filter(user=user).count() == 1
        api = APIClient()
        assert api.get(reverse("project-list"), HTTP_AUTHORIZATION=f"Token {first}").status_code == 401
        assert api.get(reverse("project-list"), HTTP_AUTHORIZATION=f"Token {second}").status_code == 200
        response = client.post(reverse("profile"), {"action": "revoke_token"})
        assert response.status_code == 302
        assert not ApiToken.objects.filter(user=user).exists()
        assert api.get(reverse("project-list"), HTTP_AUTHORIZATION=f"Token {second}").status_code == 401

    def test_an_expired_token_says_so(self, client):
        user = _signed_in(client, role=Role.OFFICER)
        api_token_for(user)
        ApiToken.objects.filter(user=user).update(expiry=timezone.now() - dt.timedelta(days=1))
        assert "It expired on" in client.get(reverse("profile")).content.decode()

    def test_the_old_address_leads_to_the_profile(self, client):
        assert reverse("login") in client.get(reverse("api_token")).url
        _signed_in(client, role=Role.OFFICER)
        assert client.get(reverse("api_token")).url == reverse("profile") + "#api-token"

