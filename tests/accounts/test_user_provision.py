"""accounts.services.user_provision: the one write of an account provisioned from a script."""

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Role, User
from accounts.services import user_provision
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-provisioned-password"


def error_fields(**kwargs) -> set[str]:
    with pytest.raises(ValidationError) as info:
        user_provision(**{"username": "amina", "role": Role.OFFICER, "password": PASSWORD, **kwargs})
    return set(info.value.message_dict)


def test_creates_then_updates_only_when_asked():
    user, created = user_provision(username=" amina ", role=Role.ADMIN, password=PASSWORD)
    assert created and user.username == "amina" and user.is_staff and not user.is_superuser
    assert error_fields() == {"username"}
    user, created = user_provision(username="amina", role=Role.OFFICER, password=PASSWORD + "2", update=True)
    assert not created and user.role == Role.OFFICER and user.check_password(PASSWORD + "2")


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"role": "CHIEF"}, "role"), ({"password": ""}, "password"), ({"password": "qwertyuiop"}, "password"),
    ({"password": "1234567890123"}, "password"), ({"email": "nowhere"}, "email"), ({"username": "a b"}, "username"),
])
def test_bad_values_are_refused_by_field_and_nothing_is_written(kwargs, field):
    assert error_fields(**kwargs) == {field}
    assert not User.objects.filter(username="amina").exists()


def test_update_keeps_what_is_not_given():
    UserFactory(username="amina", email="amina@example.org", first_name="Amina")
    user, _created = user_provision(username="amina", role=Role.MANAGER, password=PASSWORD, update=True)
    assert (user.email, user.first_name, user.role) == ("amina@example.org", "Amina", Role.MANAGER)
