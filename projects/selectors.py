"""Reads: the queries the register's pages, API, commands and reports share."""

from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core import formats
from partners.models import Organisation
from partners.selectors import constituent_organisation, in_transition, ldc_in, scope_unit_ids
from projects.models import (
    PENDING_CONFIRMATION,
    AutonomyAgreement,
    Confirmation,
    ConstituentGroup,
    DateField,
    DateRevision,
    ExpertAssignment,
    InvolvementStage,
    ProgressReport,
    Project,
    ProjectPartner,
    TrainingActivity,
    TripartiteInvolvement,
)
from projects.permissions import ANSWER_INVOLVEMENT, REPORT_INVOLVEMENT, is_constituent

# Only what the register's list shows is joined: PostgreSQL spends ~50 ms planning the order of eight joins
# (measured on 1,000 projects) for a query that then runs in under 1 ms.
LIST_RELATIONS = ("region", "funding_source", "responsible_unit")
EVERY_RELATION = (*LIST_RELATIONS, "strategic_objective", "primary_programme", "donor", "backstopping_unit",
                  "responsible_official")


def project_queryset() -> QuerySet[Project]:
    """Projects with what a list shows, in a constant number of queries whatever the number of rows."""
    return Project.objects.select_related(*LIST_RELATIONS).prefetch_related("countries")


def with_every_relation(queryset: QuerySet[Project]) -> QuerySet[Project]:
    """The projects with every classification they point to (a project's page, the register's export)."""
    return queryset.select_related(*EVERY_RELATION)


def project_detail(*, pk: int | None = None, symbol: str | None = None) -> Project:
    queryset = with_every_relation(project_queryset()).select_related("strategic_objective__biennium").prefetch_related(
        "other_programmes", "themes", "principles", "conventions",
        Prefetch("partners", queryset=ProjectPartner.objects.select_related("organisation")),
        Prefetch("tripartite", queryset=TripartiteInvolvement.objects.select_related("actual_organisation")),
        Prefetch("experts", queryset=ExpertAssignment.objects.with_category().select_related("nationality")),
        "training", "progress_reports",
        Prefetch("date_revisions", queryset=DateRevision.objects.select_related("revised_by")),
    )
    return queryset.get(pk=pk) if pk is not None else queryset.get(symbol=symbol)


def my_projects(user) -> QuerySet[Project]:
    """The projects of the user's units and the units below them (responsible or backstopping) and those where
    they are the official."""
    if not getattr(user, "is_authenticated", False):
        return Project.objects.none()
    units = scope_unit_ids(user)
    return project_queryset().filter(
        Q(responsible_unit_id__in=units) | Q(backstopping_unit_id__in=units) | Q(responsible_official=user))


@dataclass
class TripartiteCell:
    stage: str
    group: str
    involvement: TripartiteInvolvement | None
    # What the user reading the matrix may do with the cell (tripartite_matrix(project, user=...)).
    can_report: bool = False
    can_confirm: bool = False
    can_answer: bool = False
    # Another organisation's pending report, which a constituent reads without its details.
    is_hidden: bool = False

    @property
    def confirmation(self) -> str:
        return self.involvement.confirmation if self.involvement else ""

    @property
    def contemplated(self) -> bool:
        return bool(self.involvement and self.involvement.contemplated)

    @property
    def actual(self) -> bool:
        return bool(self.involvement and self.involvement.is_actual)

    @property
    def is_gap(self) -> bool:
        """Contemplated in the project document but not (yet) happened."""
        return self.contemplated and not self.actual

    @property
    def is_unplanned(self) -> bool:
        return self.actual and not self.contemplated


@dataclass
class TripartiteRow:
    stage: str
    label: str
    cells: list[TripartiteCell]


@dataclass
class TripartiteMatrix:
    groups: list[tuple[str, str]]
    rows: list[TripartiteRow]
    is_autonomous: bool

    @property
    def contemplated_count(self) -> int:
        return sum(cell.contemplated for row in self.rows for cell in row.cells)

    @property
    def actual_count(self) -> int:
        return sum(cell.actual for row in self.rows for cell in row.cells)

    @property
    def gaps(self) -> list[TripartiteCell]:
        return [cell for row in self.rows for cell in row.cells if cell.is_gap]


