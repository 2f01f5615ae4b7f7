"""Digests: which alerts each recipient hears of, in which window, planned once and delivered exactly once (as far as
SMTP allows)."""

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from alerts.models import (
    Alert,
    AlertEvent,
    AlertState,
    Severity,
)
from alerts.services.emails import (
    build_digest_message,
)
from alerts.services.news import news_recipients
from alerts.services.windows import (
    DigestWindow,
    digest_window,
    digest_window_in_progress,
    remainder_after_cuts,
)
from core import clock, outbox

logger = logging.getLogger(__name__)

# Exactly once, as far as SMTP allows. Each digest is a DigestSend row, unique per (recipient, frequency,
# period key), created before anything is sent (planning is idempotent: a second run finds the rows).
# Delivering claims the row with a conditional UPDATE (PENDING/FAILED → SENDING, attempts + 1), committed
# before talking to SMTP; only the worker whose UPDATE matched sends, then marks it SENT. A task that runs
# twice, or is redelivered after its worker died (acks_late), finds the row SENDING or SENT and sends nothing.
# The remaining window — the relay accepted the message and the worker died before marking SENT — leaves the
# row SENDING. We never resend such a row automatically: "never twice" wins over "at least once". The mail
# page lists it as uncertain and an administrator may release it for another attempt; the message keeps the
# same Message-ID (one per DigestSend), so a mail system that deduplicates on it drops the copy.



DIGEST_MAX_ATTEMPTS = 8
STALE_SENDING_AFTER = dt.timedelta(minutes=30)


def digest_recipients(*, alert_ids) -> dict[int, set[int]]:
    """user id → ids of the alerts they hear about: the project's responsible official, the focal points of the
    backstopping unit and the managers of the responsible unit (memberships with receives_digest). A unit's
    managers and focal points hear of the projects of the units below it too (a regional office's manager of its
    country offices' and MDTs' projects)."""
    from partners.models import UnitMembership
    from partners.selectors import unit_tree

    rows = list(Alert.objects.filter(pk__in=alert_ids).values_list(
        "pk", "project__responsible_official_id", "project__responsible_unit_id", "project__backstopping_unit_id"))
    tree = unit_tree()
    # unit → the units whose scope includes it (itself and those above it)
    above = {unit_id: tree.with_ancestors(unit_id) for row in rows for unit_id in row[2:] if unit_id is not None}
    responsible_units = {unit for row in rows for unit in above.get(row[2], ())}
    backstopping_units = {unit for row in rows for unit in above.get(row[3], ())}
    focal_points: dict[int, set[int]] = {}
    managers: dict[int, set[int]] = {}
    memberships = UnitMembership.objects.filter(receives_digest=True).filter(
        Q(unit_id__in=backstopping_units, is_focal_point=True) | Q(unit_id__in=responsible_units, is_manager=True))
    for user_id, unit_id, is_focal_point, is_manager in memberships.values_list(
            "user_id", "unit_id", "is_focal_point", "is_manager"):
        if is_focal_point and unit_id in backstopping_units:
            focal_points.setdefault(unit_id, set()).add(user_id)
        if is_manager and unit_id in responsible_units:
            managers.setdefault(unit_id, set()).add(user_id)
    recipients: dict[int, set[int]] = {}
    for alert_id, official_id, responsible_unit_id, backstopping_unit_id in rows:
        users = {user for unit in above.get(responsible_unit_id, ()) for user in managers.get(unit, ())}
        users |= {user for unit in above.get(backstopping_unit_id, ()) for user in focal_points.get(unit, ())}
        if official_id is not None:
            users.add(official_id)
        for user_id in users:
            recipients.setdefault(user_id, set()).add(alert_id)
    return recipients


def _eligible_users(user_ids, frequencies) -> dict[int, object]:
    from accounts.models import User

    return {user.pk: user for user in User.objects.filter(pk__in=user_ids, is_active=True,
                                                          digest_frequency__in=frequencies).exclude(email="")}


def _create_digests(*, frequency: str, keyed: dict[int, tuple[str, set[int]]]) -> dict[int, int]:
    """Create the DigestSend rows (idempotent: existing rows are kept as they are); recipient id → digest id."""
    from alerts.models import DigestSend

    if not keyed:
        return {}
    DigestSend.objects.bulk_create(
        [DigestSend(recipient_id=user_id, frequency=frequency, period_key=key) for user_id, (key, _ids) in
         keyed.items()], ignore_conflicts=True)
    rows = DigestSend.objects.filter(frequency=frequency, recipient_id__in=list(keyed),
                                     period_key__in={key for key, _ids in keyed.values()})
    digests = {(row.recipient_id, row.period_key): row for row in rows.only("id", "recipient_id", "period_key")}
    through = DigestSend.alerts.through
    links = []
    for user_id, (key, alert_ids) in keyed.items():
        digest = digests[(user_id, key)]
        links += [through(digestsend_id=digest.pk, alert_id=alert_id) for alert_id in alert_ids]
    through.objects.bulk_create(links, ignore_conflicts=True)
    return {user_id: digests[(user_id, key)].pk for user_id, (key, _ids) in keyed.items()}


