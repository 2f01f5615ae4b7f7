"""Property-based tests of every write of the API (/api/v1/): whatever JSON arrives, never a server error and never a
partial write.

For each write operation (POST on a collection, PUT/PATCH on an object, the custom actions, the bulk imports) the
body is either a valid body with one field replaced by a hostile value or removed (mutation: most errors hide one
field away from a working request), or a body made of hostile values only. Properties:
- the status is below 500;
- on a 4xx nothing in the database changed: the row counts of every table of the project's apps (the record of a
  refused import excepted) and the target object's stored fields (its version among them) are as before;
- a 400 names the field at fault (a key of the error body; for the bulk imports the column of a row's error);
- on a 2xx the object read back through the API is what the answer said, with the text sent stored as sent.
Each example runs in a savepoint rolled back afterwards, so every example starts from the same database.
"""

import datetime as dt
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.urls import resolve, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework import serializers

from accounts.models import Role
from alerts import serializers as alert_serializers
from alerts.models import Alert, AlertState, Rule, SlippageReason
from delivery import serializers as delivery_serializers
from delivery.models import Allocation, ExchangeRate, ImportBatch, ImportStatus
from delivery.services import LAYOUTS, approval_create
from evaluation import serializers as evaluation_serializers
from evaluation.models import EvaluationStatus, ManagementResponse
from partners.models import Country, OrganisationKind
from partners.serializers import OrganisationWriteSerializer
from projects import request_serializers
from projects import serializers as project_serializers
from projects.models import (
    ExpertAssignment,
    ProgressReport,
    ProjectPartner,
    ProjectStatus,
    TrainingActivity,
    TripartiteInvolvement,
)
from projects.services import involvement_report
from tests import constituent_requests
from tests.evaluation.factories import (
    EvaluationFactory,
    IndicatorFactory,
    LessonFactory,
    PeriodFactory,
    RecommendationFactory,
    ResultFactory,
)
from tests.factories import (
    CountryFactory,
    FundingSourceFactory,
    InputTypeFactory,
    ObjectiveFactory,
    OrganisationFactory,
    ProjectFactory,
    RegionFactory,
    UserFactory,
)

BOUNDED = settings(max_examples=20, deadline=None, database=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
APPS = ("accounts", "partners", "projects", "delivery", "evaluation", "alerts")
MISSING = object()  # a mutation that removes the field
UNEXPECTED = "unexpected_field"

# Values that break the layers below the serializers: NUL (refused by PostgreSQL text), integers past 32/64 bits,
# near-dates and dates at the ends of the calendar, numbers as text, right-to-left marks, very long text.
HOSTILE_SCALARS = st.sampled_from([
    "", " ", "\x00", "a\x00b", "\u202etxt.exe", "\u200f\u200e", "<script>alert(1)</script>", "' OR 1=1 --", "=1+1",
    "x" * 5000, "é" * 600, "NaN", "Infinity", "-Infinity", "1e309", "-1", "0", "99999999999999999999", "1.5",
    "2026-02-30", "2026-13-01", "0000-00-00", "0001-01-01", "9999-12-31", "2026-1-1", "2026-01", "31/12/2026",
    "true", "null", "INT/00/0001/MUL", "KEN", "XBTC", "EXPERTS", "APPROVED", "ACCEPTED",
    0, -1, 1, 2, 3, 2**31 - 1, 2**31, 2**63 - 1, 2**63, -(2**63) - 1, 10**30, 999_999, -0.0, 1e308, 0.1,
    True, False, None,
])
HOSTILE = st.one_of(
    HOSTILE_SCALARS,
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.lists(st.one_of(st.none(), st.integers(-5, 2**64), st.text(max_size=5), HOSTILE_SCALARS), max_size=3),
    st.dictionaries(st.text(max_size=5), st.one_of(st.none(), st.integers(), st.text(max_size=5)), max_size=3),
)
NOT_AN_OBJECT = st.one_of(st.lists(HOSTILE, max_size=2), st.text(max_size=10), st.integers(), st.booleans())
sequence = itertools.count(1)


@dataclass
class Write:
    """One write operation: where it goes, a valid body, and the object it changes (None for a create)."""

    url: str
    body: dict | list
    fields: list[str]
    method: str = "post"
    target: object = None
    detail: str = ""  # the basename whose detail answers the object written ("" for the bulk imports)
    bulk: bool = False
    text_fields: set[str] = field(default_factory=set)
    user: object = None  # who sends it (an administrator when None; a constituent for their own reports)


def writable(serializer_class) -> tuple[list[str], set[str]]:
    """The names a serializer accepts, and those of them that are plain text (stored as sent, trimmed)."""
    fields = {name: f for name, f in serializer_class().fields.items() if not f.read_only}
    return sorted(fields), {name for name, f in fields.items() if type(f) is serializers.CharField}


# ---------------------------------------------------------------- the database before and after


def _tables() -> list[str]:
    tables = {model._meta.db_table for app in APPS
              for model in apps.get_app_config(app).get_models(include_auto_created=True)
              if not model._meta.proxy and model._meta.managed}
    # A refused import is recorded (as FAILED): its applied batches are counted instead (below).
    tables.discard(ImportBatch._meta.db_table)
    return sorted(tables)


def snapshot(write: Write) -> dict:
    quote = connection.ops.quote_name
    tables = _tables()
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(table)})" for table in tables))
        state = dict(zip(tables, cursor.fetchone(), strict=True))
    state["applied imports"] = ImportBatch.objects.filter(status=ImportStatus.APPLIED).count()
    if write.target is not None:
        target = write.target
        state["target"] = type(target).objects.filter(pk=target.pk).values().get()
    return state