def tripartite_matrix(project: Project, *, user=None) -> TripartiteMatrix:
    """Stage × constituent group, contemplated vs actual (uses the prefetched rows when there are some); with a
    `user`, each cell says what they may do with it (report, confirm, answer) and, for a constituent, whether it
    is another organisation's pending report (shown without its details)."""
    by_cell = {(t.stage, t.group): t for t in project.tripartite.all()}
    rows = [TripartiteRow(stage, label, [_cell_for(user, stage, group, by_cell.get((stage, group)))
                                         for group in ConstituentGroup.values])
            for stage, label in InvolvementStage.choices]
    return TripartiteMatrix(groups=list(ConstituentGroup.choices), rows=rows, is_autonomous=project.is_autonomous)


def _cell_for(user, stage: str, group: str, involvement: TripartiteInvolvement | None) -> TripartiteCell:
    cell = TripartiteCell(stage, group, involvement)
    if user is None or involvement is None:
        return cell
    state = involvement.confirmation
    if is_constituent(user):
        organisation = constituent_organisation(user)
        cell.is_hidden = state in PENDING_CONFIRMATION and involvement.actual_organisation_id not in (
            None, getattr(organisation, "pk", None))
        mine = user.has_perm(REPORT_INVOLVEMENT, involvement)
        cell.can_report = mine and state != Confirmation.CONFIRMED
        cell.can_confirm = mine and state in (Confirmation.RECORDED, Confirmation.DISPUTED) and involvement.is_actual
    else:
        officer = state in PENDING_CONFIRMATION and user.has_perm(ANSWER_INVOLVEMENT, involvement)
        cell.can_confirm = cell.can_answer = officer
    return cell



# ---------------------------------------------------------------- history


@dataclass
class FieldChange:
    field: str
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: object  # datetime
    who: object  # user or None
    record: str  # which record: the project, or one of its partners, cells, experts...
    action: str  # "created", "changed", "deleted", "date revised"
    changes: list[FieldChange] = field(default_factory=list)
    reason: str = ""


_ACTIONS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
DATE_REVISED = _("date revised")
_SKIPPED = {"id", "project", "version", "created_at", "updated_at"}


def _text(model_field, value) -> str:
    """A value as people read it (core/formats.py): a choice's label, Yes/No, a date in the language's format, the
    related records' names (a many-to-many change is a list of rows of its through table)."""
    if isinstance(value, list):
        return ", ".join(_text(model_field, v) for v in value) or formats.EMPTY
    if isinstance(value, dict):
        return ", ".join(str(v) for k, v in value.items() if k not in ("id", "project")) or formats.EMPTY
    return formats.field_value(model_field, value)


def _history_entries(records, describe) -> list[HistoryEntry]:
    """Entries with old → new per field for one model's historical records (oldest first per object)."""
    entries = []
    previous_by_object = {}
    for record in records:
        object_id = record.id
        previous = previous_by_object.get(object_id)
        model = record.instance_type
        changes = []
        fields = [f for f in model._meta.concrete_fields if f.name not in _SKIPPED]
        if previous is not None and record.history_type == "~":
            m2m_names = [f.name for f in getattr(record, "_history_m2m_fields", [])]
            delta = record.diff_against(previous, included_fields=[f.name for f in fields] + m2m_names,
                                        foreign_keys_are_objs=True)
            for change in delta.changes:
                model_field = model._meta.get_field(change.field)
                changes.append(FieldChange(change.field, formats.field_label(model_field),
                                           _text(model_field, change.old), _text(model_field, change.new)))
        elif record.history_type == "+":
            for f in fields:
                try:
                    value = getattr(record, f.name)
                except ObjectDoesNotExist:  # the related row was deleted since
                    value = getattr(record, f.attname)
                if value not in (None, "", False):
                    changes.append(FieldChange(f.name, formats.field_label(f), formats.EMPTY, _text(f, value)))
        previous_by_object[object_id] = record
        if record.history_type == "~" and not changes:
            continue
        entries.append(HistoryEntry(when=record.history_date, who=record.history_user, record=describe(record),
                                    action=_ACTIONS.get(record.history_type, record.history_type), changes=changes,
                                    reason=record.history_change_reason or ""))
    return entries


