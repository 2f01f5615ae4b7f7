"""Reads: the queries this app's pages, API, commands and reports share."""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import Count, F, QuerySet

from alerts.models import Alert, AlertState, DigestSend, DigestStatus, Rule, RuleCode, SlippageReason
from core.translated import localized
from projects.models import StrategicObjective


def low_delivery_red_threshold():
    """The LOW_DELIVERY rule's red threshold (None without the rule row or a red threshold): what delivery's
    "at risk" compares with (registered in AlertsConfig.ready), whether the rule is enabled or not."""
    return Rule.objects.filter(code=RuleCode.LOW_DELIVERY).values_list("red_threshold", flat=True).first()


def alert_queryset() -> QuerySet:
    """Alerts with everything a list row shows, in one query."""
    return Alert.objects.select_related("project", "project__region", "project__responsible_unit", "rule",
                                        "slippage_reason")


def alert_rows(*, as_of: dt.date | None = None, state: str | None = None) -> list[tuple]:
    """(project_symbol, rule, severity, state, raised_on) sorted by project and rule, for list_alerts."""
    alerts = Alert.objects.all()
    if as_of is not None:
        alerts = alerts.filter(period=as_of.year, raised_on__lte=as_of)
    if state:
        alerts = alerts.filter(state=state)
    return [(symbol, rule, severity, state_, raised_on.isoformat()) for symbol, rule, severity, state_, raised_on in
            alerts.order_by("project__symbol", "rule__code", "period").values_list(
                "project__symbol", "rule__code", "severity", "state", "raised_on")]


def project_alerts(*, project) -> QuerySet:
    """The alerts of one project, latest period first."""
    return (Alert.objects.filter(project=project).select_related("rule", "slippage_reason")
            .order_by("-period", "-raised_on", "rule__code"))


def alert_detail(*, pk: int) -> Alert:
    return (alert_queryset().select_related("project__backstopping_unit", "project__responsible_official",
                                            "acknowledged_by", "explained_by", "resolved_by")
            .prefetch_related("events__user").get(pk=pk))


@dataclass
class SlippageAnalysis:
    reasons: list[SlippageReason]
    totals: list[tuple[SlippageReason, int]]
    by_dimension: dict[str, list[tuple[str, list[int], int]]]
    explained: int


SLIPPAGE_DIMENSIONS = {
    "region": ("project__region__name", "project__region__sort_order"),
    "objective": ("project__strategic_objective", "project__strategic_objective__code"),
    "source": ("project__funding_source__name", "project__funding_source__sort_order"),
}
# The labels that are reference names, read in the active language.
TRANSLATED_SLIPPAGE_LABELS = {"project__region__name", "project__funding_source__name"}
# Dimensions grouped by a record's id, named as the record names itself (an objective "2. Create greater
# opportunities…", never its bare code).
SLIPPAGE_NAMED_BY = {"objective": StrategicObjective}


def slippage_analysis(*, period: int | None = None) -> SlippageAnalysis:
    """How often each reason for slippage was given, overall and by region, strategic objective and source of
    funds (para 46: "identify the reasons for slippage"). Counts explained alerts; a fixed number of queries."""
    reasons = list(SlippageReason.objects.all())
    explained = Alert.objects.filter(slippage_reason__isnull=False)
    if period:
        explained = explained.filter(period=period)
    totals = Counter(dict(explained.values_list("slippage_reason_id").annotate(n=Count("id"))))
    by_dimension = {}
    for name, (label_path, order_path) in SLIPPAGE_DIMENSIONS.items():
        table: dict[str, Counter] = defaultdict(Counter)
        order: dict[str, object] = {}
        label_expression = localized(label_path) if label_path in TRANSLATED_SLIPPAGE_LABELS else F(label_path)
        for label, sort_key, reason_id, count in (explained.annotate(dimension_label=label_expression)
                                                  .values_list("dimension_label", order_path, "slippage_reason_id")
                                                  .annotate(n=Count("id"))):
            table[label][reason_id] += count
            order[label] = sort_key
        names = ({record.pk: str(record) for record in SLIPPAGE_NAMED_BY[name].objects.filter(pk__in=list(table))}
                 if name in SLIPPAGE_NAMED_BY else {})
        by_dimension[name] = [(names.get(key, key), [table[key][reason.pk] for reason in reasons],
                               sum(table[key].values()))
                              for key in sorted(table, key=lambda item: (order[item], str(item)))]
    return SlippageAnalysis(reasons=reasons, totals=[(reason, totals[reason.pk]) for reason in reasons],
                            by_dimension=by_dimension, explained=sum(totals.values()))


def open_alert_counts() -> dict[str, int]:
    return dict(Alert.objects.exclude(state=AlertState.RESOLVED).values_list("severity").annotate(n=Count("id")))


def digest_sends() -> QuerySet:
    return DigestSend.objects.select_related("recipient").annotate(alert_count=Count("alerts")).order_by(
        "-created_at", "-id")


def uncertain_digests(*, now) -> QuerySet:
    """Digests whose worker died after claiming them: sent or not, nobody knows; an administrator decides."""
    from alerts.services import STALE_SENDING_AFTER

    return DigestSend.objects.filter(status=DigestStatus.SENDING, claimed_at__lt=now - STALE_SENDING_AFTER)


@dataclass(frozen=True)
class MailFile:
    name: str
    size: int
    modified: dt.datetime


def mail_files(limit: int = 200) -> list[MailFile]:
    """The messages the file e-mail backend wrote (settings.EMAIL_FILE_PATH), newest first."""
    folder = Path(settings.EMAIL_FILE_PATH)
    if "filebased" not in settings.EMAIL_BACKEND or not folder.is_dir():
        return []
    files = []
    for path in folder.iterdir():
        if path.is_file() and path.suffix == ".log":
            stat = path.stat()
            files.append(MailFile(path.name, stat.st_size, dt.datetime.fromtimestamp(stat.st_mtime, tz=dt.UTC)))
    return sorted(files, key=lambda item: (item.modified, item.name), reverse=True)[:limit]


def mail_file_text(name: str) -> str | None:
    """The text of one file written by the file backend; None for anything outside EMAIL_FILE_PATH."""
    folder = Path(settings.EMAIL_FILE_PATH).resolve()
    if "/" in name or "\\" in name or name.startswith("."):
        return None
    try:
        path = (folder / name).resolve()
        if path.parent != folder or not path.is_file():
            return None
        return path.read_text(errors="replace")
    except (OSError, ValueError):  # a name no file can have (too long, holding NUL): none was written
        return None
