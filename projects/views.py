"""Register pages: the list and its export, a project's page with its tabs, the forms that create and edit a
project and its records, the import. Views parse the request and render; reads come from projects/selectors.py,
writes from projects/services.py, permissions from projects/permissions.py."""

import json
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.downloads import table_download
from core.filter_form import filter_fields
from core.forms import CleanTextMixin
from core.imports import job_create, upload_limits
from core.query_params import object_param
from core.service_views import ServiceFormView, ServiceRefused, apply_service
from partners import permissions as partner_permissions
from partners import services as partner_services
from projects import export, selectors, services
from projects.constituent_selectors import answered_requests
from projects.filters import ProjectFilterSet
from projects.forms import (
    RECORD_KINDS,
    DateRevisionForm,
    InvolvementAnswerForm,
    InvolvementReportForm,
    NewOrganisationForm,
    PartnerFormSet,
    ProjectForm,
    StatusForm,
    TripartiteFormSet,
)
from projects.imports import RECORD_KIND_LABELS
from projects.models import Project, TripartiteInvolvement
from projects.permissions import (
    ANSWER_INVOLVEMENT,
    CONFIRM_INVOLVEMENT,
    REPORT_INVOLVEMENT,
    VIEW_VISIBLE_PROJECT,
    is_constituent,
    visible_projects,
)

PAGE_SIZE = 50
SORT_COLUMNS = [
    ("symbol", gettext_lazy("Symbol")), ("title", gettext_lazy("Title")), ("status", gettext_lazy("Status")),
    ("planned_start", gettext_lazy("Start")), ("planned_end", gettext_lazy("End")),
    ("region", gettext_lazy("Region")), ("funding_source", gettext_lazy("Source")),
    ("responsible_unit", gettext_lazy("Unit")),
]
SORT_FIELDS = {"symbol": "symbol", "title": "title", "status": "status", "planned_start": "planned_start",
               "planned_end": "planned_end", "region": "region__sort_order", "funding_source": "funding_source__code",
               "responsible_unit": "responsible_unit__code"}
TABS = [
    ("overview", gettext_lazy("Overview")), ("classification", gettext_lazy("Classification")),
    ("partners", gettext_lazy("Partners")), ("tripartite", gettext_lazy("Tripartite involvement")),
    ("delivery", gettext_lazy("Money and delivery")), ("results", gettext_lazy("Results")),
    ("evaluations", gettext_lazy("Evaluations")), ("alerts", gettext_lazy("Alerts")),
    ("history", gettext_lazy("History")),
]


def _require(request, permission: str, obj=None):
    if not request.user.has_perm(permission, obj):
        raise PermissionDenied


def _get_project(pk: int) -> Project:
    try:
        return selectors.project_detail(pk=pk)
    except Project.DoesNotExist:
        raise Http404


# ---------------------------------------------------------------- the register and its export


def _filtered_projects(request):
    """(filterset shown, sorted queryset, sort key, mine) for the list and its export, from the URL."""
    mine = request.GET.get("scope") == "mine"
    base = selectors.my_projects(request.user) if mine else selectors.project_queryset()
    data = request.GET.copy()
    for name in ("page", "sort", "scope", "format"):
        data.pop(name, None)
    bound = bool(data)
    filterset = ProjectFilterSet(data if bound else None, queryset=base, request=request)
    queryset = filterset.qs if bound else base
    sort = request.GET.get("sort", "symbol")
    if sort.lstrip("-") not in SORT_FIELDS:
        sort = "symbol"
    queryset = queryset.order_by(("-" if sort.startswith("-") else "") + SORT_FIELDS[sort.lstrip("-")], "symbol")
    return filterset, queryset, sort, mine


