from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Region(models.Model):
    """One of the Office's regions (codes in fixtures/, loaded by load_reference)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    # DAC/IATI region code used when a project is regional (e.g. 298 "Africa, regional").
    iati_code = models.CharField(_("IATI region code"), max_length=8, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return self.name


class Country(models.Model):
    iso3 = models.CharField(_("ISO 3166-1 alpha-3"), max_length=3, unique=True)
    iso2 = models.CharField(_("ISO 3166-1 alpha-2"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="countries", verbose_name=_("region"))
    is_ldc = models.BooleanField(_("least developed country"), default=False)
    # Year the country left the UN list of least developed countries (is_ldc is then False).
    ldc_graduation_year = models.PositiveSmallIntegerField(_("graduated from LDC status in"), null=True, blank=True)
    in_transition = models.BooleanField(_("country in transition"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    def __str__(self):
        return self.name

    def was_ldc_in(self, year: int) -> bool:
        """LDC status in a year: current LDCs, and graduated ones before they graduated (for one country; the
        condition on many is partners.selectors.ldc_in, which says the same)."""
        return self.is_ldc or (self.ldc_graduation_year is not None and year < self.ldc_graduation_year)


class OrganisationKind(models.TextChoices):
    GOVERNMENT = "GOVERNMENT", _("Government")
    EMPLOYERS = "EMPLOYERS", _("Employers' organisation")
    WORKERS = "WORKERS", _("Workers' organisation")
    DONOR = "DONOR", _("Donor government or agency")
    UN = "UN", _("UN system body")
    IFI = "IFI", _("Bretton Woods institution / IFI")
    REGIONAL_BANK = "REGIONAL_BANK", _("Regional development bank")
    REGIONAL_BODY = "REGIONAL_BODY", _("Regional integration body")
    PRIVATE = "PRIVATE", _("Private sector")
    FOUNDATION = "FOUNDATION", _("Foundation")
    CIVIL_SOCIETY = "CIVIL_SOCIETY", _("Civil society")
    RESEARCH = "RESEARCH", _("Research institution")


# The tripartite constituents: the kinds that may take part as a constituent group.
CONSTITUENT_KINDS = (OrganisationKind.GOVERNMENT, OrganisationKind.EMPLOYERS, OrganisationKind.WORKERS)


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=255, unique=True)
    acronym = models.CharField(_("acronym"), max_length=32, blank=True, db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices, db_index=True)
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, null=True, blank=True, related_name="organisations",
        verbose_name=_("country"),
    )
    iati_identifier = models.CharField(_("IATI identifier"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    @property
    def is_constituent(self) -> bool:
        return self.kind in CONSTITUENT_KINDS

    @property
    def may_fund(self) -> bool:
        """Any organisation may fund a project except employers' and workers' organisations."""
        return self.kind not in (OrganisationKind.EMPLOYERS, OrganisationKind.WORKERS)


class UnitKind(models.TextChoices):
    HQ = "HQ", _("Headquarters department or bureau")
    REGIONAL_OFFICE = "REGIONAL_OFFICE", _("Regional office")
    COUNTRY_OFFICE = "COUNTRY_OFFICE", _("Area or country office")
    MDT = "MDT", _("Multidisciplinary team")


class Unit(models.Model):
    """One of the Office's own units."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent unit")
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("region"))
    countries = models.ManyToManyField(Country, blank=True, related_name="units", verbose_name=_("countries covered"))
    is_active = models.BooleanField(_("active"), default=True)
    # The per-language name columns (partners/translation.py) stay out of the history: it keeps the name as shown.
    history = HistoricalRecords(m2m_fields=[countries], excluded_fields=["name_en", "name_fr", "name_es"])

    class Meta:
        ordering = ["code"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self):
        return f"{self.code} — {self.name}"

    def clean(self):
        super().clean()
        if self.parent_id is not None and self.pk is not None:
            from partners.selectors import unit_tree

            if self.pk in unit_tree().with_ancestors(self.parent_id):
                raise ValidationError({"parent": _("A unit cannot be placed under itself or under a unit below it.")})


class UnitMembership(models.Model):
    """A user's place in a unit: officers edit their units' projects; managers and focal points get digests."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="unit_memberships")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="memberships")
    is_manager = models.BooleanField(_("manager of the unit"), default=False)
    is_focal_point = models.BooleanField(_("focal point"), default=False)
    receives_digest = models.BooleanField(_("receives the unit's alert digest"), default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "unit"], name="unique_unit_membership")]
        verbose_name = _("unit membership")
        verbose_name_plural = _("unit memberships")

    def __str__(self):
        return f"{self.user} @ {self.unit.code}"


class ConstituentAccount(models.Model):
    """The constituent organisation a user of the constituent role belongs to (exactly one; its country is theirs).
    It lives here, not on the user, because accounts sits below partners."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="constituent_account", verbose_name=_("user"))
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="constituent_accounts",
                                     verbose_name=_("organisation"))

    class Meta:
        verbose_name = _("constituent account")
        verbose_name_plural = _("constituent accounts")

    def __str__(self):
        return f"{self.user} @ {self.organisation}"

    def clean(self):
        super().clean()
        if self.organisation_id is not None and not self.organisation.is_constituent:
            raise ValidationError({"organisation": constituent_kind_error(self.organisation)})


def constituent_kind_error(organisation: Organisation) -> str:
    return _("%(organisation)s is not a constituent organisation (it is: %(kind)s); a constituent belongs to a "
             "government, an employers' or a workers' organisation.") % {
        "organisation": organisation, "kind": organisation.get_kind_display()}