def named_in_error(data) -> set[str]:
    if isinstance(data, dict) and isinstance(data.get("errors"), list):  # the bulk imports' row errors
        return {error["column"] or "non_field_errors" for error in data["errors"]}
    return set(data) if isinstance(data, dict) else set()


def check(client, write: Write, body, mutated: str | None = None, mutated_to=None) -> None:
    with transaction.atomic():
        before = snapshot(write)
        response = getattr(client, write.method)(write.url, body, format="json")
        assert response.status_code < 500, response.content
        if response.status_code >= 400:
            assert snapshot(write) == before, response.data
            # 412: a version other than the object's (optimistic locking), which the answer names.
            stale = response.status_code == 412 and isinstance(body, dict) and "version" in body
            assert response.status_code == 400 or stale, (response.status_code, response.data)
            named = named_in_error(response.data)
            assert named, response.data
            # The field at fault, or (a rule across fields: a date and its reason, the actual and its split by sex)
            # the field the rule is about: always a name the client sent or may send.
            expected = {*write.fields, "non_field_errors", UNEXPECTED}
            rows = body if isinstance(body, list) else [body]
            expected |= {str(key) for row in rows if isinstance(row, dict) for key in row}
            assert named <= expected, response.data
            if isinstance(mutated_to, dict):  # no field takes an object: the blame is the mutated field's alone
                assert mutated in named, (mutated, response.data)
        elif write.bulk:
            assert response.data["created"] + response.data["updated"] + response.data["unchanged"] == len(body)
        else:
            stored = client.get(reverse(f"{write.detail}-detail", args=[response.data["id"]]))
            assert stored.status_code == 200
            assert stored.data == response.data
            for name in write.text_fields & set(body if isinstance(body, dict) else ()):
                if isinstance(body[name], str) and name in response.data:
                    assert response.data[name] == body[name].strip(), name
        transaction.set_rollback(True)


def bodies(write: Write):
    """(body, the field mutated, its new value): mostly the valid body with one field changed or removed, some
    bodies wholly hostile (no field mutated: None, None)."""
    if write.bulk:
        row = write.body[0]
        mutated_row = st.sampled_from([*row, UNEXPECTED]).flatmap(
            lambda name: st.one_of(st.just(MISSING), HOSTILE).map(lambda value: (name, value)))

        def with_row(change):
            name, value = change
            changed = {key: cell for key, cell in row.items() if key != name}
            if value is not MISSING:
                changed[name] = value
            return [changed, *write.body[1:]], name, value

        hostile_rows = st.lists(st.dictionaries(st.sampled_from([*write.fields, UNEXPECTED]), HOSTILE, max_size=6),
                                max_size=3).map(lambda rows: (rows, None, None))
        return st.one_of(mutated_row.map(with_row), mutated_row.map(with_row), hostile_rows,
                         NOT_AN_OBJECT.map(lambda value: (value, None, None)))

    names = sorted({*write.body, *write.fields, UNEXPECTED})
    change = st.sampled_from(names).flatmap(
        lambda name: st.one_of(st.just(MISSING), HOSTILE, HOSTILE).map(lambda value: (name, value)))

    def mutate(pair):
        name, value = pair
        body = {key: item for key, item in write.body.items() if key != name}
        if value is not MISSING:
            body[name] = value
        return body, name, value

    hostile = st.dictionaries(st.sampled_from(names), HOSTILE, max_size=len(names)).map(lambda body: (body, None, None))
    return st.one_of(change.map(mutate), change.map(mutate), change.map(mutate), hostile,
                     NOT_AN_OBJECT.map(lambda value: (value, None, None)))