@login_required
def project_list(request):
    _require(request, "projects.view_project")
    filterset, queryset, sort, mine = _filtered_projects(request)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    for name in ("page", "sort"):
        query.pop(name, None)
    return render(request, "projects/project_list.html", {
        "filter": filterset, "filtered": filterset.is_bound,
        "filter_fields": filter_fields(filterset.form, cache_key="project-register"), "page": page, "sort": sort,
        "sort_columns": SORT_COLUMNS, "query": query.urlencode(), "mine": mine,
        "export_query": request.GET.urlencode(),
        "can_import": request.user.has_perm("projects.import_projects"),
        "can_add": request.user.has_perm("projects.add_project"),
    })


@login_required
def project_export(request):
    """The list as filtered and sorted on the page, every row (not only the page shown), as CSV or XLSX."""
    _require(request, "projects.view_project")
    _filterset, queryset, _sort, _mine = _filtered_projects(request)
    fmt = request.GET.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        raise Http404
    return export.project_export_response(selectors.with_every_relation(queryset), fmt=fmt)


# ---------------------------------------------------------------- a project's page


@login_required
def project_detail(request, pk: int):
    _require(request, "projects.view_project")
    project = _get_project(pk)
    tab = request.GET.get("tab", "overview")
    if tab not in dict(TABS):
        tab = "overview"
    can_edit = request.user.has_perm("projects.change_project", project)
    context = {"project": project, "tabs": TABS, "tab": tab, "can_edit": can_edit,
               "tab_label": dict(TABS)[tab]}
    if tab == "overview":
        context["status_form"] = StatusForm(project=project) if can_edit else None
    elif tab == "classification":
        context["answered_requests"] = answered_requests(project)  # demand-driven when any (issue 18.4)
    elif tab == "tripartite":
        context["matrix"] = selectors.tripartite_matrix(project, user=request.user)
        context["next"] = request.get_full_path()
    elif tab == "history":
        context["history"] = selectors.project_history(project)
    elif tab == "evaluations":
        context["evaluations"] = project.evaluations.order_by("planned_date", "pk")
    return render(request, "projects/project_detail.html", context)


# ---------------------------------------------------------------- forms


def _form_values(form) -> dict:
    """The record's own fields (an inline form also carries its project, which the services take apart)."""
    return {name: form.cleaned_data.get(name) for name in form._meta.fields if name != "project"}


def _apply(form, call):
    """A service for one form of a page: a refusal (a PermissionDenied too, e.g. a partner added to a new project
    of a unit the user may not change) becomes the form's errors and rolls the page's writes back."""
    return apply_service(form, call, permission_in_form=True)


def _save_records(formset, *, project, user, create) -> None:
    """Create, change and remove the records of one inline formset through the services."""
    for form in formset.forms:
        record = form.instance
        if formset.can_delete and formset._should_delete_form(form):
            if record.pk:
                _apply(form, lambda record=record: services.project_record_remove(record=record, user=user))
            continue
        if not form.has_changed():
            continue
        values = _form_values(form)
        if record.pk:
            _apply(form, lambda record=record, values=values: services.project_record_update(
                record=record, user=user, **values))
        else:
            _apply(form, lambda values=values: create(project=project, user=user, **values))


def _tripartite_create(*, project, user, stage, group, **values):
    return services.tripartite_set(project=project, stage=stage, group=group, user=user, **values)


class _ProjectPage(ServiceFormView):
    """A form of one project: whoever may change it; a refusal of the service is shown in the form."""

    permission = "projects.change_project"
    permission_refusal_in_form = True

    def get_object(self):
        return _get_project(self.kwargs["pk"])

    def permission_object(self):
        return self.object

    def get_success_url(self):
        return project_url(self.object)

    def get_context_data(self, **kwargs):
        return super().get_context_data(project=self.object, **kwargs)


class _ProjectFormPage(_ProjectPage):
    """The project's form with its partners and tripartite involvement (inline formsets), saved together through the
    services: the project, then each changed record."""

    form_class = ProjectForm
    template_name = "projects/project_form.html"

    def get_formsets(self) -> dict:
        data = self.request.POST if self.request.method == "POST" else None
        project = self.object or Project()
        return {"partners": PartnerFormSet(data, instance=project, prefix="partners"),
                "tripartite": TripartiteFormSet(data, instance=project, prefix="tripartite")}

    def save_records(self, project) -> None:
        user = self.request.user
        _save_records(self.formsets["partners"], project=project, user=user, create=services.partner_add)
        _save_records(self.formsets["tripartite"], project=project, user=user, create=_tripartite_create)

    def get_success_url(self):
        return project_url(self.saved)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.request.user.has_perm(partner_permissions.ADD_ORGANISATION):
            context.update(new_organisation_context(self.request, self.object))
        return context


