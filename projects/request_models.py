"""What constituents ask of the Office and answer to it (issue 18.4-5): requests for assistance, which a project
may answer (a demand-driven project), and a government's agreement to an autonomous programme in its country.
Imported at the end of projects/models.py (the app's models)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from partners.models import Country, Organisation
from projects.models import ConstituentGroup, Project, StrategicObjective


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    UNDER_REVIEW = "under_review", _("Under review")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class AssistanceRequest(models.Model):
    """A constituent organisation's request for assistance, reviewed by the Office (projects.services.requests).
    An accepted request linked to a project makes that project demand-driven (projects.request_selectors)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="assistance_requests",
                                     verbose_name=_("organisation"))
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"))
    strategic_objective = models.ForeignKey(StrategicObjective, on_delete=models.PROTECT, related_name="+",
                                            verbose_name=_("strategic objective"))
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+", verbose_name=_("country"))
    # The constituent groups backing it: a list of ConstituentGroup values.
    groups = models.JSONField(_("constituent groups backing it"), default=list)
    status = models.CharField(_("status"), max_length=16, choices=RequestStatus.choices,
                              default=RequestStatus.RECEIVED, db_index=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    project = models.ForeignKey(Project, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="answered_requests", verbose_name=_("project it led to"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("reviewed by"))
    # When the Office last answered (under review, accepted, declined, linked): the constituents' digests read it.
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("request for assistance")
        verbose_name_plural = _("requests for assistance")

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        unknown = [group for group in self.groups or [] if group not in ConstituentGroup.values]
        if unknown or not self.groups:
            raise ValidationError({"groups": _("Name one or more of the constituent groups: %(groups)s.") % {
                "groups": ", ".join(ConstituentGroup.values)}})
        if self.status == RequestStatus.DECLINED and not self.decline_reason.strip():
            raise ValidationError({"reason": _("Give the reason for declining the request.")})

    def groups_display(self) -> str:
        labels = dict(ConstituentGroup.choices)
        return ", ".join(str(labels.get(group, group)) for group in self.groups or [])


class AutonomyAgreement(models.Model):
    """A government's word on an autonomous programme working in its country: informed, and agreeing or not (one
    per project and country; its changes kept in the history). AUTONOMY_NOT_AGREED fires while an ongoing
    autonomous project lacks an agreement for one of its countries."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="autonomy_agreements",
                                verbose_name=_("project"))
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+", verbose_name=_("country"))
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="autonomy_agreements",
                                     verbose_name=_("government"))
    informed_on = models.DateField(_("informed on"))
    agrees = models.BooleanField(_("agrees"))
    comment = models.TextField(_("comment"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("government agreement to autonomy")
        verbose_name_plural = _("government agreements to autonomy")
        constraints = [models.UniqueConstraint(fields=["project", "country"], name="autonomy_agreement_per_country")]

    def __str__(self):
        return f"{self.project.symbol} {self.country}"
