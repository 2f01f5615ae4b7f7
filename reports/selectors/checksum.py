"""Which data a report was made from: a checksum over every table it reads, so the same report for the same date
gives the same figures and says so."""

import datetime as dt
import hashlib
import json
from decimal import Decimal

from django.db.models import Count, Max, Min, Q, Sum

from alerts.models import Alert, AlertState, Severity
from delivery.models import Allocation, Approval, Expenditure, ProjectYearDelivery, SourceYearDelivery
from evaluation.models import (
    CRITERIA,
    Evaluation,
    FollowUpStatus,
    Lesson,
    Recommendation,
    ResponseKind,
)
from partners.models import Country
from projects.models import (
    ExpertAssignment,
    Project,
    TrainingActivity,
    TripartiteInvolvement,
)
from reports.selectors.periods import (
    Period,
)


def _fingerprint(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):  # SQLite may return sums of decimals as floats
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def data_checksum(*, period: Period, as_of: dt.date | None = None) -> str:
    """SHA-256 of the parameters and of counts and sums of every table the report reads, for its period and the
    period before, up to the last day that counts. Same parameters and same data ⇒ same checksum; a changed,
    added or removed row changes a count or a sum (barring changes that cancel out exactly)."""
    previous = period.previous()
    first, last = previous.start, period.last_day(as_of)
    years = sorted(set(previous.years) | set(period.years))
    money_cents = Sum("amount_usd")
    parts = {
        "parameters": [period.start.isoformat(), period.end.isoformat(), as_of.isoformat() if as_of else ""],
        "allocation": Allocation.objects.filter(year__in=years).aggregate(n=Count("id"), s=money_cents,
                                                                          f=Sum("funding_source_id")),
        "expenditure": Expenditure.objects.filter(period__gte=first, period__lte=last).aggregate(
            n=Count("id"), s=money_cents, t=Sum("input_type_id"), f=Sum("funding_source_id")),
        "year_rollup": ProjectYearDelivery.objects.filter(year__in=years).aggregate(
            n=Count("id"), a=Sum("allocation_cents"), s=Sum("spent_cents_to_m12")),
        "source_year_rollup": SourceYearDelivery.objects.filter(year__in=years).aggregate(
            n=Count("id"), a=Sum("allocation_cents"), s=Sum("spent_cents_to_m12"), f=Sum("funding_source_id")),
        "approvals": Approval.objects.filter(date__gte=first, date__lte=last).aggregate(
            n=Count("id"), s=money_cents, d=Sum("donor_id")),
        "projects": Project.objects.aggregate(n=Count("id"), o=Sum("strategic_objective_id"),
                                              p=Sum("primary_programme_id"), f=Sum("funding_source_id"),
                                              r=Sum("region_id"), g=Sum("gender_marker"),
                                              a=Count("id", filter=Q(is_autonomous=True)), m=Max("updated_at")),
        "project_countries": Project.countries.through.objects.aggregate(n=Count("id"), c=Sum("country_id")),
        "project_themes": Project.themes.through.objects.aggregate(n=Count("id"), t=Sum("crosscuttingtheme_id")),
        "project_principles": Project.principles.through.objects.aggregate(
            n=Count("id"), p=Sum("declarationprinciple_id")),
        "project_conventions": Project.conventions.through.objects.aggregate(n=Count("id"), c=Sum("convention_id")),
        "countries_in_transition": Country.objects.aggregate(n=Count("id", filter=Q(in_transition=True)),
                                                             s=Sum("id", filter=Q(in_transition=True))),
        "countries": Country.objects.aggregate(n=Count("id"), ldc=Count("id", filter=Q(is_ldc=True)),
                                               g=Sum("ldc_graduation_year"), r=Sum("region_id")),
        "experts": ExpertAssignment.objects.filter(year__in=years).aggregate(
            n=Count("id"), m=Sum("work_months"), c=Sum("nationality_id")),
        "training": TrainingActivity.objects.filter(start_date__gte=first, start_date__lte=last).aggregate(
            n=Count("id"), w=Sum("women"), m=Sum("men"), t=Count("id", filter=Q(is_turin_centre=True))),
        "tripartite": TripartiteInvolvement.objects.aggregate(
            n=Count("id"), c=Count("id", filter=Q(contemplated=True)),
            a=Count("id", filter=Q(actual_date__lte=last)), w=Sum("women"), m=Sum("men"), d=Max("actual_date"),
            e=Min("actual_date")),
        "alerts": Alert.objects.filter(period__in=years, raised_on__lte=last).aggregate(
            n=Count("id"), red=Count("id", filter=Q(severity=Severity.RED)), r=Sum("slippage_reason_id"),
            s=Count("id", filter=Q(state=AlertState.RESOLVED))),
        "evaluations": Evaluation.objects.filter(actual_date__gte=first, actual_date__lte=last).aggregate(
            n=Count("id"), **{c: Sum(c) for c in CRITERIA}),
        "recommendations": Recommendation.objects.filter(
            evaluation__actual_date__gte=first, evaluation__actual_date__lte=last).aggregate(
            n=Count("id"), accepted=Count("response", filter=Q(response__response__in=[ResponseKind.ACCEPTED,
                                                                                     ResponseKind.PARTIAL])),
            followed=Count("response", filter=Q(response__follow_up_status=FollowUpStatus.COMPLETED))),
        "lessons": Lesson.objects.filter(is_validated=True).aggregate(n=Count("id"), t=Max("created_at")),
    }
    canonical = json.dumps({name: value if isinstance(value, list) else {k: _fingerprint(v) for k, v in
                                                                           sorted(value.items())}
                            for name, value in parts.items()}, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()
