"""Writes of the early-warning app, one module per job: the scan that raises, escalates and resolves alerts
(scan.py); the alert lifecycle and rule edits (lifecycle.py); digest windows (windows.py); digests, planned
exactly once and delivered (digests.py); the digest e-mail (emails.py).

Views, admin, commands and tasks call these functions (through this package); none re-implements them.
"""

from alerts.services.digests import (
    DIGEST_MAX_ATTEMPTS,
    STALE_SENDING_AFTER,
    DigestDeliveryError,
    DigestPlan,
    DigestRun,
    digest_deliver,
    digest_recipients,
    digest_release,
    digests_due,
    digests_plan,
    digests_send_now,
    immediate_red_plan,
)
from alerts.services.emails import (
    build_digest_message,
)
from alerts.services.lifecycle import (
    ALLOWED_TRANSITIONS,
    alert_acknowledge,
    alert_explain,
    alert_resolve,
    can_manage_alert,
    rule_update,
)
from alerts.services.scan import (
    ALERT_COPY_COLUMNS,
    EVENT_COPY_COLUMNS,
    ScanResult,
    scan,
)
from alerts.services.windows import (
    DIGEST_HOUR_UTC,
    DigestWindow,
    digest_window,
    digest_window_for_key,
    digest_window_in_progress,
)

__all__ = [
    "ALERT_COPY_COLUMNS",
    "ALLOWED_TRANSITIONS",
    "DIGEST_HOUR_UTC",
    "DIGEST_MAX_ATTEMPTS",
    "DigestDeliveryError",
    "DigestPlan",
    "DigestRun",
    "DigestWindow",
    "EVENT_COPY_COLUMNS",
    "STALE_SENDING_AFTER",
    "ScanResult",
    "alert_acknowledge",
    "alert_explain",
    "alert_resolve",
    "build_digest_message",
    "can_manage_alert",
    "digest_deliver",
    "digest_recipients",
    "digest_release",
    "digest_window",
    "digest_window_for_key",
    "digest_window_in_progress",
    "digests_due",
    "digests_plan",
    "digests_send_now",
    "immediate_red_plan",
    "rule_update",
    "scan",
]
