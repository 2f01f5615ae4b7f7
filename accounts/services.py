from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import ApiToken, Role, User


@transaction.atomic
def user_set_language(*, user: User, language: str) -> User:
    user.language = language
    user.save(update_fields=["language"])
    return user


@transaction.atomic
def user_update_profile(*, user: User, first_name: str, last_name: str, language: str,
                        digest_frequency: str) -> User:
    """What a person may change about themselves: their name, the language of their e-mails (and pages) and how
    often the alert digest comes. Role, units and e-mail address are an administrator's."""
    user.first_name, user.last_name = first_name.strip(), last_name.strip()
    user.language, user.digest_frequency = language, digest_frequency
    user.full_clean(exclude=["password"])
    user.save(update_fields=["first_name", "last_name", "language", "digest_frequency"])
    return user


DEMO_USERS = [
    ("officer", Role.OFFICER, "Olivia", "Officer"),
    ("manager", Role.MANAGER, "Manuel", "Manager"),
    ("evaluator", Role.EVALUATION, "Eva", "Evaluator"),
    ("secretariat", Role.SECRETARIAT, "Samir", "Secretariat"),
    ("admin", Role.ADMIN, "Ada", "Administrator"),
]


@transaction.atomic
def demo_users_ensure(*, password: str) -> list[User]:
    """One user per role, with a known password; an existing demo user keeps its data."""
    users = []
    for username, role, first, last in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"role": role, "first_name": first, "last_name": last, "email": f"{username}@tcms.example.org"},
        )
        if created or not user.has_usable_password():
            user.set_password(password)
        user.role = role
        user.is_staff = role == Role.ADMIN
        user.is_superuser = role == Role.ADMIN
        user.save()
        users.append(user)
    return users


@transaction.atomic
def api_token_create(*, user) -> tuple[ApiToken, str]:
    """A new API token for the user, replacing any earlier one (which stops working at once), expiring after
    TCMS_API_TOKEN_DAYS. Returns the token and its key: only the key's digest is stored, so this is the one time
    the key can be shown."""
    ApiToken.objects.filter(user=user).delete()
    return ApiToken.objects.create(user=user, expiry=timedelta(days=settings.TCMS_API_TOKEN_DAYS))


@transaction.atomic
def api_token_revoke(*, user) -> bool:
    """Delete the user's API token; whether there was one."""
    deleted, _rows = ApiToken.objects.filter(user=user).delete()
    return bool(deleted)


@transaction.atomic
def user_provision(*, username: str, role: str, password: str, email: str = "",
                   update: bool = False) -> tuple[User, bool]:
    """Create an account with a role and a password that passes the password validators (settings); an existing
    username is refused unless `update`, which sets its role, password (and e-mail if given). Errors are keyed by
    what was wrong: username, role, password, email. Returns (user, created)."""
    username = username.strip()
    user = User.objects.filter(username=username).first()
    created = user is None
    if not created and not update:
        raise ValidationError({"username": _("A user named “%(username)s” already exists.") % {"username": username}})
    if role not in Role.values:
        raise ValidationError({"role": _("“%(role)s” is not a role; the roles are %(roles)s.") % {
            "role": role, "roles": ", ".join(Role.values)}})
    if not password:
        raise ValidationError({"password": _("The password cannot be empty.")})
    user = user or User(username=username)
    user.role = role
    user.is_staff = user.is_staff or role == Role.ADMIN
    if email:
        user.email = email
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user, created
