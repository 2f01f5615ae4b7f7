"""A tripartite cell confirmed by its constituent group (issue 18.3): one service per write, called by the pages and
the API alike. Every change is kept in the project's history (the cell's historical records, with a reason).

States (projects.models.Confirmation):
- recorded: the Office's record (the default; tripartite_set writes it);
- reported: a constituent of the cell's group says what happened (date, description, women, men);
- disputed: the constituent says they were not involved although the Office recorded it, or the Office answers a
  report with a comment (it does not accept it as it stands); the rule TRIPARTITE_DISPUTED fires;
- confirmed: the responsible officer accepts the constituent's report (or their "not involved": the actual
  involvement is then cleared), or the constituent confirms the Office's record.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import require
from core import clock
from partners.selectors import constituent_organisation
from projects.models import PENDING_CONFIRMATION, Confirmation, TripartiteInvolvement
from projects.permissions import ANSWER_INVOLVEMENT, CONFIRM_INVOLVEMENT, REPORT_INVOLVEMENT, is_constituent
from projects.services._shared import _by


def _locked(cell: TripartiteInvolvement) -> TripartiteInvolvement:
    """The cell as stored, locked until the end of the transaction: two answers at once are applied in turn."""
    return TripartiteInvolvement.objects.select_for_update().select_related("project").get(pk=cell.pk)


def _save(cell: TripartiteInvolvement, user, reason: str) -> TripartiteInvolvement:
    cell.full_clean()
    cell._change_reason = reason  # simple-history keeps it with the change (history_change_reason)
    _by(user, cell).save()
    return cell


def _refuse_state(cell: TripartiteInvolvement, allowed: tuple[str, ...]) -> None:
    if cell.confirmation not in allowed:
        raise ValidationError({"confirmation": _("This cell is %(state)s: nothing to do here.") % {
            "state": cell.get_confirmation_display().lower()}})


@transaction.atomic
def involvement_report(*, cell: TripartiteInvolvement, user=None, actual_date: dt.date | None = None,
                       actual_description: str = "", women: int | None = None, men: int | None = None,
                       not_involved: bool = False) -> TripartiteInvolvement:
    """A constituent's account of the cell: what happened (→ reported), or that they were not involved although the
    Office recorded it (→ disputed). A report may be given again until the cell is confirmed."""
    require(user, REPORT_INVOLVEMENT, cell)
    cell = _locked(cell)
    _refuse_state(cell, (Confirmation.RECORDED, Confirmation.REPORTED, Confirmation.DISPUTED))
    if not_involved:
        if not cell.is_actual:
            raise ValidationError({"not_involved": _("The Office recorded no involvement in this cell: there is "
                                                     "nothing to dispute.")})
        cell.not_involved, cell.confirmation = True, Confirmation.DISPUTED
        reason = _("The constituent says they were not involved")
    else:
        errors = {}
        if actual_date is None:
            errors["actual_date"] = _("Give the date on which the involvement took place.")
        elif actual_date > clock.today():
            errors["actual_date"] = _("The date cannot be in the future.")
        if not (actual_description or "").strip():
            errors["actual_description"] = _("Say what happened.")
        if errors:
            raise ValidationError(errors)
        cell.actual_date, cell.actual_description = actual_date, actual_description.strip()
        cell.women, cell.men = women, men
        cell.actual_organisation = constituent_organisation(user) or cell.actual_organisation
        cell.not_involved, cell.confirmation = False, Confirmation.REPORTED
        reason = _("Reported by the constituent")
    cell.reported_by = user if getattr(user, "is_authenticated", False) else None
    cell.reported_at = timezone.now()
    cell.confirmed_by = cell.confirmed_at = None
    return _save(cell, user, reason)


@transaction.atomic
def involvement_confirm(*, cell: TripartiteInvolvement, user=None) -> TripartiteInvolvement:
    """→ confirmed. The constituent confirms the Office's record (recorded, or disputed after the Office's answer);
    the responsible officer accepts the constituent's report (reported), or their "not involved" (disputed), which
    clears the actual involvement."""
    require(user, CONFIRM_INVOLVEMENT, cell)
    cell = _locked(cell)
    if user is not None and is_constituent(user):
        _refuse_state(cell, (Confirmation.RECORDED, Confirmation.DISPUTED))
        if not cell.is_actual:
            raise ValidationError({"confirmation": _("The Office recorded no involvement in this cell: report what "
                                                     "happened instead.")})
        cell.not_involved = False
        reason = _("The constituent confirms the Office's record")
    else:
        _refuse_state(cell, PENDING_CONFIRMATION)
        if cell.not_involved:
            cell.actual_date, cell.actual_organisation, cell.actual_description = None, None, ""
            cell.women = cell.men = None
        reason = _("The Office accepts the constituent's report")
    cell.confirmation = Confirmation.CONFIRMED
    cell.confirmed_by = user if getattr(user, "is_authenticated", False) else None
    cell.confirmed_at = timezone.now()
    return _save(cell, user, reason)


@transaction.atomic
def involvement_answer(*, cell: TripartiteInvolvement, comment: str, user=None) -> TripartiteInvolvement:
    """The responsible officer answers a constituent's report (or dispute) with a comment instead of accepting it:
    → disputed, until one side confirms or the constituent reports again."""
    require(user, ANSWER_INVOLVEMENT, cell)
    cell = _locked(cell)
    _refuse_state(cell, PENDING_CONFIRMATION)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Say why, for the constituent to read.")})
    cell.officer_comment, cell.confirmation = comment, Confirmation.DISPUTED
    return _save(cell, user, comment)