class ProjectCreate(_ProjectFormPage):
    permission = "projects.add_project"

    def get_object(self):
        return None

    def permission_object(self):
        return None

    def call_service(self, form):
        project = services.project_create(user=self.request.user, **form.service_values())
        self.save_records(project)
        return project

    def get_success_message(self):
        return _("Project %(symbol)s registered.") % {"symbol": self.saved.symbol}


class ProjectEdit(_ProjectFormPage):
    """Changed dates that had a value need a reason (kept as a date revision); the version the form was read at is
    checked, so that a concurrent change is not overwritten."""

    stale_message = gettext_lazy("Your changes were not saved: someone else changed the project.")

    def form_instance(self):
        return self.object

    def call_service(self, form):
        services.project_update(project=self.object, user=self.request.user, version=form.cleaned_data["version"],
                                date_reason=form.cleaned_data.get("date_reason") or "", **form.service_values())
        self.save_records(self.object)
        return self.object

    def get_success_message(self):
        return _("Project %(symbol)s saved.") % {"symbol": self.object.symbol}


@login_required
def project_records(request, pk: int, kind: str):
    """Experts, training activities or progress reports of a project, as one inline formset."""
    if kind not in RECORD_KINDS:
        raise Http404
    project = _get_project(pk)
    _require(request, "projects.change_project", project)
    formset_class, title, create_name = RECORD_KINDS[kind]
    formset = formset_class(request.POST or None, instance=project, prefix=kind)
    if request.method == "POST" and formset.is_valid():
        try:
            with transaction.atomic():
                _save_records(formset, project=project, user=request.user, create=getattr(services, create_name))
        except ServiceRefused:
            pass
        else:
            messages.success(request, _("%(what)s of %(symbol)s saved.") % {"what": title, "symbol": project.symbol})
            return redirect(request.path)
    return render(request, "projects/project_records.html", {
        "project": project, "formset": formset, "title": title, "kind": kind,
        "kinds": [(key, label) for key, (_f, label, _c) in RECORD_KINDS.items()]})


class _ProjectFieldPage(_ProjectPage):
    """A form of the project's own (StatusForm, DateRevisionForm): it is given the project."""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "project": self.object}


class ProjectStatusChange(_ProjectFieldPage):
    form_class = StatusForm
    template_name = "projects/project_status.html"

    def call_service(self, form):
        return services.project_change_status(project=self.object, status=form.cleaned_data["status"],
                                              user=self.request.user, version=form.cleaned_data["version"])

    def get_success_message(self):
        self.object.refresh_from_db()
        return _("Status of %(symbol)s changed to “%(status)s”.") % {
            "symbol": self.object.symbol, "status": self.object.get_status_display()}


class ProjectDateRevision(_ProjectFieldPage):
    form_class = DateRevisionForm
    template_name = "projects/project_revise_date.html"
    success_message = gettext_lazy("Date revised; the earlier date is kept in the history.")

    def call_service(self, form):
        data = form.cleaned_data
        return services.project_revise_date(project=self.object, field=data["field"], new_value=data["new_value"],
                                            reason=data["reason"], user=self.request.user, version=data["version"])

    def get_success_url(self):
        return f"{project_url(self.object)}?tab=history"