# ---------------------------------------------------------------- every write of the API


def _completed_evaluation(unit):
    return EvaluationFactory(projects=[ProjectFactory(responsible_unit=unit)], status=EvaluationStatus.COMPLETED,
                             actual_date=dt.date(2001, 11, 15))


def _write(basename: str, body, serializer_class, *, target=None, action: str = "", method: str = "post",
           detail: str | None = None, user=None) -> Write:
    fields, text_fields = writable(serializer_class)
    if target is None:
        url = reverse(f"{basename}-{action or 'list'}")
    else:
        url = reverse(f"{basename}-{action or 'detail'}", args=[target.pk])
    return Write(url=url, body=body, fields=fields, method=method, target=target,
                 detail=basename if detail is None else detail, text_fields=text_fields, user=user)


def _bulk(basename: str, rows: list[dict], kind: str, action: str = "list") -> Write:
    return Write(url=reverse(f"{basename}-{action}"), body=rows, fields=list(LAYOUTS[kind]), bulk=True)


def project_create_body(scope) -> dict:
    return {"symbol": f"INT/01/{next(sequence) % 90 + 10:02d}/MUL", "title": "Skills for youth",
            "summary": "Apprenticeships", "planned_start": "2001-01-01", "planned_end": "2002-12-31",
            "strategic_objective": ObjectiveFactory().pk, "region": RegionFactory().pk,
            "countries": [CountryFactory().iso3], "funding_source": FundingSourceFactory().pk,
            "responsible_unit": scope.unit.pk, "gender_marker": 2, "is_crisis_response": True,
            "donor": OrganisationFactory().pk}


