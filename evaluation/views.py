"""Pages: thin views that read through selectors and write through services."""

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core import clock
from core.private_files import private_file_response
from core.query_params import FIRST_YEAR, LAST_YEAR, int_param, object_param
from core.service_views import ServiceFormView, add_service_errors
from projects.models import Project

from . import selectors, services
from .filters import EvaluationFilterSet, LessonFilterSet
from .forms import (
    BaselineForm,
    EvaluationForm,
    FollowUpForm,
    IndicatorForm,
    LessonForm,
    ManagementResponseForm,
    PeriodForm,
    RecommendationForm,
    RequiredRuleForm,
    ResultForm,
    TargetRevisionForm,
)
from .models import (
    CRITERIA,
    REPORT_CONTENT_TYPES,
    Evaluation,
    EvaluationTiming,
    EvaluationType,
    Indicator,
    IndicatorPeriod,
    Lesson,
    Recommendation,
    RequiredEvaluationRule,
    Result,
)

MANAGE = "evaluation.manage_evaluations"
VIEW = "evaluation.view_evaluation"
PAGE_SIZE = 25


def _require(request, perm, obj=None):
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


def _paginate(request, queryset, size=PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def _querystring_without_page(request):
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _apply_service(form, call):
    """Run the service; its ValidationErrors become the form's errors. Returns the result or None."""
    try:
        return call()
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None


def _submit(request, form, call):
    """On a valid POST, the service's result (None when it refused); None on GET or invalid input."""
    if request.method == "POST" and form.is_valid():
        return _apply_service(form, call)
    return None


def _form_page(request, form, *, title, cancel_url, context=None):
    return render(request, "evaluation/form.html", {"form": form, "title": title, "cancel_url": cancel_url,
                                                    **(context or {})})


# ---------------------------------------------------------------- evaluations


@login_required
def plan(request):
    today = clock.today()
    filterset = EvaluationFilterSet(request.GET or None, queryset=selectors.evaluation_queryset())
    page = _paginate(request, filterset.qs)
    missing = selectors.missing_evaluations(Project.objects.filter(status__in=selectors.EVALUABLE_STATUSES))
    return render(request, "evaluation/plan.html", {
        "filterset": filterset, "page": page, "today": today, "querystring": _querystring_without_page(request),
        "figures": selectors.evaluation_plan(as_of=today), "missing_count": len(missing),
        "missing": [(project, _required_labels(pairs)) for project, pairs in missing[:10]],
        "can_manage": request.user.has_perm(MANAGE)})


def _required_labels(pairs) -> list[str]:
    return [f"{EvaluationType(kind).label} ({EvaluationTiming(timing).label})".lower() for kind, timing in pairs]


@login_required
@require_POST
def propose(request):
    _require(request, MANAGE)
    created = services.evaluation_plan_propose(user=request.user)
    messages.success(request, _("%(count)s planned evaluation(s) proposed from the required-evaluation rules.") % {
        "count": len(created)})
    return redirect("evaluation:plan")


@login_required
def detail(request, pk):
    try:
        evaluation = selectors.evaluation_detail(pk)
    except Evaluation.DoesNotExist:
        raise Http404
    _require(request, VIEW, evaluation)
    ratings = [(Evaluation._meta.get_field(c).verbose_name, getattr(evaluation, c)) for c in CRITERIA]
    return render(request, "evaluation/detail.html", {
        "evaluation": evaluation, "ratings": ratings, "today": clock.today(),
        "can_manage": request.user.has_perm(MANAGE)})


@login_required
def report_download(request, pk):
    """The evaluation's report file, for whoever may read the evaluation."""
    evaluation = get_object_or_404(Evaluation.objects.only("id", "report"), pk=pk)
    _require(request, VIEW, evaluation)
    if not evaluation.report:
        raise Http404
    extension = evaluation.report.name.rsplit(".", 1)[-1].lower()
    return private_file_response(evaluation.report,
                                 content_type=REPORT_CONTENT_TYPES.get(extension, "application/octet-stream"))


@login_required
def evaluation_create(request):
    _require(request, MANAGE)
    initial = {}
    project = object_param(request, "project", Project.objects.all())
    if project is not None:
        initial["projects"] = [project.pk]
    form = EvaluationForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        evaluation = _apply_service(form, lambda: services.evaluation_create(
            projects=form.cleaned_data["projects"], user=request.user, **form.service_fields()))
        if evaluation:
            messages.success(request, _("Evaluation saved."))
            return redirect("evaluation:detail", pk=evaluation.pk)
    return _form_page(request, form, title=_("New evaluation"), cancel_url=reverse("evaluation:plan"))


@login_required
def evaluation_edit(request, pk):
    _require(request, MANAGE)
    evaluation = get_object_or_404(Evaluation, pk=pk)
    form = EvaluationForm(request.POST or None, request.FILES or None, instance=evaluation)
    if request.method == "POST" and form.is_valid():
        saved = _apply_service(form, lambda: services.evaluation_update(
            evaluation=evaluation, projects=form.cleaned_data["projects"], user=request.user,
            **form.service_fields()))
        if saved:
            messages.success(request, _("Evaluation saved."))
            return redirect("evaluation:detail", pk=pk)
    return _form_page(request, form, title=_("Edit evaluation"),
                      cancel_url=reverse("evaluation:detail", args=[pk]))


@login_required
def recommendation_create(request, pk):
    _require(request, MANAGE)
    evaluation = get_object_or_404(Evaluation, pk=pk)
    form = RecommendationForm(request.POST or None)
    if _submit(request, form, lambda: services.recommendation_create(
            evaluation=evaluation, user=request.user, **form.cleaned_data)):
        return redirect(reverse("evaluation:detail", args=[pk]) + "#recommendations")
    return _form_page(request, form, title=_("New recommendation"),
                      cancel_url=reverse("evaluation:detail", args=[pk]), context={"subtitle": evaluation})


@login_required
def recommendation_edit(request, pk):
    _require(request, MANAGE)
    recommendation = get_object_or_404(Recommendation, pk=pk)
    form = RecommendationForm(request.POST or None, instance=recommendation)
    if _submit(request, form, lambda: services.recommendation_update(
            recommendation=recommendation, user=request.user, **form.cleaned_data)):
        return redirect(reverse("evaluation:detail", args=[recommendation.evaluation_id]) + "#recommendations")
    return _form_page(request, form, title=_("Edit recommendation"),
                      cancel_url=reverse("evaluation:detail", args=[recommendation.evaluation_id]))


@login_required
def response_edit(request, pk):
    _require(request, MANAGE)
    recommendation = get_object_or_404(Recommendation.objects.select_related("response"), pk=pk)
    current = getattr(recommendation, "response", None)
    initial = {f: getattr(current, f) for f in ("response", "justification", "action", "owner", "due_date")} \
        if current else {}
    form = ManagementResponseForm(request.POST or None, initial=initial)
    if _submit(request, form, lambda: services.management_response_record(
            recommendation=recommendation, user=request.user, **form.cleaned_data)):
        messages.success(request, _("Management response recorded."))
        return redirect(reverse("evaluation:detail", args=[recommendation.evaluation_id]) + "#recommendations")
    return _form_page(request, form, title=_("Management response"), context={"subtitle": recommendation.text},
                      cancel_url=reverse("evaluation:detail", args=[recommendation.evaluation_id]))


@login_required
def follow_up(request, pk):
    _require(request, MANAGE)
    recommendation = get_object_or_404(Recommendation.objects.select_related("response"), pk=pk)
    response = getattr(recommendation, "response", None)
    if response is None:
        messages.warning(request, _("Record the management response before its follow-up."))
        return redirect("evaluation:response_edit", pk=pk)
    form = FollowUpForm(request.POST or None, initial={"status": response.follow_up_status,
                                                       "completion_date": response.completion_date,
                                                       "note": response.follow_up_note})
    if _submit(request, form, lambda: services.management_response_follow_up(
            response=response, user=request.user, **form.cleaned_data)):
        messages.success(request, _("Follow-up recorded."))
        return redirect(reverse("evaluation:detail", args=[recommendation.evaluation_id]) + "#recommendations")
    return _form_page(request, form, title=_("Follow-up"), context={"subtitle": recommendation.text},
                      cancel_url=reverse("evaluation:detail", args=[recommendation.evaluation_id]))


@login_required
def dashboard(request):
    today = clock.today()
    default_year = selectors.latest_completion_year() or today.year
    year = int_param(request, "year", default=default_year, minimum=FIRST_YEAR, maximum=LAST_YEAR)
    figures = selectors.evaluation_dashboard(year=year)
    labels = dict(EvaluationType.choices)
    chart = {
        "types": {"label": str(_("Completed evaluations")),
                  "labels": [str(labels[row["type"]]) for row in figures["by_type"]],
                  "counts": [row["count"] for row in figures["by_type"]]},
        "ratings": {"labels": [str(Evaluation._meta.get_field(c).verbose_name).capitalize() for c in CRITERIA],
                    "values": [float(v) if v is not None else None for v in figures["averages"].values()]},
    }
    ratings = [(str(Evaluation._meta.get_field(c).verbose_name), figures["averages"][c]) for c in CRITERIA]
    return render(request, "evaluation/dashboard.html", {
        "figures": figures, "chart": chart, "ratings": ratings, "year": year,
        "years": sorted({*range(default_year - 5, default_year + 1), today.year, year}),
        "by_type": [(labels[row["type"]], row["count"]) for row in figures["by_type"]]})


# ---------------------------------------------------------------- results


@login_required
def project_results(request, project_pk):
    project = get_object_or_404(Project.objects.select_related("responsible_unit"), pk=project_pk)
    today = clock.today()
    results = selectors.project_results(project, as_of=today)
    tracks = Counter(row.track for _result, rows in results for row in rows)
    evaluations = selectors.evaluation_queryset().filter(projects=project).order_by("planned_date")
    return render(request, "evaluation/project_results.html", {
        "project": project, "results": results, "tracks": tracks, "today": today, "evaluations": evaluations,
        "required": _required_labels(selectors.required_evaluations(project)),
        "budget_usd": selectors.project_budget_usd(project),
        "can_edit": request.user.has_perm("projects.change_project", project),
        "can_manage": request.user.has_perm(MANAGE)})


def _results_url(project_id):
    return reverse("evaluation:project_results", args=[project_id])


class _ResultsFormView(ServiceFormView):
    """A form of a project's results framework: whoever may change the project; back to its results page."""

    template_name = "evaluation/form.html"
    permission = "projects.change_project"
    title = ""

    def project(self) -> Project:
        return self.object.project

    def subtitle(self):
        return self.object

    def permission_object(self):
        return self.project()

    def get_success_url(self):
        return _results_url(self.project().pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=self.title, cancel_url=self.get_success_url(),
                                        subtitle=self.subtitle(), **kwargs)


class _IndicatorFormView(_ResultsFormView):
    def get_object(self):
        return get_object_or_404(Indicator.objects.select_related("result__project"), pk=self.kwargs["pk"])

    def project(self) -> Project:
        return self.object.result.project


class _PeriodFormView(_ResultsFormView):
    def get_object(self):
        return get_object_or_404(IndicatorPeriod.objects.select_related("indicator__result__project"),
                                 pk=self.kwargs["pk"])

    def project(self) -> Project:
        return self.object.indicator.result.project

    def subtitle(self):
        return f"{self.object.indicator} · {self.object}"


class ResultCreate(_ResultsFormView):
    form_class, title = ResultForm, gettext_lazy("New result")

    def get_object(self):
        return get_object_or_404(Project, pk=self.kwargs["project_pk"])

    def project(self) -> Project:
        return self.object

    def call_service(self, form):
        return services.result_create(project=self.object, user=self.request.user, **form.cleaned_data)


class ResultEdit(_ResultsFormView):
    form_class, title = ResultForm, gettext_lazy("Edit result")

    def get_object(self):
        return get_object_or_404(Result.objects.select_related("project"), pk=self.kwargs["pk"])

    def form_instance(self):
        return self.object

    def subtitle(self):
        return self.object.project

    def call_service(self, form):
        return services.result_update(result=self.object, user=self.request.user, **form.cleaned_data)


class IndicatorCreate(_ResultsFormView):
    form_class, title = IndicatorForm, gettext_lazy("New indicator")

    def get_object(self):
        return get_object_or_404(Result.objects.select_related("project"), pk=self.kwargs["pk"])

    def call_service(self, form):
        return services.indicator_create(result=self.object, user=self.request.user, **form.cleaned_data)


class IndicatorEdit(_IndicatorFormView):
    form_class, title = IndicatorForm, gettext_lazy("Edit indicator")

    def form_instance(self):
        return self.object

    def subtitle(self):
        return self.object.result

    def call_service(self, form):
        return services.indicator_update(indicator=self.object, user=self.request.user, **form.cleaned_data)


class BaselineCreate(_IndicatorFormView):
    form_class, title = BaselineForm, gettext_lazy("Baseline")

    def call_service(self, form):
        return services.baseline_set(indicator=self.object, user=self.request.user, **form.cleaned_data)


class PeriodCreate(_IndicatorFormView):
    form_class, title = PeriodForm, gettext_lazy("New period")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "indicator": self.object}

    def call_service(self, form):
        return services.period_create(indicator=self.object, user=self.request.user, **form.cleaned_data)