class OrganisationCreate(ServiceFormView):
    """The partner picker's "new organisation": whoever may edit the partners of the project it is for
    (`?project=`), or register a project when it is for a new one. Asked by HTMX from the project form, it answers
    its fragment again (cleared, saying what was added) with an `organisation-created` event that adds the
    organisation to the picker and chooses it (projects/static/projects/partner_picker.js); without JavaScript it
    is a page of its own that goes back to `next`."""

    form_class = NewOrganisationForm
    template_name = "projects/organisation_form.html"

    def get_object(self):
        project = object_param(self.request, "project", Project.objects.all())
        self.permission = "projects.change_project" if project else "projects.add_project"
        return project

    def permission_object(self):
        return self.object

    @property
    def is_htmx(self) -> bool:
        return bool(self.request.headers.get("HX-Request"))

    def get_template_names(self):
        return ["projects/_organisation_form.html"] if self.is_htmx else [self.template_name]

    def call_service(self, form):
        return partner_services.organisation_create(user=self.request.user, **form.cleaned_data)

    def get_success_message(self):
        if self.is_htmx:  # the fragment says it; a flash would show on the next page
            return None
        return _("Organisation %(organisation)s added: choose it in the partners table.") % {
            "organisation": self.saved}

    def get_success_url(self):
        target = self.request.GET.get("next", "")
        if url_has_allowed_host_and_scheme(target, allowed_hosts={self.request.get_host()},
                                           require_https=self.request.is_secure()):
            return target
        return reverse("projects:edit", args=[self.object.pk]) if self.object else reverse("projects:create")

    def form_valid(self, form):
        response = super().form_valid(form)
        if not self.is_htmx or self.saved is None:
            return response
        response = self.render_to_response(self.get_context_data(form=self.get_form_class()(), created=self.saved))
        response["HX-Trigger"] = json.dumps(
            {"organisation-created": {"id": self.saved.pk, "label": str(self.saved)}})  # ASCII: a header
        return response

    def get_context_data(self, **kwargs):
        return super().get_context_data(project=self.object, **kwargs)


def new_organisation_context(request, project=None) -> dict:
    """What the project form needs to show the picker's "new organisation" fragment."""
    query = {"next": request.get_full_path(), **({"project": project.pk} if project else {})}
    return {"new_organisation_form": NewOrganisationForm(),
            "new_organisation_url": f"{reverse('projects:organisation_create')}?{urlencode(query)}"}


def project_url(project) -> str:
    return reverse("projects:detail", args=[project.pk])


# ---------------------------------------------------------------- import


class ImportForm(CleanTextMixin, forms.Form):
    file = forms.FileField(label=gettext_lazy("File (CSV or XLSX)"))


@login_required
def project_import(request):
    """Upload: the file passes the upload gate, then is checked in the background; its job page shows the preview
    (errors, or what would be created/updated), the confirmation and the result (tcms/imports.py)."""
    _require(request, "projects.import_projects")
    form = ImportForm()
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                job = job_create(kind="projects", upload=form.cleaned_data["file"], user=request.user,
                                 language=request.LANGUAGE_CODE)
            except ValidationError as error:
                form.add_error("file", error)
            else:
                return redirect("import_job", pk=job.pk)
        return render(request, "projects/project_import.html", _import_page(form), status=400)
    return render(request, "projects/project_import.html", _import_page(form))


def _import_page(form) -> dict:
    return {"form": form, "limits": upload_limits(), "columns": ", ".join(services.IMPORT_COLUMNS),
            "optional_columns": ", ".join(services.IMPORT_OPTIONAL_COLUMNS)}


