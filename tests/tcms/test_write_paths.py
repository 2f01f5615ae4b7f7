"""One write path per record: views, API viewsets, admin classes, management commands, tasks and forms never write
a model themselves; they call the app's services (README "Layout"; issue 15 point 5).

The check reads the syntax tree of those modules and refuses, on a model, its manager or a queryset: `.save()`,
`.delete()`, `objects.create()`, a queryset's `.update()`/`.delete()`, `bulk_create`, `bulk_update`,
`update_or_create` and `get_or_create`. `form.save(commit=False)` (which writes nothing) is let through. The few
direct writes that remain are listed in ALLOWED, each with why.

The admin is checked at run time too: every model that a service writes is, in the admin, either read-only (no
add, change or delete) or saved and removed by the ModelAdmin's own save_model/delete_model (which call the
services).
"""

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.test import RequestFactory

from tests.factories import UserFactory

ROOT = Path(settings.BASE_DIR)
APPS = ["core", "accounts", "partners", "projects", "delivery", "evaluation", "alerts", "reports", "iati", "home"]
ALWAYS_WRITES = {"bulk_create", "bulk_update", "update_or_create", "get_or_create"}
QUERYSET_WRITES = {"create", "update", "delete"}
QUERYSET_MARKERS = {"objects", "all", "filter", "exclude", "select_for_update", "select_related", "only", "order_by"}
# (module, the call as written): why it may write directly. Empty: every module checked writes through a service.
ALLOWED: dict[tuple[str, str], str] = {}

# The records a service writes (app_label.Model), which the admin may show but not write behind the service's back.
SERVICE_WRITTEN = [
    "projects.Project", "projects.ProjectPartner", "projects.TripartiteInvolvement", "projects.ExpertAssignment",
    "projects.TrainingActivity", "projects.ProgressReport", "projects.DateRevision", "projects.ProjectImport",
    "delivery.Allocation", "delivery.AllocationRevision", "delivery.Expenditure", "delivery.ExchangeRate",
    "delivery.ImportBatch", "delivery.ProjectMonthSpend", "delivery.ProjectYearDelivery",
    "delivery.SourceMonthSpend", "delivery.SourceYearDelivery",
    "evaluation.Evaluation", "evaluation.Recommendation", "evaluation.ManagementResponse", "evaluation.Lesson",
    "evaluation.Result", "evaluation.Indicator", "evaluation.Baseline", "evaluation.IndicatorPeriod",
    "evaluation.TargetRevision",
    "alerts.Alert", "alerts.AlertEvent", "alerts.Rule", "alerts.DigestSend",
    "partners.Organisation", "partners.UnitMembership",
]
# Service-written records that Django's own admin still writes, each with why.
ADMIN_ALLOWED = {
    "partners.Organisation": "the admin is the organisations' editor (names, acronyms, deactivation): the service "
                             "only creates them (API, imports); SimpleHistoryAdmin keeps who changed what",
    "partners.UnitMembership": "unit memberships are the administrators' staffing of units (Unit admin inline), "
                               "with no page of their own yet; the service sets them for seeding and tests",
}


def _modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            name = path.name
            if (name.startswith(("views", "api", "admin")) or name in ("tasks.py", "forms.py")
                    or "commands" in path.parts):
                yield path


def _receiver_names(node: ast.AST) -> set[str]:
    """The attribute and method names along a call's receiver chain (`Project.objects.filter(...)` → objects,
    filter)."""
    names = set()
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
            node = node.value
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            return names


def direct_writes(source: str) -> list[tuple[int, str]]:
    """(line, call) of each direct model write in a module's source."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method = node.func.attr
        receiver = _receiver_names(node.func.value)
        if method in ALWAYS_WRITES:
            write = True
        elif method == "save":
            write = not any(k.arg == "commit" and isinstance(k.value, ast.Constant) and k.value.value is False
                            for k in node.keywords)
        elif method == "delete":
            write = True
        elif method in QUERYSET_WRITES:
            write = bool(receiver & QUERYSET_MARKERS)
        else:
            write = False
        if write:
            found.append((node.lineno, ast.unparse(node.func)))
    return found


@pytest.mark.parametrize("path", list(_modules()), ids=lambda p: str(p.relative_to(ROOT)))
def test_module_writes_only_through_services(path):
    relative = str(path.relative_to(ROOT))
    writes = [f"{relative}:{line}: {call}(...)" for line, call in direct_writes(path.read_text(encoding="utf-8"))
              if (relative, call) not in ALLOWED]
    assert writes == [], "direct model writes (call the app's service instead):\n" + "\n".join(writes)


@pytest.mark.parametrize("source", [
    "Project.objects.create(symbol='X')",
    "project.save()",
    "project.save(update_fields=['title'])",
    "Project.objects.filter(pk=1).update(title='x')",
    "Project.objects.all().delete()",
    "allocation.delete()",
    "Allocation.objects.bulk_create(rows)",
    "Unit.objects.get_or_create(code='X')",
    "Alert.objects.select_for_update().filter(pk=1).update(state='RESOLVED')",
    "form.save()",
    "serializer.save(project=project)",
])
def test_the_check_catches_a_direct_write(source):
    assert len(direct_writes(source)) == 1


@pytest.mark.parametrize("source", [
    "services.project_update(project=project, user=user, version=1)",
    "services.allocation_set(project=p, year=2026, funding_source=s, amount_usd=1, reason='r')",
    "context.update(form=form)",
    "form.save(commit=False)",
    "Project.objects.filter(pk=1).first()",
    "messages.success(request, 'saved')",
])
def test_the_check_lets_a_service_call_and_reads_through(source):
    assert direct_writes(source) == []


def _admin_request():
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(username="write-paths-admin", is_staff=True, is_superuser=True)
    return request


def _overrides(model_admin, *names) -> bool:
    return all(getattr(type(model_admin), name) is not getattr(admin.ModelAdmin, name) for name in names)


@pytest.mark.django_db
def test_the_admin_writes_service_records_only_through_the_services():
    request = _admin_request()
    writes_behind = []
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label
        for inline in model_admin.get_inline_instances(request):
            inline_label = inline.model._meta.label
            writable = (inline.has_add_permission(request, None) or inline.has_change_permission(request)
                        or (inline.can_delete and inline.has_delete_permission(request)))
            if inline_label in SERVICE_WRITTEN and inline_label not in ADMIN_ALLOWED and writable and not (
                    _overrides(model_admin, "save_formset")):
                writes_behind.append(f"{label} admin: inline {inline_label}")
        if label not in SERVICE_WRITTEN or label in ADMIN_ALLOWED:
            continue
        if (model_admin.has_add_permission(request) or model_admin.has_change_permission(request)) and not (
                _overrides(model_admin, "save_model")):
            writes_behind.append(f"{label} admin: add/change without the service")
        if model_admin.has_delete_permission(request) and not _overrides(model_admin, "delete_model",
                                                                          "delete_queryset"):
            writes_behind.append(f"{label} admin: delete without the service")
    assert writes_behind == [], "\n".join(writes_behind)


def test_the_lists_name_real_models_and_every_allowance_says_why():
    for label in SERVICE_WRITTEN:
        apps.get_model(label)  # raises LookupError on a misspelt or removed model
    assert all(label in SERVICE_WRITTEN and why.strip() for label, why in ADMIN_ALLOWED.items())
