"""Pages of the early-warning system. Thin: they read through selectors and write through services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from alerts import selectors, services
from alerts.figures import alert_figures
from alerts.filters import AlertFilterSet
from alerts.forms import ExplainForm, ResolveForm, RuleForm, RunForm
from alerts.models import Alert, DigestFrequencyKind, DigestSend, Rule
from core import outbox
from core.query_params import FIRST_YEAR, LAST_YEAR, int_param
from projects.models import Project

PAGE_SIZE = 50


def _require(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


@login_required
def alert_list(request):
    _require(request, "projects.view_project")
    data = request.GET.copy()
    if "state" not in data:
        data["state"] = "UNRESOLVED"
    filterset = AlertFilterSet(data, queryset=selectors.alert_queryset().order_by("-period", "-raised_on",
                                                                                  "project__symbol", "rule__code"))
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = data.copy()
    query.pop("page", None)
    context = {"filter": filterset, "page": page, "query": query.urlencode(), "counts": selectors.open_alert_counts()}
    template = "alerts/_alert_table.html" if _is_htmx(request) else "alerts/list.html"
    return render(request, template, context)


def _detail_context(request, alert: Alert, *, explain_form=None, resolve_form=None, error=None) -> dict:
    can_manage = services.can_manage_alert(request.user, alert)
    allowed = {action for action, states in services.ALLOWED_TRANSITIONS.items() if alert.state in states}
    return {
        "alert": alert, "can_manage": can_manage, "allowed": allowed if can_manage else set(),
        "explain_form": explain_form or ExplainForm(initial={
            "reason": alert.slippage_reason.code if alert.slippage_reason else "", "comment": alert.slippage_comment}),
        "resolve_form": resolve_form or ResolveForm(), "error": error,
        "description": alert.rule.description_text(), "figures": alert_figures(alert.detail),
    }


@login_required
def alert_detail(request, pk: int):
    _require(request, "projects.view_project")
    try:
        alert = selectors.alert_detail(pk=pk)
    except Alert.DoesNotExist:
        raise Http404
    return render(request, "alerts/detail.html", _detail_context(request, alert))


@login_required
@require_POST
def alert_action(request, pk: int, action: str):
    alert = get_object_or_404(Alert.objects.select_related("project"), pk=pk)
    if action not in services.ALLOWED_TRANSITIONS:
        raise Http404
    if not services.can_manage_alert(request.user, alert):
        raise PermissionDenied
    explain_form = resolve_form = None
    try:
        if action == "acknowledge":
            services.alert_acknowledge(alert=alert, user=request.user)
        elif action == "explain":
            explain_form = ExplainForm(request.POST)
            services.alert_explain(alert=alert, user=request.user, reason_code=request.POST.get("reason", ""),
                                   comment=request.POST.get("comment", ""))
        else:
            resolve_form = ResolveForm(request.POST)
            services.alert_resolve(alert=alert, user=request.user, note=request.POST.get("note", ""))
    except ValidationError as exc:
        error = " ".join(exc.messages)
        if explain_form is not None:
            explain_form.is_valid()
        if resolve_form is not None:
            resolve_form.is_valid()
        context = _detail_context(request, selectors.alert_detail(pk=pk), explain_form=explain_form,
                                  resolve_form=resolve_form, error=error)
        template = "alerts/_alert_panel.html" if _is_htmx(request) else "alerts/detail.html"
        return render(request, template, context, status=400)
    if _is_htmx(request):
        return render(request, "alerts/_alert_panel.html", _detail_context(request, selectors.alert_detail(pk=pk)))
    messages.success(request, _("Alert updated."))
    return redirect("alerts:detail", pk=pk)


@login_required
def project_alerts(request, project_id: int):
    _require(request, "projects.view_project")
    project = get_object_or_404(Project, pk=project_id)
    context = {"project": project, "alerts": selectors.project_alerts(project=project)}
    template = "alerts/_project_alerts.html" if _is_htmx(request) else "alerts/project.html"
    return render(request, template, context)


@login_required
def slippage(request):
    _require(request, "projects.view_project")
    period = int_param(request, "period", default=None, minimum=FIRST_YEAR, maximum=LAST_YEAR)
    analysis = selectors.slippage_analysis(period=period)
    chart = {"labels": [str(reason) for reason, _count in analysis.totals],
             "counts": [count for _reason, count in analysis.totals], "title": _("Alerts explained, by reason")}
    dimension_titles = {"region": _("By region"), "objective": _("By strategic objective"),
                        "source": _("By source of funds")}
    tables = [(dimension_titles[name], rows) for name, rows in analysis.by_dimension.items()]
    return render(request, "alerts/slippage.html", {"analysis": analysis, "chart": chart, "tables": tables,
                                                    "period": period})


@login_required
def run(request):
    _require(request, "tcms.administer")
    form = RunForm(request.POST or None)
    if request.method == "POST":
        what = request.POST.get("what")
        if what not in ("scan", "digests"):
            messages.error(request, _("Choose what to run."))
            return redirect("alerts:run")
        if form.is_valid():
            as_of = form.cleaned_data["as_of"]
            if what == "scan":
                outbox.enqueue("alerts.tasks.scan_early_warnings", as_of=as_of.isoformat())
                messages.success(request, _("The scan as of %(date)s has been queued; alerts change when the worker "
                                            "has run it.") % {"date": as_of.isoformat()})
                return redirect("alerts:run")
            try:
                _report_digests(request, services.digests_send_now(as_of=as_of, user=request.user))
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            return redirect("alerts:run")
    return render(request, "alerts/run.html", {
        "form": form, "rules": Rule.objects.all(), "counts": selectors.open_alert_counts(),
        "recent": selectors.digest_sends()[:10]}, status=400 if form.errors else 200)


def _window_label(window) -> str:
    times = {"start": f"{window.start:%Y-%m-%d %H:%M}", "end": f"{window.end:%Y-%m-%d %H:%M}"}
    if window.frequency == DigestFrequencyKind.DAILY:
        return _("Daily digest, %(start)s → %(end)s UTC") % times
    return _("Weekly digest, %(start)s → %(end)s UTC") % times


def _report_digests(request, run) -> None:
    """Say, per window, how many e-mails went to whom, or why none did."""
    for plan in run.plans:
        label = _window_label(plan.window)
        if plan.recipients:
            count = len(plan.recipients)
            messages.success(request, ngettext(
                "%(window)s: %(count)d e-mail queued for the worker, to %(names)s.",
                "%(window)s: %(count)d e-mails queued for the worker, to %(names)s.", count) % {
                "window": label, "count": count, "names": plan.recipient_names()})
        else:
            messages.info(request, _("%(window)s: no e-mail, because %(reason)s") % {
                "window": label, "reason": plan.why_none()})
    if run.retried:
        messages.info(request, ngettext("%(count)d earlier digest still due was queued again.",
                                        "%(count)d earlier digests still due were queued again.", run.retried) % {
            "count": run.retried})


@login_required
def mail(request):
    _require(request, "tcms.administer")
    name = request.GET.get("file")
    if name:
        text = selectors.mail_file_text(name)
        if text is None:
            raise Http404
        return render(request, "alerts/mail_file.html", {"name": name, "text": text})
    page = Paginator(selectors.digest_sends(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "alerts/mail.html", {
        "page": page, "files": selectors.mail_files(), "uncertain": selectors.uncertain_digests(now=timezone.now()),
        "file_backend": "filebased" in _email_backend()})


def _email_backend() -> str:
    from django.conf import settings

    return settings.EMAIL_BACKEND


@login_required
def mail_detail(request, pk: int):
    _require(request, "tcms.administer")
    digest = get_object_or_404(DigestSend.objects.select_related("recipient"), pk=pk)
    if request.method == "POST":
        try:
            services.digest_release(digest=digest, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Released: the next run of the digests tries it again."))
        return redirect("alerts:mail_detail", pk=pk)
    alerts = digest.alerts.select_related("project", "rule")
    return render(request, "alerts/mail_detail.html", {"digest": digest, "alerts": alerts})


@login_required
def rule_list(request):
    _require(request, "tcms.administer")
    return render(request, "alerts/rules.html", {"rules": Rule.objects.all()})


@login_required
def rule_edit(request, code: str):
    _require(request, "tcms.administer")
    rule = get_object_or_404(Rule, code=code)
    form = RuleForm(request.POST or None, instance=Rule.objects.get(pk=rule.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.rule_update(rule=rule, user=request.user,
                                 **{name: form.cleaned_data[name] for name in RuleForm.Meta.fields})
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Rule %(code)s saved.") % {"code": rule.code})
            return redirect(reverse("alerts:rules"))
    return render(request, "alerts/rule_edit.html", {"rule": rule, "form": form})