class World:
    """The objects the writes act on or refer to, each made when first asked for (a test makes only its own)."""

    def __init__(self, scope):
        self.scope = scope
        FundingSourceFactory(code="RBTC")
        InputTypeFactory()
        CountryFactory()  # KEN

    def constituent_of(self, kind: str):
        """A constituent of an organisation of `kind` in Kenya (the country the writes name)."""
        kenya = Country.objects.get(iso3="KEN")
        organisation = OrganisationFactory(kind=kind, country=kenya)
        return UserFactory(role=Role.CONSTITUENT, organisation=organisation)

    @cached_property
    def objective(self):
        return ObjectiveFactory()

    @cached_property
    def assistance_request(self):
        return constituent_requests.assistance_request()

    @cached_property
    def autonomous_project(self):
        return constituent_requests.autonomous_project(Country.objects.get(iso3="KEN"),
                                                       responsible_unit=self.scope.unit)

    @cached_property
    def project(self):
        return ProjectFactory(responsible_unit=self.scope.unit, countries=[CountryFactory()])

    @cached_property
    def allocation(self):
        return Allocation.objects.create(project=self.project, year=2026, funding_source=FundingSourceFactory(),
                                         amount_usd=Decimal("1000.00"))

    @cached_property
    def expert(self):
        return ExpertAssignment.objects.create(project=self.project, nationality=CountryFactory(), year=2001,
                                               work_months=Decimal("2.00"))

    @cached_property
    def training(self):
        return TrainingActivity.objects.create(project=self.project, title="Course", start_date=dt.date(2001, 3, 1),
                                               end_date=dt.date(2001, 3, 2))

    @cached_property
    def progress_report(self):
        return ProgressReport.objects.create(project=self.project, period_end=dt.date(2001, 6, 30),
                                             due_date=dt.date(2001, 8, 31))

    @cached_property
    def approval(self):
        return approval_create(project=self.project, donor=OrganisationFactory(), date=dt.date(2026, 1, 15),
                               amount=Decimal("1000.00"))

    @cached_property
    def expenditure_row(self):
        # In the project's years (ProjectFactory: 2000–2001): an import refuses periods outside them.
        for month in (1, 2):
            ExchangeRate.objects.create(currency="EUR", period=dt.date(2001, month, 1), units_per_usd=Decimal("0.9"))
        return {"project_symbol": self.project.symbol, "period": "2001-01", "input_type": "EXPERTS",
                "currency": "EUR", "amount": "100.00"}

    @cached_property
    def partner(self):
        partner = OrganisationFactory(kind=OrganisationKind.WORKERS)
        ProjectPartner.objects.create(project=self.project, organisation=partner, role="IMPLEMENTING")
        return partner

    @cached_property
    def cell(self):
        return TripartiteInvolvement.objects.create(project=self.project, stage="APPROVAL", group="WORKERS")

    @cached_property
    def constituent(self):
        """A workers' organisation's user, partner of the project (so they see it and its workers' cells)."""
        organisation = OrganisationFactory(name="Workers' Union", kind="WORKERS")
        ProjectPartner.objects.create(project=self.project, organisation=organisation, role="IMPLEMENTING")
        return UserFactory(username="hw-workers", role=Role.CONSTITUENT, organisation=organisation)

    @cached_property
    def reported_cell(self):
        cell = TripartiteInvolvement.objects.create(project=self.project, stage="MONITORING", group="WORKERS")
        return involvement_report(cell=cell, user=self.constituent, actual_date=dt.date(2001, 3, 1),
                                  actual_description="Met")

    @cached_property
    def result(self):
        return ResultFactory(project=self.project)

    @cached_property
    def indicator(self):
        return IndicatorFactory(result=self.result, sex_disaggregated=True)

    @cached_property
    def period(self):
        return PeriodFactory(indicator=self.indicator)

    @cached_property
    def evaluation(self):
        return EvaluationFactory(projects=[self.project])

    @cached_property
    def recommendation(self):
        return RecommendationFactory(evaluation=_completed_evaluation(self.scope.unit))

    @cached_property
    def responded(self):
        responded = RecommendationFactory(evaluation=self.recommendation.evaluation)
        ManagementResponse.objects.create(recommendation=responded, response="ACCEPTED", action="Train the trainers",
                                          owner="CO-DAKAR", due_date=dt.date(2002, 6, 30))
        return responded

    @cached_property
    def lesson(self):
        return LessonFactory(project=self.project)

    def _alert(self, year: int, **state):
        return Alert.objects.create(project=self.project, rule=Rule.objects.get(code="LOW_DELIVERY"), period=year,
                                    severity="AMBER", raised_on=dt.date(2026, 6, 30), **state)

    @cached_property
    def alert(self):
        return self._alert(2026)

    @cached_property
    def explained(self):
        return self._alert(2025, state=AlertState.EXPLAINED,
                           slippage_reason=SlippageReason.objects.get(code="RECRUITMENT"))


