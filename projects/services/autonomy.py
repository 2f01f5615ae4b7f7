"""A government's agreement to an autonomous programme in its country (issue 18.5): one record per project and
country, changed by the government's constituent users; every change kept in the history."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import require
from core import clock
from partners.selectors import constituent_organisation
from projects.models import AutonomyAgreement, Project
from projects.permissions import RECORD_AUTONOMY
from projects.services._shared import _by


@transaction.atomic
def autonomy_agreement_record(*, project: Project, user, informed_on: dt.date | None, agrees: bool,
                              comment: str = "") -> AutonomyAgreement:
    """The user's government was informed of the programme on `informed_on` and agrees to it (or not)."""
    require(user, RECORD_AUTONOMY, project)
    if informed_on is None:
        raise ValidationError({"informed_on": _("Give the date on which the government was informed.")})
    if informed_on > clock.today():
        raise ValidationError({"informed_on": _("The date cannot be in the future.")})
    comment = (comment or "").strip()
    if not agrees and not comment:
        raise ValidationError({"comment": _("Say why the government does not agree.")})
    organisation = constituent_organisation(user)
    agreement = (AutonomyAgreement.objects.select_for_update()
                 .filter(project=project, country_id=organisation.country_id).first()
                 or AutonomyAgreement(project=project, country_id=organisation.country_id))
    agreement.organisation, agreement.informed_on, agreement.agrees = organisation, informed_on, bool(agrees)
    agreement.comment, agreement.recorded_by, agreement.recorded_at = comment, user, timezone.now()
    agreement.full_clean(validate_unique=False)
    agreement._change_reason = _("The government agrees") if agrees else _("The government does not agree")
    _by(user, agreement).save()
    return agreement