class PeriodEdit(_PeriodFormView):
    form_class, title = PeriodForm, gettext_lazy("Record actuals")

    def get_initial(self):
        return {f: getattr(self.object, f) for f in ("start", "end", "actual", "actual_women", "actual_men",
                                                     "comment")}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "indicator": self.object.indicator, "editing": True}

    def call_service(self, form):
        return services.period_update(period=self.object, user=self.request.user, **form.cleaned_data)


class TargetRevise(_PeriodFormView):
    form_class, title = TargetRevisionForm, gettext_lazy("Revise the target")

    def get_initial(self):
        return {"new_target": self.object.target}

    def get_context_data(self, **kwargs):
        return super().get_context_data(revisions=self.object.target_revisions.select_related("revised_by"),
                                        **kwargs)

    def call_service(self, form):
        return services.target_revise(period=self.object, user=self.request.user, **form.cleaned_data)


result_create = ResultCreate.as_view()
result_edit = ResultEdit.as_view()
indicator_create = IndicatorCreate.as_view()
indicator_edit = IndicatorEdit.as_view()
baseline_create = BaselineCreate.as_view()
period_create = PeriodCreate.as_view()
period_edit = PeriodEdit.as_view()
target_revise = TargetRevise.as_view()


# ---------------------------------------------------------------- required-evaluation rules


