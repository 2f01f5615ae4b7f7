"""The page each role starts from."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render

from accounts.models import Role
from alerts.models import AlertState
from alerts.selectors import alert_queryset
from core import clock
from delivery.selectors import default_period, delivery_dashboard
from evaluation.selectors import evaluation_plan
from home.constituents import constituent_home
from partners.selectors import scope_unit_ids
from projects.models import ProjectStatus
from projects.selectors import my_projects

HOME_LIST_SIZE = 10


def _unit_alerts(project_ids):
    return (alert_queryset().filter(project__in=project_ids).exclude(state=AlertState.RESOLVED)
            .order_by("-severity", "-raised_on", "project__symbol")[:HOME_LIST_SIZE])


def _officer_home(user) -> dict:
    projects = my_projects(user)
    return {"my_projects": projects[:HOME_LIST_SIZE], "my_project_count": projects.count(),
            "alerts": _unit_alerts(projects.values("pk"))}


def _manager_home(user) -> dict:
    projects = my_projects(user)
    units = sorted(scope_unit_ids(user))
    year, as_of = default_period(clock.today())
    board = delivery_dashboard(year=year, as_of=as_of, filters={"unit": units} if units else None)
    by_status = dict(projects.order_by().values_list("status").annotate(n=Count("pk")))
    return {"portfolio": [(label, by_status.get(code, 0)) for code, label in ProjectStatus.choices
                          if by_status.get(code)],
            "my_project_count": sum(by_status.values()), "board": board, "units_filtered": bool(units),
            "alerts": _unit_alerts(projects.values("pk"))}


def _evaluation_home(user) -> dict:
    return {"plan": evaluation_plan(as_of=clock.today())}


HOME_PANELS = {
    Role.OFFICER: ("home/officer.html", _officer_home),
    Role.MANAGER: ("home/manager.html", _manager_home),
    Role.EVALUATION: ("home/evaluation.html", _evaluation_home),
    Role.SECRETARIAT: ("home/secretariat.html", None),
    Role.ADMIN: ("home/admin.html", None),
    Role.CONSTITUENT: ("home/constituent.html", constituent_home),
}


@login_required
def home(request):
    """What each role starts from: officers their projects and alerts, managers their portfolio and delivery,
    constituents their projects and the cells awaiting them."""
    user = request.user
    role = Role.ADMIN if user.is_superuser else user.role
    panel, build = HOME_PANELS.get(role, (None, None))
    context = {"home_panel": panel, **(build(user) if build else {})}
    return render(request, "home/home.html", context)


# ---------------------------------------------------------------- import jobs (tcms/imports.py)