# Who is named in a report of planned digests (the rest are counted).
NAMED_RECIPIENTS = 20


@dataclass
class DigestPlan:
    """What planning one window did: the digests it recorded and for whom, or why nobody gets one."""

    window: DigestWindow
    changed_alerts: int = 0   # alerts with an event in the window
    with_news: int = 0        # people with news besides alerts (alerts/services/news.py)
    followers: int = 0        # people who hear of them, whatever their digest frequency
    recipients: list = field(default_factory=list)   # users whose digest of the window was recorded now
    digest_ids: list[int] = field(default_factory=list)
    earlier: list = field(default_factory=list)      # users whose digest of the window had been recorded before

    def recipient_names(self) -> str:
        names = [f"{user.get_full_name() or user.username} <{user.email}>" for user in
                 self.recipients[:NAMED_RECIPIENTS]]
        more = len(self.recipients) - len(names)
        if more:
            names.append(ngettext("%(count)d other", "%(count)d others", more) % {"count": more})
        return ", ".join(names)

    def why_none(self) -> str:
        """Why this window gives nobody a new digest ("" when it gives some)."""
        from alerts.models import DigestFrequencyKind

        if self.recipients:
            return ""
        if not self.changed_alerts and not self.with_news:
            return _("no alert was raised or changed in this window.")
        if not self.followers:
            return ngettext(
                "%(count)d alert changed, but nobody follows its project (no responsible official, and no focal "
                "point or manager who receives digests).",
                "%(count)d alerts changed, but nobody follows their projects (no responsible official, and no focal "
                "point or manager who receives digests).", self.changed_alerts) % {"count": self.changed_alerts}
        if self.earlier:
            return ngettext("its digest had already been recorded (%(count)d recipient); it is not sent twice.",
                            "its digests had already been recorded (%(count)d recipients); they are not sent twice.",
                            len(self.earlier)) % {"count": len(self.earlier)}
        if self.window.frequency == DigestFrequencyKind.DAILY:
            return _("none of the people who follow the changed alerts (%(count)d) has chosen daily digests and "
                     "has an e-mail address.") % {"count": self.followers}
        return _("none of the people who follow the changed alerts (%(count)d) has chosen weekly digests and "
                 "has an e-mail address.") % {"count": self.followers}


def _plan_window(window: DigestWindow) -> DigestPlan:
    """Record one digest per recipient who chose this frequency and follows an alert with an event in the window.
    Running it again records nothing new."""
    from accounts.models import DigestFrequency
    from alerts.models import DigestSend

    whole_key = window.key.partition("/")[0]
    window = remainder_after_cuts(window, DigestSend.objects.filter(
        frequency=window.frequency, period_key__startswith=whole_key + "/").values_list("period_key", flat=True))
    plan = DigestPlan(window)
    alert_ids = set(AlertEvent.objects.filter(at__gte=window.start, at__lt=window.end)
                    .values_list("alert_id", flat=True).distinct())
    plan.changed_alerts = len(alert_ids)
    frequencies = ([DigestFrequency.DAILY, DigestFrequency.IMMEDIATE_RED]
                   if window.frequency == DigestFrequency.DAILY else [DigestFrequency.WEEKLY])
    # Constituents' and officers' news (news.py) give a digest too, with or without alerts: the same rows, the
    # same delivery.
    news = news_recipients(window, frequencies=frequencies)
    plan.with_news = len(news)
    if not alert_ids and not news:
        return plan
    recipients = digest_recipients(alert_ids=alert_ids) if alert_ids else {}
    for user_id in news:
        recipients.setdefault(user_id, set())
    plan.followers = len(recipients)
    users = _eligible_users(recipients, frequencies)
    earlier = set(DigestSend.objects.filter(frequency=window.frequency, period_key=window.key,
                                            recipient_id__in=list(users)).values_list("recipient_id", flat=True))
    digest_of = _create_digests(frequency=window.frequency,
                                keyed={user_id: (window.key, recipients[user_id]) for user_id in users})
    ordered = sorted(users.values(), key=lambda user: user.username)
    plan.recipients = [user for user in ordered if user.pk not in earlier]
    plan.digest_ids = sorted(digest_of[user.pk] for user in plan.recipients)
    plan.earlier = [user for user in ordered if user.pk in earlier]
    return plan


@transaction.atomic
def digests_plan(*, frequency: str, now: dt.datetime) -> DigestPlan:
    """Record one digest per recipient for the latest completed window of `frequency` at `now` that has new or
    changed alerts for them (an alert changed when it has an event in the window). Running it again adds nothing."""
    return _plan_window(digest_window(frequency=frequency, now=now))


@dataclass
class DigestRun:
    """An administrator's "send digests now": the windows planned, and earlier digests queued again."""

    as_of: dt.date
    plans: list[DigestPlan]
    retried: int