@login_required
def required_rules(request):
    """Which budgets require which evaluations: what "Propose the missing evaluations" on the plan follows."""
    return render(request, "evaluation/required_rules.html", {
        "rules": selectors.required_rules(), "can_manage": request.user.has_perm(MANAGE)})


class _RequiredRuleFormView(ServiceFormView):
    form_class = RequiredRuleForm
    template_name = "evaluation/form.html"
    permission = MANAGE
    title = ""

    def form_instance(self):
        return self.object

    def call_service(self, form):
        return services.required_rule_save(rule=self.object, user=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return reverse("evaluation:required_rules")

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=self.title, cancel_url=self.get_success_url(), **kwargs)


class RequiredRuleCreate(_RequiredRuleFormView):
    title = gettext_lazy("New required-evaluation rule")
    success_message = gettext_lazy("Rule added. Propose the missing evaluations on the plan to apply it.")


class RequiredRuleEdit(_RequiredRuleFormView):
    title = gettext_lazy("Change a required-evaluation rule")
    success_message = gettext_lazy("Rule saved. Propose the missing evaluations on the plan to apply it.")

    def get_object(self):
        return get_object_or_404(RequiredEvaluationRule, pk=self.kwargs["pk"])


# ---------------------------------------------------------------- lessons


@login_required
def lessons(request):
    filterset = LessonFilterSet(request.GET or None, queryset=selectors.lesson_queryset())
    page = _paginate(request, filterset.qs, size=20)
    return render(request, "evaluation/lessons.html", {
        "filterset": filterset, "page": page, "querystring": _querystring_without_page(request),
        "can_manage": request.user.has_perm(MANAGE), "searching": bool(request.GET.get("q"))})