def writes(scope) -> dict[str, Callable[[], Write]]:
    w = World(scope)
    ps, es, ds, als = project_serializers, evaluation_serializers, delivery_serializers, alert_serializers
    rs = request_serializers
    return {
        "organisation create": lambda: _write(
            "organisation", {"name": "Norwegian Agency", "acronym": "NORAD", "kind": "DONOR", "country": "KEN",
                             "iati_identifier": "NO-01"}, OrganisationWriteSerializer),
        "project create": lambda: _write("project", project_create_body(scope), ps.ProjectWriteSerializer),
        "project patch": lambda: _write(
            "project", {"title": "Renamed", "summary": "Longer", "planned_end": "2002-06-30", "version": 1,
                        "date_reason": "Donor extension", "countries": ["KEN"], "is_autonomous": True,
                        "autonomy_reason": "Own board"},
            ps.ProjectWriteSerializer, target=w.project, method="patch"),
        "project put": lambda: _write(
            "project", {**project_create_body(scope), "symbol": w.project.symbol, "date_reason": "Replanned"},
            ps.ProjectWriteSerializer, target=w.project, method="put"),
        "project status": lambda: _write(
            "project", {"status": ProjectStatus.SUSPENDED, "version": 1}, ps.StatusChangeSerializer,
            target=w.project, action="status"),
        "project revise date": lambda: _write(
            "project", {"field": "planned_end", "new_value": "2002-06-30", "reason": "Donor extension", "version": 1},
            ps.DateRevisionSerializer, target=w.project, action="revise-date"),
        "partner create": lambda: _write(
            "project-partner", {"project": w.project.pk, "organisation": OrganisationFactory().pk, "role": "FUNDING"},
            ps.PartnerWriteSerializer),
        "tripartite create": lambda: _write(
            "tripartite", {"project": w.project.pk, "stage": "FORMULATION", "group": "EMPLOYERS", "contemplated": True,
                           "contemplated_description": "Steering committee"}, ps.TripartiteWriteSerializer),
        "tripartite patch": lambda: _write(
            "tripartite", {"contemplated": True, "contemplated_description": "Planned", "actual_date": "2001-03-01",
                           "actual_organisation": w.partner.pk, "actual_description": "Met", "women": 4, "men": 5},
            ps.TripartiteUpdateSerializer, target=w.cell, method="patch"),
        "tripartite report": lambda: _write(
            "tripartite", {"actual_date": "2001-03-01", "actual_description": "Met", "women": 4, "men": 5,
                           "not_involved": False},
            ps.InvolvementReportSerializer, target=w.cell, action="report", detail="tripartite", user=w.constituent),
        "tripartite confirm": lambda: Write(url=reverse("tripartite-confirm", args=[w.reported_cell.pk]), body={},
                                            fields=[], target=w.reported_cell, detail="tripartite"),
        "tripartite answer": lambda: _write(
            "tripartite", {"comment": "Which date?"}, ps.InvolvementAnswerSerializer, target=w.reported_cell,
            action="answer"),
        "expert create": lambda: _write(
            "expert", {"project": w.project.pk, "name": "Adviser", "nationality": "KEN", "year": 2001,
                       "work_months": "6.50"}, ps.ExpertWriteSerializer),
        "expert patch": lambda: _write(
            "expert", {"name": "Chief adviser", "year": 2002, "work_months": "3.00"}, ps.ExpertWriteSerializer,
            target=w.expert, method="patch"),
        "training create": lambda: _write(
            "training", {"project": w.project.pk, "title": "Workshop", "area": "Safety", "start_date": "2001-05-01",
                         "end_date": "2001-05-03", "women": 4, "men": 5, "is_turin_centre": True},
            ps.TrainingWriteSerializer),
        "training patch": lambda: _write(
            "training", {"title": "Longer workshop", "end_date": "2001-03-09", "women": 7}, ps.TrainingWriteSerializer,
            target=w.training, method="patch"),
        "progress report create": lambda: _write(
            "progress-report", {"project": w.project.pk, "period_end": "2001-12-31", "due_date": "2002-02-28",
                                "submitted_date": "2002-02-20", "comment": "On time"},
            ps.ProgressReportWriteSerializer),
        "progress report patch": lambda: _write(
            "progress-report", {"submitted_date": "2001-09-02", "comment": "Late"}, ps.ProgressReportWriteSerializer,
            target=w.progress_report, method="patch"),
        "allocation create": lambda: _write(
            "allocation", {"project": w.project.pk, "year": 2027, "funding_source": "RBTC", "amount_usd": "2500.00",
                           "reason": "Approved"}, ds.AllocationWriteSerializer),
        "allocation patch": lambda: _write(
            "allocation", {"amount_usd": "1200.50", "reason": "Donor top-up"}, ds.AllocationChangeSerializer,
            target=w.allocation, method="patch"),
        "allocation import": lambda: _bulk(
            "allocation", [{"project_symbol": w.project.symbol, "year": "2026", "funding_source": "RBTC",
                            "amount_usd": "10.00"}], "allocations", action="bulk-import"),
        "approval create": lambda: _write(
            "approval", {"project": w.project.pk, "donor": OrganisationFactory().pk, "date": "2026-02-01",
                         "amount": "5000.00", "currency": "USD"}, ds.ApprovalWriteSerializer),
        "approval patch": lambda: _write(
            "approval", {"donor": OrganisationFactory().pk, "date": "2026-01-20", "amount": "1200.50",
                         "currency": "USD"}, ds.ApprovalChangeSerializer, target=w.approval, method="patch"),
        "approval import": lambda: _bulk(
            "approval", [{"project_symbol": w.project.symbol, "donor": OrganisationFactory().name,
                          "date": "2026-02-03", "amount": "10.00", "currency": "USD"}], "approvals",
            action="bulk-import"),
        "expenditure import": lambda: _bulk(
            "expenditure", [w.expenditure_row, {**w.expenditure_row, "period": "2001-02"}], "expenditure"),
        "exchange rate import": lambda: _bulk(
            "exchange-rate", [{"currency": "CHF", "period": "2031-01", "units_per_usd": "1.500000"}], "rates"),
        "result create": lambda: _write(
            "result", {"project": w.project.pk, "kind": "OUTCOME", "title": "Youth employed",
                       "description": "Placed in jobs"}, es.ResultWriteSerializer),
        "result patch": lambda: _write(
            "result", {"kind": "OUTPUT", "title": "Renamed", "description": "More"}, es.ResultUpdateSerializer,
            target=w.result, method="patch"),
        "indicator create": lambda: _write(
            "indicator", {"result": w.result.pk, "title": "Trainees", "measure": "UNIT", "ascending": True,
                          "sex_disaggregated": True, "means_of_verification": "Registers"},
            es.IndicatorWriteSerializer),
        "indicator patch": lambda: _write(
            "indicator", {"title": "Trainees placed", "measure": "PERCENTAGE", "sex_disaggregated": True},
            es.IndicatorUpdateSerializer, target=w.indicator, method="patch"),
        "period create": lambda: _write(
            "indicator-period", {"indicator": w.indicator.pk, "start": "2002-01-01", "end": "2002-12-31",
                                 "target": "40", "actual": "12.5", "actual_women": "6", "actual_men": "6.5",
                                 "comment": "Halfway"}, es.PeriodWriteSerializer),
        "period patch": lambda: _write(
            "indicator-period", {"actual": "30", "actual_women": "10", "actual_men": "20", "comment": "On track",
                                 "end": "2001-06-30"}, es.PeriodUpdateSerializer, target=w.period, method="patch"),
        "period revise target": lambda: _write(
            "indicator-period", {"new_target": "60", "reason": "Budget cut"}, es.TargetRevisionSerializer,
            target=w.period, action="revise-target"),
        "evaluation create": lambda: _write(
            "evaluation", {"projects": [w.project.pk], "title": "Final evaluation", "type": "INDEPENDENT",
                           "timing": "FINAL", "planned_date": "2001-10-01", "is_independent": True,
                           "budget_usd": "25000.00", "evaluator": "Consultant"}, es.EvaluationWriteSerializer),
        "evaluation patch": lambda: _write(
            "evaluation", {"evaluator": "Another", "planned_date": "2001-11-01", "budget_usd": "30000.00",
                           "summary": "Findings"}, es.EvaluationWriteSerializer, target=w.evaluation, method="patch"),
        "recommendation create": lambda: _write(
            "recommendation", {"evaluation": w.recommendation.evaluation_id, "text": "Train the trainers",
                               "addressee": "Management", "priority": "HIGH"}, es.RecommendationWriteSerializer),
        "recommendation patch": lambda: _write(
            "recommendation", {"text": "Train more", "addressee": "Regional office", "priority": "LOW"},
            es.RecommendationUpdateSerializer, target=w.recommendation, method="patch"),
        "recommendation response": lambda: _write(
            "recommendation", {"response": "ACCEPTED", "action": "Train 20 trainers", "owner": "CO-DAKAR",
                               "due_date": "2002-06-30", "justification": ""},
            es.ResponseRecordSerializer, target=w.recommendation, action="response"),
        "recommendation follow-up": lambda: _write(
            "recommendation", {"status": "IN_PROGRESS", "note": "Started"}, es.FollowUpSerializer,
            target=w.responded, action="follow-up"),
        "lesson create": lambda: _write(
            "lesson", {"kind": "LESSON", "title": "Apprenticeships", "text": "They last.", "project": w.project.pk},
            es.LessonWriteSerializer),
        "lesson patch": lambda: _write(
            "lesson", {"title": "Validated", "is_validated": True, "text": "Still true"}, es.LessonWriteSerializer,
            target=w.lesson, method="patch"),
        "alert acknowledge": lambda: _write("alert", {}, als.EmptySerializer, target=w.alert, action="acknowledge"),
        "alert explain": lambda: _write(
            "alert", {"reason": "RECRUITMENT", "comment": "Expert arrived late"}, als.ExplainSerializer,
            target=w.alert, action="explain"),
        "alert resolve": lambda: _write(
            "alert", {"note": "Caught up"}, als.ResolveSerializer, target=w.explained, action="resolve"),
        # issue 18.4-5: a constituent's request, the Office's decision, a government's agreement to autonomy
        "request create": lambda: _as(w.constituent_of("WORKERS"), _write(
            "request", {"title": "Social dialogue", "description": "Ports", "strategic_objective": w.objective.pk,
                        "country": "KEN", "groups": ["WORKERS", "EMPLOYERS"]}, rs.AssistanceRequestWriteSerializer)),
        "request decide": lambda: _write(
            "request", {"decision": "declined", "reason": "No funds", "project": None}, rs.RequestDecisionSerializer,
            target=w.assistance_request, action="decide"),
        "autonomy agreement create": lambda: _as(w.constituent_of("GOVERNMENT"), _write(
            "autonomy-agreement", {"project": w.autonomous_project.pk, "informed_on": "2000-05-01", "agrees": False,
                                   "comment": "Not consulted"}, rs.AutonomyAgreementWriteSerializer)),
    }


