"""Requests for assistance (issue 18.4): one service per write, called by the pages and the API alike; every change
kept in the request's history (with a reason).

received → under review → accepted or declined (with a reason); an accepted request may be linked to the project it
led to, which then answers a constituent request (demand-driven, projects.request_selectors.demand_driven)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import require
from core import clock
from partners.selectors import constituent_organisation
from projects.models import AssistanceRequest, Project, RequestStatus
from projects.permissions import DECIDE_REQUEST, SUBMIT_REQUEST
from projects.services._shared import _by

# The Office's answers: what each decision may follow.
DECISIONS = {
    RequestStatus.UNDER_REVIEW: (RequestStatus.RECEIVED,),
    RequestStatus.ACCEPTED: (RequestStatus.RECEIVED, RequestStatus.UNDER_REVIEW),
    RequestStatus.DECLINED: (RequestStatus.RECEIVED, RequestStatus.UNDER_REVIEW),
}


def _save(assistance_request: AssistanceRequest, user, reason: str) -> AssistanceRequest:
    assistance_request.full_clean()
    assistance_request._change_reason = reason
    _by(user, assistance_request).save()
    return assistance_request


def _locked(assistance_request: AssistanceRequest) -> AssistanceRequest:
    return AssistanceRequest.objects.select_for_update().get(pk=assistance_request.pk)


@transaction.atomic
def request_submit(*, user, title: str, description: str, strategic_objective, country, groups) -> AssistanceRequest:
    """A constituent's request, for their organisation: received."""
    require(user, SUBMIT_REQUEST)
    assistance_request = AssistanceRequest(
        organisation=constituent_organisation(user), title=(title or "").strip(),
        description=(description or "").strip(), strategic_objective=strategic_objective, country=country,
        groups=sorted(set(groups or [])), submitted_by=user, submitted_at=timezone.now())
    return _save(assistance_request, user, _("Submitted"))


@transaction.atomic
def request_review(*, assistance_request: AssistanceRequest, user) -> AssistanceRequest:
    """The Office takes a received request under review."""
    return request_decide(assistance_request=assistance_request, user=user, decision=RequestStatus.UNDER_REVIEW)


@transaction.atomic
def request_decide(*, assistance_request: AssistanceRequest, user, decision: str, reason: str = "",
                   project: Project | None = None) -> AssistanceRequest:
    """The Office's answer: under review, accepted (optionally with the project it led to) or declined with a
    reason."""
    require(user, DECIDE_REQUEST, assistance_request)
    assistance_request = _locked(assistance_request)
    if decision not in DECISIONS:
        raise ValidationError({"decision": _("Choose one of: %(choices)s.") % {"choices": ", ".join(DECISIONS)}})
    if assistance_request.status not in DECISIONS[decision]:
        raise ValidationError({"decision": _("The request is %(state)s: it cannot become %(decision)s.") % {
            "state": assistance_request.get_status_display().lower(),
            "decision": RequestStatus(decision).label.lower()}})
    reason = (reason or "").strip()
    if decision == RequestStatus.DECLINED and not reason:
        raise ValidationError({"reason": _("Give the reason for declining the request.")})
    if project is not None and decision != RequestStatus.ACCEPTED:
        raise ValidationError({"project": _("Only an accepted request is linked to the project it led to.")})
    assistance_request.status = decision
    assistance_request.decline_reason = reason if decision == RequestStatus.DECLINED else ""
    if project is not None:
        assistance_request.project = project
    assistance_request.decided_by, assistance_request.answered_at = user, clock.now()
    return _save(assistance_request, user, reason or RequestStatus(decision).label)


@transaction.atomic
def request_link_project(*, assistance_request: AssistanceRequest, user, project: Project | None) -> AssistanceRequest:
    """Link an accepted request to the project it led to (or unlink it: project None)."""
    require(user, DECIDE_REQUEST, assistance_request)
    assistance_request = _locked(assistance_request)
    if assistance_request.status != RequestStatus.ACCEPTED:
        raise ValidationError({"project": _("Only an accepted request is linked to the project it led to.")})
    assistance_request.project = project
    assistance_request.decided_by, assistance_request.answered_at = user, clock.now()
    reason = (_("Linked to %(symbol)s") % {"symbol": project.symbol}) if project else _("Unlinked from its project")
    return _save(assistance_request, user, reason)