def project_history(project: Project) -> list[HistoryEntry]:
    """Every recorded change of the project and its child records, newest first, with date revisions' reasons."""
    project_records = project.history.select_related("history_user").order_by("history_date", "history_id")
    entries = _history_entries(project_records, lambda r: capfirst(Project._meta.verbose_name))

    organisations = {}

    def organisation_name(organisation_id):
        if organisation_id and organisation_id not in organisations:
            organisations[organisation_id] = str(Organisation.objects.filter(pk=organisation_id).first() or "—")
        return organisations.get(organisation_id, "")

    children = [
        (ProjectPartner.history, lambda r: f"{capfirst(ProjectPartner._meta.verbose_name)}: "
                                           f"{organisation_name(r.organisation_id)} ({r.get_role_display()})"),
        (TripartiteInvolvement.history, lambda r: f"{capfirst(TripartiteInvolvement._meta.verbose_name)}: "
                                                  f"{r.get_stage_display()} × {r.get_group_display()}"),
        (ExpertAssignment.history, lambda r: f"{capfirst(ExpertAssignment._meta.verbose_name)}: {r.name or r.year}"),
        (TrainingActivity.history, lambda r: f"{capfirst(TrainingActivity._meta.verbose_name)}: {r.title}"),
        (ProgressReport.history, lambda r: f"{capfirst(ProgressReport._meta.verbose_name)}: "
                                           f"{formats.date(r.period_end)}"),
        (AutonomyAgreement.history, lambda r: f"{capfirst(AutonomyAgreement._meta.verbose_name)}: "
                                              f"{organisation_name(r.organisation_id)}"),
    ]
    for manager, describe in children:
        records = manager.filter(project_id=project.pk).select_related("history_user").order_by(
            "history_date", "history_id")
        entries.extend(_history_entries(records, describe))
    for revision in project.date_revisions.select_related("revised_by"):
        label = capfirst(DateField(revision.field).label)
        entries.append(HistoryEntry(
            when=revision.revised_at, who=revision.revised_by, record=capfirst(Project._meta.verbose_name),
            action=DATE_REVISED, reason=revision.reason,
            changes=[FieldChange(revision.field, label, formats.date(revision.old_value),
                                 formats.date(revision.new_value))]))
    return sorted(entries, key=lambda e: e.when, reverse=True)


# ---------------------------------------------------------------- who funds a project (every donor filter)

# Records of the apps above that name an organisation funding a project: (model, organisation field, project
# field). Registered in their AppConfig.ready() (delivery: Approval.donor), since this app cannot import them.
_FUNDING_RECORDS: list[tuple[type, str, str]] = []


def register_funding_record(model, *, organisation_field: str, project_field: str) -> None:
    """Make `model` count in "funded by": its `organisation_field` funds its `project_field`."""
    entry = (model, organisation_field, project_field)
    if entry not in _FUNDING_RECORDS:
        _FUNDING_RECORDS.append(entry)


def _ids(value) -> list:
    values = value if isinstance(value, list | tuple | set | QuerySet) else [value]
    return [getattr(v, "pk", v) for v in values]


def funded_by(organisations) -> Q:
    """The condition on Project "funded by" one organisation (or any of a list): it is the project's main donor,
    or it is the organisation of a funding record of the project (an approval of funds).

    The one definition behind the donor filter of the register, the delivery dashboard, their API and the reports;
    subqueries, so a project funded twice is listed once and the query count does not grow with rows."""
    ids = _ids(organisations)
    condition = Q(donor_id__in=ids)
    for model, organisation_field, project_field in _FUNDING_RECORDS:
        condition |= Q(Exists(model.objects.filter(**{f"{organisation_field}__in": ids,
                                                      project_field: OuterRef("pk")})))
    return condition


def funding_organisations() -> QuerySet[Organisation]:
    """The organisations that fund some project (its main donor, or a funding record's organisation), of any kind:
    donor governments, UN agencies, IFIs, regional banks… The choices of every donor filter."""
    condition = Q(Exists(Project.objects.filter(donor=OuterRef("pk"))))
    for model, organisation_field, _project_field in _FUNDING_RECORDS:
        condition |= Q(Exists(model.objects.filter(**{organisation_field: OuterRef("pk")})))
    return Organisation.objects.filter(condition)


# ---------------------------------------------------------------- where a project works (LDC, in transition)


def in_ldc(year: int, *, project: str = "pk") -> Q:
    """The condition on a project "in a least developed country in `year`": one of its countries was an LDC that
    year (partners.selectors.ldc_in). A project without countries is not. `project` is the field of the model
    queried holding the project's id ("project_id" from a per-project rollup). The one definition behind the
    register's and the dashboard's `ldc` filters, `delivery_table --by ldc` and the annual report; a subquery,
    so a project in two LDCs is counted once."""
    return Q(Exists(Project.countries.through.objects.filter(ldc_in(year, prefix="country__"),
                                                             project_id=OuterRef(project))))


def in_transition_country(*, project: str = "pk") -> Q:
    """The condition on a project "in a country in transition": one of its countries is (see in_ldc)."""
    return Q(Exists(Project.countries.through.objects.filter(in_transition(prefix="country__"),
                                                             project_id=OuterRef(project))))