def _as(user, write: Write) -> Write:
    write.user = user
    return write


WRITES = ("organisation create", "project create", "project patch", "project put", "project status",
          "project revise date", "partner create", "tripartite create", "tripartite patch", "tripartite report",
          "tripartite confirm", "tripartite answer", "expert create",
          "expert patch", "training create", "training patch", "progress report create", "progress report patch",
          "allocation create",
          "allocation patch", "allocation import", "approval create", "approval patch", "approval import",
          "expenditure import", "exchange rate import", "result create",
          "result patch", "indicator create", "indicator patch", "period create", "period patch",
          "period revise target", "evaluation create", "evaluation patch", "recommendation create",
          "recommendation patch", "recommendation response", "recommendation follow-up", "lesson create",
          "lesson patch", "alert acknowledge", "alert explain", "alert resolve", "request create", "request decide",
          "autonomy agreement create")


@pytest.mark.django_db
@pytest.mark.parametrize("name", WRITES)
def test_hostile_bodies_never_fail_the_server_nor_write_in_part(scope, name):
    write = writes(scope)[name]()
    client = scope.client(user=write.user) if write.user is not None else scope.client(Role.ADMIN)
    # The valid body must work, or the mutations would only ever test a refusal.
    check(client, write, write.body)
    with transaction.atomic():
        response = getattr(client, write.method)(write.url, write.body, format="json")
        assert response.status_code in (200, 201), response.data
        transaction.set_rollback(True)

    @BOUNDED
    @given(case=bodies(write))
    def hostile(case):
        body, mutated, mutated_to = case
        check(client, write, body, mutated, mutated_to)

    hostile()


