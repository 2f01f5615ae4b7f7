"""Base test class for the API's endpoints: declare the endpoint, how to make an object and what to send, and the
roles allowed; it checks list/detail (with ETag and 304), a constant query count as rows grow, create, update and
delete per role (403 for the others, 405 where the endpoint has no such action), writes refused outside the user's
units, a stale If-Match answering 412 and a validation error answering 400 naming the field.

    class TestThings(EndpointTests):
        basename = "thing"
        create_roles = {Role.ADMIN, Role.OFFICER}
        update_roles = {...}
        scoped = True                    # officers/managers change only objects of their units

        def make(self, scope, unit):     # an object belonging to `unit`
        def create_data(self, scope, n): # the n-th distinct body for POST (scope.unit's)
        def update_data(self, obj):      # a PATCH body
        def invalid_data(self, scope):   # (body, field named in the 400)
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Role
from tests.factories import UnitFactory, UserFactory

# The staff; what a constituent may call is tests/api/test_access_matrix.py's (CONSTITUENT_ACCESS).
ROLES = tuple(role for role in Role.values if role != Role.CONSTITUENT)


class Scope:
    """A unit whose members hold every role, and another unit (outside their scope)."""

    def __init__(self):
        self.unit = UnitFactory(code="API-UNIT")
        self.other_unit = UnitFactory(code="API-OTHER")
        self._users = {}

    def user(self, role: str):
        if role not in self._users:
            self._users[role] = UserFactory(username=f"api-{role.lower()}", role=role, units=[self.unit])
        return self._users[role]

    def client(self, role: str | None = None, user=None) -> APIClient:
        client = APIClient()
        if role or user:
            client.force_authenticate(user or self.user(role))
        return client


def count_queries(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = call()
    assert response.status_code == 200, response.content
    return len(queries)


@pytest.mark.django_db
class EndpointTests:
    basename: str = ""
    create_roles: frozenset | set = frozenset()
    update_roles: frozenset | set = frozenset()
    delete_roles: frozenset | set = frozenset()
    scoped = False
    list_params: dict = {}

    # ------------------------------------------------------------ what a subclass provides

    def make(self, scope: Scope, unit):
        raise NotImplementedError

    def create_data(self, scope: Scope, n: int) -> dict:
        raise NotImplementedError

    def update_data(self, obj) -> dict:
        raise NotImplementedError

    def invalid_data(self, scope: Scope) -> tuple[dict, str]:
        raise NotImplementedError

    def check_updated(self, obj, data: dict) -> None:
        """After a successful update: the stored object shows the change (default: each sent plain field)."""
        obj.refresh_from_db()
        for name, value in data.items():
            stored = getattr(obj, name, None)
            if isinstance(stored, (str, bool, int)) and not isinstance(value, (list, dict)):
                assert stored == value, name

    # ------------------------------------------------------------ helpers

    def list_url(self) -> str:
        return reverse(f"{self.basename}-list")

    def detail_url(self, obj) -> str:
        return reverse(f"{self.basename}-detail", args=[obj.pk])

    # ------------------------------------------------------------ the checks

    def test_anonymous_is_refused(self, scope):
        response = scope.client().get(self.list_url())
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"

    def test_every_role_reads_list_and_detail_with_etag(self, scope):
        obj = self.make(scope, scope.unit)
        for role in ROLES:
            client = scope.client(role)
            listing = client.get(self.list_url(), self.list_params)
            assert listing.status_code == 200, (role, listing.content)
            assert listing.data["count"] >= 1
            assert obj.pk in [row["id"] for row in listing.data["results"]]
            detail = client.get(self.detail_url(obj))
            assert detail.status_code == 200, role
            assert detail.data["id"] == obj.pk
            etag = detail["ETag"]
            assert client.get(self.detail_url(obj), HTTP_IF_NONE_MATCH=etag).status_code == 304
        assert scope.client(Role.ADMIN).get(self.detail_url(obj), HTTP_IF_NONE_MATCH='"other"').status_code == 200

    def test_list_query_count_does_not_grow_with_rows(self, scope):
        client = scope.client(Role.ADMIN)
        params = {**self.list_params, "page_size": 100}
        for _ in range(3):
            self.make(scope, scope.unit)
        few = count_queries(lambda: client.get(self.list_url(), params))
        for _ in range(27):
            self.make(scope, scope.unit)
        response = client.get(self.list_url(), params)
        assert response.data["count"] >= 30
        assert count_queries(lambda: client.get(self.list_url(), params)) == few

    def test_create_per_role(self, scope):
        if not self.create_roles:
            response = scope.client(Role.ADMIN).post(self.list_url(), {}, format="json")
            assert response.status_code == 405
            return
        for n, role in enumerate(ROLES):
            response = scope.client(role).post(self.list_url(), self.create_data(scope, n), format="json")
            expected = 201 if role in self.create_roles else 403
            assert response.status_code == expected, (role, response.content)
            if expected == 201:
                assert response["ETag"]
                created = scope.client(role).get(self.detail_url(type("Created", (), {"pk": response.data["id"]})))
                assert created.status_code == 200
                assert created.data == response.data

    def test_update_per_role(self, scope):
        if not self.update_roles:
            obj = self.make(scope, scope.unit)
            response = scope.client(Role.ADMIN).patch(self.detail_url(obj), {}, format="json")
            assert response.status_code == 405
            return
        for role in ROLES:
            obj = self.make(scope, scope.unit)
            client = scope.client(role)
            before = client.get(self.detail_url(obj)).data
            data = self.update_data(obj)
            response = client.patch(self.detail_url(obj), data, format="json")
            if role in self.update_roles:
                assert response.status_code == 200, (role, response.content)
                self.check_updated(obj, data)
            else:
                assert response.status_code == 403, (role, response.content)
                assert client.get(self.detail_url(obj)).data == before

    def test_writes_outside_the_users_units_are_refused(self, scope):
        """Scoped endpoints: 403 for an object of another unit (administrators excepted); others: the unit of the
        object makes no difference; no update at all: 405 wherever the object is."""
        if not self.update_roles:
            obj = self.make(scope, scope.other_unit)
            assert scope.client(Role.ADMIN).patch(self.detail_url(obj), {}, format="json").status_code == 405
            return
        for role in self.update_roles:
            obj = self.make(scope, scope.other_unit)
            response = scope.client(role).patch(self.detail_url(obj), self.update_data(obj), format="json")
            expected = 403 if self.scoped and role != Role.ADMIN else 200
            assert response.status_code == expected, (role, response.content)

    def test_stale_if_match_answers_412(self, scope):
        obj = self.make(scope, scope.unit)
        client = scope.client(Role.ADMIN)
        if not self.update_roles:
            assert client.patch(self.detail_url(obj), {}, format="json", HTTP_IF_MATCH='"x"').status_code == 405
            return
        etag = client.get(self.detail_url(obj))["ETag"]
        stale = client.patch(self.detail_url(obj), self.update_data(obj), format="json", HTTP_IF_MATCH='"stale"')
        assert stale.status_code == 412
        fresh = client.patch(self.detail_url(obj), self.update_data(obj), format="json", HTTP_IF_MATCH=etag)
        assert fresh.status_code == 200, fresh.content
        assert fresh["ETag"] != etag or fresh.data == client.get(self.detail_url(obj)).data

    def test_invalid_create_answers_400_naming_the_field(self, scope):
        if not self.create_roles:
            assert scope.client(Role.ADMIN).post(self.list_url(), {}, format="json").status_code == 405
            return
        data, field = self.invalid_data(scope)
        role = sorted(self.create_roles)[0]
        response = scope.client(role).post(self.list_url(), data, format="json")
        assert response.status_code == 400, response.content
        assert field in response.data, response.data

    def test_delete_per_role(self, scope):
        if not self.delete_roles:
            obj = self.make(scope, scope.unit)
            assert scope.client(Role.ADMIN).delete(self.detail_url(obj)).status_code == 405
            return
        for role in ROLES:
            obj = self.make(scope, scope.unit)
            response = scope.client(role).delete(self.detail_url(obj))
            expected = 204 if role in self.delete_roles else 403
            assert response.status_code == expected, role
            assert type(obj).objects.filter(pk=obj.pk).exists() == (expected == 403)
