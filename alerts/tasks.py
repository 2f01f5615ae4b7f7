"""Celery tasks: they take ids or dates and call the services (alerts/services.py)."""

import datetime as dt
import logging

from celery import shared_task
from celery.exceptions import Retry

from alerts import services
from alerts.models import DigestFrequencyKind
from core import clock

logger = logging.getLogger(__name__)


@shared_task(name="alerts.tasks.scan_early_warnings", ignore_result=True)
def scan_early_warnings(as_of: str | None = None) -> dict:
    day = dt.date.fromisoformat(as_of) if as_of else clock.today()
    return services.scan(as_of=day).as_dict()


@shared_task(name="alerts.tasks.send_digests", ignore_result=True)
def send_digests(frequency: str | None = None) -> list[int]:
    """Record the digests of the latest completed window(s), then deliver every digest still due.

    Scheduled daily (DAILY) and weekly (WEEKLY); running it again for a window records nothing new.
    """
    now = clock.now()
    frequencies = [frequency] if frequency else [DigestFrequencyKind.DAILY, DigestFrequencyKind.WEEKLY]
    for each in frequencies:
        services.digests_plan(frequency=each, now=now)
    due = services.digests_due()
    _enqueue_deliveries(due)
    return due


@shared_task(name="alerts.tasks.send_immediate_red", ignore_result=True)
def send_immediate_red(alert_ids: list[int]) -> list[int]:
    digest_ids = services.immediate_red_plan(alert_ids=alert_ids)
    _enqueue_deliveries(digest_ids)
    return digest_ids


# Exponential backoff: 30 s, 60 s, 120 s … capped at 30 min; afterwards the next scheduled send_digests
# tries again until DIGEST_MAX_ATTEMPTS.
@shared_task(name="alerts.tasks.deliver_digest", ignore_result=True, bind=True,
             autoretry_for=(services.DigestDeliveryError,), retry_backoff=30, retry_backoff_max=1800,
             retry_jitter=False, max_retries=5)
def deliver_digest(self, digest_id: int) -> str:
    return services.digest_deliver(digest_id=digest_id)


def _enqueue_deliveries(digest_ids) -> None:
    for digest_id in digest_ids:
        try:
            deliver_digest.delay(digest_id)
        except (services.DigestDeliveryError, Retry):
            # Only in eager mode (tests, CELERY_TASK_ALWAYS_EAGER), where a retry cannot wait for its countdown:
            # the failure is recorded on the row, the next run retries it, and the other recipients still get theirs.
            logger.warning("digest %s not delivered; it stays due", digest_id)
