"""A project's records: partners, tripartite cells, experts, training activities and progress reports."""

import datetime as dt

from django.db import transaction

from accounts.permissions import require
from partners.models import Country, Organisation
from projects.models import (
    ExpertAssignment,
    ProgressReport,
    Project,
    ProjectPartner,
    TrainingActivity,
    TripartiteInvolvement,
)
from projects.permissions import CHANGE_PROJECT
from projects.services._shared import (
    _by,
    _refuse_unknown_fields,
)


def _save_child(instance, user):
    instance.full_clean()
    _by(user, instance).save()
    return instance


@transaction.atomic
def partner_add(*, project: Project, organisation: Organisation, role: str, user=None) -> ProjectPartner:
    require(user, CHANGE_PROJECT, project)
    return _save_child(ProjectPartner(project=project, organisation=organisation, role=role), user)


@transaction.atomic
def partner_remove(*, partner: ProjectPartner, user=None) -> None:
    require(user, CHANGE_PROJECT, partner.project)
    _by(user, partner).delete()


TRIPARTITE_FIELDS = frozenset({"contemplated", "contemplated_description", "actual_date", "actual_organisation",
                               "actual_description", "women", "men"})


@transaction.atomic
def tripartite_set(*, project: Project, stage: str, group: str, user=None, **values) -> TripartiteInvolvement:
    """Set one cell of the stage × constituent-group matrix (contemplated and/or actual involvement)."""
    require(user, CHANGE_PROJECT, project)
    _refuse_unknown_fields(values, TRIPARTITE_FIELDS)
    cell = TripartiteInvolvement.objects.filter(project=project, stage=stage, group=group).first()
    if cell is None:
        cell = TripartiteInvolvement(project=project, stage=stage, group=group)
    for name, value in values.items():
        setattr(cell, name, value)
    return _save_child(cell, user)


@transaction.atomic
def expert_create(*, project: Project, nationality: Country, year: int, work_months, name: str = "",
                  user=None) -> ExpertAssignment:
    """National or international is not given: it follows from the nationality (ExpertAssignment.category)."""
    require(user, CHANGE_PROJECT, project)
    return _save_child(ExpertAssignment(project=project, nationality=nationality, year=year,
                                        work_months=work_months, name=name), user)


@transaction.atomic
def training_create(*, project: Project, title: str, start_date: dt.date, end_date: dt.date, women: int = 0,
                    men: int = 0, is_turin_centre: bool = False, area: str = "", user=None) -> TrainingActivity:
    require(user, CHANGE_PROJECT, project)
    return _save_child(TrainingActivity(project=project, title=title, start_date=start_date, end_date=end_date,
                                        women=women, men=men, is_turin_centre=is_turin_centre, area=area), user)


@transaction.atomic
def progress_report_create(*, project: Project, period_end: dt.date, due_date: dt.date,
                           submitted_date: dt.date | None = None, comment: str = "", user=None) -> ProgressReport:
    require(user, CHANGE_PROJECT, project)
    return _save_child(ProgressReport(project=project, period_end=period_end, due_date=due_date,
                                      submitted_date=submitted_date, comment=comment), user)