@transaction.atomic
def digests_send_now(*, as_of: dt.date, user) -> DigestRun:
    """Record the daily and weekly digests of the windows in progress on `as_of` (at the clock's time of day; a
    window that has not ended yet is cut now, see windows.py), then queue every digest still due for delivery."""
    from alerts.models import DigestFrequencyKind

    if not user.has_perm("tcms.administer"):
        raise PermissionDenied(_("Only administrators send digests."))
    now = clock.now()
    if as_of > now.date():
        raise ValidationError({"as_of": _("Digests are sent for today or an earlier day, not after %(today)s.") % {
            "today": now.date().isoformat()}})
    moment = dt.datetime.combine(as_of, now.timetz())
    plans = [_plan_window(digest_window_in_progress(frequency=frequency, moment=moment, now=now))
             for frequency in (DigestFrequencyKind.DAILY, DigestFrequencyKind.WEEKLY)]
    due = digests_due()
    for digest_id in due:
        # Through the outbox: queued with the rows, delivered by the worker (each claims its row: never twice).
        outbox.enqueue("alerts.tasks.deliver_digest", digest_id)
    planned = {digest_id for plan in plans for digest_id in plan.digest_ids}
    return DigestRun(as_of=as_of, plans=plans, retried=len(set(due) - planned))


@transaction.atomic
def immediate_red_plan(*, alert_ids) -> list[int]:
    """One mail per recipient who chose immediate mail, announcing the red alerts they hear about."""
    import hashlib

    from accounts.models import DigestFrequency
    from alerts.models import DigestFrequencyKind

    red = dict(Alert.objects.filter(pk__in=alert_ids, severity=Severity.RED).exclude(state=AlertState.RESOLVED)
               .values_list("pk", "updated_at"))
    if not red:
        return []
    recipients = digest_recipients(alert_ids=list(red))
    users = _eligible_users(recipients, [DigestFrequency.IMMEDIATE_RED])
    keyed = {}
    for user_id in users:
        ids = sorted(recipients[user_id])
        # The same red alerts at the same moment always give the same key: a repeated task sends nothing more.
        fingerprint = "|".join(f"{pk}:{red[pk].isoformat()}" for pk in ids)
        keyed[user_id] = ("red-" + hashlib.sha256(fingerprint.encode()).hexdigest()[:24], set(ids))
    return sorted(_create_digests(frequency=DigestFrequencyKind.IMMEDIATE, keyed=keyed).values())


def digests_due() -> list[int]:
    """Digests not sent yet that may be (re)tried: pending, or failed with attempts left."""
    from alerts.models import DigestSend, DigestStatus

    return list(DigestSend.objects.filter(
        Q(status=DigestStatus.PENDING) | Q(status=DigestStatus.FAILED, attempts__lt=DIGEST_MAX_ATTEMPTS))
        .order_by("pk").values_list("pk", flat=True))


class DigestDeliveryError(Exception):
    """The mail server refused or could not be reached; the task retries with backoff."""


def digest_deliver(*, digest_id: int) -> str:
    """Send one digest if (and only if) this call claims it. Returns the resulting status, or "skipped"."""
    from django.db.models import F

    from alerts.models import DigestSend, DigestStatus

    now = timezone.now()
    claimed = DigestSend.objects.filter(pk=digest_id, status__in=[DigestStatus.PENDING, DigestStatus.FAILED]).update(
        status=DigestStatus.SENDING, attempts=F("attempts") + 1, claimed_at=now)
    if not claimed:
        return "skipped"
    digest = DigestSend.objects.select_related("recipient").get(pk=digest_id)
    try:
        message = build_digest_message(digest)
        DigestSend.objects.filter(pk=digest.pk).update(
            subject=message.subject[:255], body_text=message.body, message_id=message.extra_headers["Message-ID"],
            to_address=digest.recipient.email, language=message.extra_headers["Content-Language"])
        message.send(fail_silently=False)
    except Exception as exc:
        DigestSend.objects.filter(pk=digest.pk, status=DigestStatus.SENDING).update(
            status=DigestStatus.FAILED, last_error=f"{type(exc).__name__}: {exc}"[:2000])
        logger.warning("digest %s to %s failed (attempt %s): %s", digest.pk, digest.recipient.email,
                       digest.attempts, exc)
        raise DigestDeliveryError(str(exc)) from exc
    DigestSend.objects.filter(pk=digest.pk, status=DigestStatus.SENDING).update(
        status=DigestStatus.SENT, sent_at=timezone.now(), last_error="")
    return DigestStatus.SENT




@transaction.atomic
def digest_release(*, digest, user) -> None:
    """Let a digest stuck in SENDING (its worker died) be tried again: an administrator's decision."""
    from alerts.models import DigestSend, DigestStatus

    if not user.has_perm("tcms.administer"):
        raise PermissionDenied(_("Only administrators release digests."))
    updated = DigestSend.objects.filter(pk=digest.pk, status=DigestStatus.SENDING).update(
        status=DigestStatus.FAILED, last_error=_("Released by %(user)s for another attempt.") % {"user": user})
    if not updated:
        raise ValidationError(_("Only a digest that is being sent can be released."))