@login_required
def lesson_detail(request, pk):
    lesson = get_object_or_404(selectors.lesson_queryset(), pk=pk)
    return render(request, "evaluation/lesson_detail.html", {"lesson": lesson,
                                                             "can_manage": request.user.has_perm(MANAGE)})


@login_required
def lesson_create(request):
    _require(request, MANAGE)
    initial = {key: request.GET[key] for key in ("evaluation", "project") if request.GET.get(key)}
    form = LessonForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        lesson = _apply_service(form, lambda: services.lesson_create(user=request.user, **form.cleaned_data))
        if lesson:
            messages.success(request, _("Saved in the library."))
            return redirect("evaluation:lesson_detail", pk=lesson.pk)
    return _form_page(request, form, title=_("New lesson or good practice"), cancel_url=reverse("evaluation:lessons"))


@login_required
def lesson_edit(request, pk):
    _require(request, MANAGE)
    lesson = get_object_or_404(Lesson, pk=pk)
    form = LessonForm(request.POST or None, instance=lesson)
    if _submit(request, form, lambda: services.lesson_update(lesson=lesson, user=request.user,
                                                           **form.cleaned_data)):
        return redirect("evaluation:lesson_detail", pk=pk)
    return _form_page(request, form, title=_("Edit lesson or good practice"),
                      cancel_url=reverse("evaluation:lesson_detail", args=[pk]))
