import pytest
from django.core.management import call_command

from accounts.models import Role, User


@pytest.mark.django_db
def test_seed_users_creates_one_per_role_and_keeps_changed_passwords(capsys):
    call_command("seed_users", password="demo-password-1")
    out = capsys.readouterr().out
    # Constituents belong to an organisation: the demo's constituents come with its projects (projects/demo.py).
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values) - {Role.CONSTITUENT}
    assert "officer" in out and "Programme officer" in out
    officer = User.objects.get(username="officer")
    officer.set_password("changed-by-user-9")
    officer.save()
    call_command("seed_users", password="demo-password-1")
    officer.refresh_from_db()
    assert officer.check_password("changed-by-user-9")
    assert User.objects.count() == len(Role.values) - 1
