"""Pages of the Governing Body reports. Thin: reads through selectors and models' managers, writes through services.

Who may do what: everyone signed in may see the list of reports, follow a report's progress and download a
finished report (the Governing Body documents are not confidential inside the Office); requesting a report and
editing implementation plans need `reports.export_reports` (secretariat, managers, evaluation officers,
administrators: projects/permissions.py), 403 otherwise.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.private_files import private_file_response
from core.service_views import ServiceFormView
from reports import services
from reports.builders import CONTENT_TYPES
from reports.builders.charts import gantt_chart
from reports.forms import MilestoneForm, PlanForm, ReportRequestForm
from reports.models import ImplementationPlan, Milestone, ReportRequest, ReportStatus
from reports.selectors import plan_timetable

EXPORT = "reports.export_reports"


def _require(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


@login_required
def report_list(request):
    _require(request, "projects.view_project")
    can_export = request.user.has_perm(EXPORT)
    form = ReportRequestForm(initial={"kind": "annual", "format": "pdf", "language": request.LANGUAGE_CODE})
    if request.method == "POST":
        _require(request, EXPORT)
        form = ReportRequestForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = services.report_request_create(
                    user=request.user, kind=data["kind"], fmt=data["format"], language=data["language"],
                    year=data["year"], period_start=data["period_start"], period_end=data["period_end"],
                    as_of=data["as_of"], plan=data["plan"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect("reports:detail", pk=created.pk)
    mine = request.GET.get("mine") == "1"
    requests = ReportRequest.objects.select_related("requested_by", "plan")
    if mine:
        requests = requests.filter(requested_by=request.user)
    return render(request, "reports/list.html", {"form": form, "can_export": can_export, "mine": mine,
                                                 "requests": requests[:100]})


@login_required
def report_detail(request, pk: int):
    _require(request, "projects.view_project")
    report = get_object_or_404(ReportRequest.objects.select_related("requested_by", "plan"), pk=pk)
    template = "reports/_status.html" if request.headers.get("HX-Request") == "true" else "reports/detail.html"
    return render(request, template, {"report": report, "running": not report.is_finished})


@login_required
def report_download(request, pk: int):
    _require(request, "projects.view_project")
    report = get_object_or_404(ReportRequest, pk=pk)
    if report.status != ReportStatus.DONE or not report.file:
        raise Http404
    return private_file_response(report.file, content_type=CONTENT_TYPES[report.format])


@login_required
def plan_list(request):
    _require(request, "projects.view_project")
    form = PlanForm()
    if request.method == "POST":
        _require(request, EXPORT)
        form = PlanForm(request.POST)
        if form.is_valid():
            try:
                plan = services.plan_create(**form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect("reports:plan", pk=plan.pk)
    return render(request, "reports/plans.html", {"form": form, "plans": ImplementationPlan.objects.all(),
                                                  "can_export": request.user.has_perm(EXPORT)})


@login_required
def plan_detail(request, pk: int):
    _require(request, "projects.view_project")
    plan = get_object_or_404(ImplementationPlan, pk=pk)
    chart = gantt_chart(plan_timetable(plan), start=plan.start_date, end=plan.end_date, title=plan.title)
    return render(request, "reports/plan.html", {
        "plan": plan, "milestones": plan.milestones.all(), "form": MilestoneForm(), "chart": chart,
        "can_export": request.user.has_perm(EXPORT)})


@login_required
@require_POST
def milestone_add(request, pk: int):
    _require(request, EXPORT)
    plan = get_object_or_404(ImplementationPlan, pk=pk)
    form = MilestoneForm(request.POST)
    if form.is_valid():
        try:
            services.milestone_save(plan=plan, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect(reverse("reports:plan", kwargs={"pk": plan.pk}))
    chart = gantt_chart(plan_timetable(plan), start=plan.start_date, end=plan.end_date, title=plan.title)
    return render(request, "reports/plan.html", {"plan": plan, "milestones": plan.milestones.all(), "form": form,
                                                 "chart": chart, "can_export": True}, status=400)


class MilestoneEditView(ServiceFormView):
    """Change a milestone of the plan (status, dates, owner) on its own page, back to the plan when saved."""

    form_class = MilestoneForm
    template_name = "reports/milestone_form.html"
    permission = EXPORT
    success_message = gettext_lazy("The milestone was saved.")

    def get_object(self):
        return get_object_or_404(Milestone.objects.select_related("plan"), pk=self.kwargs["pk"])

    def form_instance(self):
        return self.object

    def call_service(self, form):
        return services.milestone_save(plan=self.object.plan, milestone=self.object, **form.cleaned_data)

    def get_success_url(self):
        return reverse("reports:plan", kwargs={"pk": self.object.plan_id})

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "milestone": self.object, "plan": self.object.plan}
