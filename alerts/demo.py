"""Demo step: run the early-warning scan at today's date (the clock's: `make run` sets TCMS_TODAY to the demo's
"today"), so the demo opens with realistic alerts; then let the people who follow them act on some, as they would
in a month's work: an alert acknowledged, one explained with a reason for slippage. (None is resolved by hand:
the next scan would reopen an alert whose condition still holds.)"""

import random

from django.contrib.auth import get_user_model

from alerts.models import Alert, AlertState, SlippageReason
from alerts.services import alert_acknowledge, alert_explain, can_manage_alert, scan
from core import clock
from projects.demo import DEMO_AS_OF

# What officers write when they explain slippage, by reason (English: the demo's own data).
EXPLANATIONS = {
    "RECRUITMENT": "The chief technical adviser post was re-advertised; the new adviser starts next month.",
    "COUNTERPART": "The ministry's counterpart team was reassigned after the elections; a new team is in place.",
    "PROCUREMENT": "Training equipment is held at customs; the spending will follow delivery in the next quarter.",
    "SECURITY": "Field activities were suspended in two provinces; they resume when the UN security phase allows.",
    "DONOR_FUNDING": "The donor's second instalment arrived four months late; activities were rescheduled.",
    "DESIGN": "The mid-term review asked to refocus the second component; a budget revision is being prepared.",
}
# Of the open alerts the demo users may manage: about a third explained, a sixth acknowledged.
EXPLAINED_SHARE, ACKNOWLEDGED_SHARE = 0.33, 0.17


def seed_alerts(*, seed: int, projects: int, log) -> None:
    today = clock.today()
    result = scan(as_of=today, notify=False)
    log(f"  early-warning scan at {today}: {result.raised} alerts raised")
    if today != DEMO_AS_OF:
        log(f"  (the demo data run to {DEMO_AS_OF}; set TCMS_TODAY={DEMO_AS_OF} to see the demo as of that day, "
            "as `make run` does)")
    acted = _act_on_alerts(random.Random(seed))
    if acted:
        log("  alerts acted on by the demo users: " + ", ".join(f"{n} {action}" for action, n in acted.items()))


def _act_on_alerts(rng: random.Random) -> dict[str, int]:
    """The officer and the manager (seed_users) acknowledge or explain some of the open alerts of their
    projects, through the same services as the alerts pages."""
    people = list(get_user_model().objects.filter(username__in=["officer", "manager"]).order_by("username"))
    reasons = {reason.code: reason for reason in SlippageReason.objects.filter(code__in=EXPLANATIONS)}
    if not people or not reasons:
        return {}
    alerts = list(Alert.objects.filter(state=AlertState.OPEN).select_related("project", "rule").order_by("pk"))
    done = {"explained": 0, "acknowledged": 0}
    for alert in alerts:
        user = next((person for person in people if can_manage_alert(person, alert)), None)
        if user is None:
            continue
        draw = rng.random()
        if draw < EXPLAINED_SHARE:
            code = rng.choice(sorted(reasons))
            alert_explain(alert=alert, user=user, reason_code=code, comment=EXPLANATIONS[code])
            done["explained"] += 1
        elif draw < EXPLAINED_SHARE + ACKNOWLEDGED_SHARE:
            alert_acknowledge(alert=alert, user=user)
            done["acknowledged"] += 1
    return {action: n for action, n in done.items() if n}