@login_required
def import_template(request):
    response = HttpResponse(services.import_template_csv(user=request.user), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="projects-template.csv"'
    return response


@login_required
def records_import(request):
    """Experts, training activities or progress reports from a file, through the same job workflow as the register
    (upload, checked preview, confirmation)."""
    _require(request, "projects.import_projects")
    kinds = [(name, label, ", ".join(services.RECORD_LAYOUTS[name].columns))
             for name, label in RECORD_KIND_LABELS.items()]
    context = {"kinds": kinds, "limits": upload_limits(), "template_url": "projects:records_template"}
    if request.method != "POST":
        return render(request, "projects/records_import.html", context)
    kind, upload = request.POST.get("kind"), request.FILES.get("file")
    context["kind"] = kind
    if kind not in services.RECORD_LAYOUTS or upload is None:
        messages.error(request, _("Choose the kind of file and the file to import."))
    else:
        try:
            job = job_create(kind=kind, upload=upload, user=request.user, language=request.LANGUAGE_CODE)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            return redirect("import_job", pk=job.pk)
    return render(request, "projects/records_import.html", context, status=400)


@login_required
def records_template(request, kind: str):
    if kind not in services.RECORD_LAYOUTS:
        raise Http404
    return table_download(services.record_template_rows(kind), name=f"tcms-{kind}-template",
                          fmt="xlsx" if request.GET.get("format") == "xlsx" else "csv", sheet=kind)


# ---------------------------------------------------------------- a tripartite cell confirmed by its constituents
# The same pages for the constituent (report, confirm the Office's record) and the officer (confirm, answer); they
# go back to the page they came from (`next`: the constituent's workspace or the project's tripartite tab).


def _visible_cell(request, pk: int) -> TripartiteInvolvement:
    """The cell, on a project the user may see: any other answers 404."""
    if not request.user.has_perm(VIEW_VISIBLE_PROJECT):
        raise PermissionDenied
    cells = TripartiteInvolvement.objects.select_related("project", "actual_organisation")
    try:
        return visible_projects(request.user, cells, project="project_id").get(pk=pk)
    except TripartiteInvolvement.DoesNotExist:
        raise Http404


def _back(request, cell, next_url: str = "") -> str:
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                                    require_https=request.is_secure()):
        return next_url
    if is_constituent(request.user):
        return reverse("home")
    return f"{project_url(cell.project)}?tab=tripartite"


class _CellPage(ServiceFormView):
    template_name = "projects/involvement_form.html"
    heading = ""

    def get_object(self):
        return _visible_cell(self.request, self.kwargs["pk"])

    def permission_object(self):
        return self.object

    def get_initial(self):
        return {"next": self.request.GET.get("next", "")}

    def get_success_url(self):
        return _back(self.request, self.object, self.request.POST.get("next", ""))

    def get_context_data(self, **kwargs):
        cell = self.object
        return {**super().get_context_data(**kwargs), "cell": cell, "project": cell.project,
                "heading": self.heading, "back_url": _back(self.request, cell, self.request.GET.get("next", ""))}


class InvolvementReport(_CellPage):
    """A constituent reports what happened in a cell of their group, or that they were not involved."""

    form_class = InvolvementReportForm
    permission = REPORT_INVOLVEMENT
    heading = gettext_lazy("Report your involvement")
    success_message = gettext_lazy("Thank you: your report is sent to the Office, which will confirm or answer it.")

    def get_initial(self):
        cell = self.object
        return {**super().get_initial(), "actual_date": cell.actual_date,
                "actual_description": cell.actual_description, "women": cell.women, "men": cell.men}

    def call_service(self, form):
        data = {name: value for name, value in form.cleaned_data.items() if name != "next"}
        return services.involvement_report(cell=self.object, user=self.request.user, **data)


class InvolvementAnswer(_CellPage):
    """The officer answers a constituent's report with a comment instead of accepting it."""

    form_class = InvolvementAnswerForm
    permission = ANSWER_INVOLVEMENT
    heading = gettext_lazy("Answer the constituent")
    success_message = gettext_lazy("Your answer is recorded; the cell stays disputed until one side confirms it.")

    def call_service(self, form):
        return services.involvement_answer(cell=self.object, user=self.request.user,
                                           comment=form.cleaned_data["comment"])


@login_required
@require_POST
def involvement_confirm(request, pk: int):
    """→ confirmed: the officer accepts a constituent's report, or the constituent the Office's record."""
    cell = _visible_cell(request, pk)
    _require(request, CONFIRM_INVOLVEMENT, cell)
    try:
        services.involvement_confirm(cell=cell, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Confirmed."))
    return redirect(_back(request, cell, request.POST.get("next", "")))