@pytest.mark.django_db
def test_every_write_of_the_router_is_covered(scope):
    """A new write endpoint or action must join WRITES. PUT and PATCH run the same code (a partial update or not):
    one of them stands for both."""
    from tcms.api_urls import router

    def same(action: str) -> str:
        return "partial_update" if action == "update" else action

    routed = {(basename, same(action)) for _prefix, viewset, basename in router.registry
              for route in router.get_routes(viewset) for method, action in route.mapping.items()
              if method in ("post", "put", "patch") and hasattr(viewset, action)}
    made = writes(scope)
    assert set(made) == set(WRITES)
    tested = set()
    for make in made.values():
        write = make()
        view = resolve(write.url).func
        tested.add((view.initkwargs["basename"], same(view.actions[write.method])))
    assert routed == tested


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "field", "value"), [
    ("organisation create", "country", "K\x00N"),
    ("project create", "countries", ["K\x00N"]),
    ("project patch", "countries", ["KEN", "\x00"]),
    ("allocation create", "funding_source", "RB\x00TC"),
])
def test_a_code_with_a_nul_character_is_unknown(scope, name, field, value):
    """Found on PostgreSQL, which cannot hold NUL in text: looking such a code up failed with a server error."""
    write = writes(scope)[name]()
    response = scope.client(Role.ADMIN).generic(write.method.upper(), write.url, json.dumps({**write.body,
                                                                                            field: value}),
                                                content_type="application/json")
    assert response.status_code == 400 and field in response.json(), response.content
    check(scope.client(Role.ADMIN), write, {**write.body, field: value}, field, value)


@pytest.mark.django_db
def test_a_revised_date_out_of_order_is_blamed_on_the_new_value(scope):
    write = writes(scope)["project revise date"]()
    body = {**write.body, "new_value": "1999-12-31"}
    response = scope.client(Role.ADMIN).post(write.url, body, format="json")
    assert response.status_code == 400 and set(response.data) == {"new_value"}, response.data
    check(scope.client(Role.ADMIN), write, body, "new_value", "1999-12-31")
