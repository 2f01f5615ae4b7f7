from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken


class Role(models.TextChoices):
    OFFICER = "OFFICER", _("Programme officer")
    MANAGER = "MANAGER", _("Manager")
    EVALUATION = "EVALUATION", _("Evaluation officer")
    SECRETARIAT = "SECRETARIAT", _("Governing Body secretariat")
    ADMIN = "ADMIN", _("Administrator")
    # A person of a constituent organisation (government, employers' or workers'): partners.ConstituentAccount.
    CONSTITUENT = "CONSTITUENT", _("Constituent")


class DigestFrequency(models.TextChoices):
    WEEKLY = "WEEKLY", _("Weekly")
    DAILY = "DAILY", _("Daily")
    IMMEDIATE_RED = "IMMEDIATE_RED", _("Daily, and at once for red alerts")
    NONE = "NONE", _("No digest")


class User(AbstractUser):
    """A person using TCMS. Their units are in partners.UnitMembership."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.OFFICER)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True, default="")
    digest_frequency = models.CharField(
        _("digest frequency"), max_length=20, choices=DigestFrequency.choices, default=DigestFrequency.WEEKLY
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def is_administrator(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN

    @property
    def is_constituent(self) -> bool:
        return self.role == Role.CONSTITUENT and not self.is_superuser


class ApiToken(AuthToken):
    """A personal REST API token, in django-rest-knox's table: the key is random, shown once when created, and only
    its digest is stored. It works until its expiry (set from TCMS_API_TOKEN_DAYS; an administrator may change it)
    or until it is revoked (deleted)."""

    class Meta:
        proxy = True
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return str(self.user)

    @property
    def is_expired(self) -> bool:
        return self.expiry is not None and self.expiry <= timezone.now()
