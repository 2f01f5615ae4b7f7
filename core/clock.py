"""The clock: the one reader of the date for business logic.

Every "today" of TCMS — the default period of the dashboards and home tiles, the as-of of the money tab and of
the evaluation plan, the scan's and the digests' dates, the defaults of report requests — comes from here, so
that the setting TCMS_TODAY (an ISO date; empty for the real date) moves all of them together. `make run`'s demo
sets it to the demo's own "today".

Timestamps of records (created_at, history, sent_at, outbox claims, heartbeats, backups) are not business dates:
they keep reading the real time (django.utils.timezone.now).
"""

import datetime as dt

from django.conf import settings
from django.utils import timezone


def _fixed_day() -> dt.date | None:
    return settings.TCMS_TODAY


def today() -> dt.date:
    """The business date: TCMS_TODAY when set, otherwise the real date (in TIME_ZONE, which is UTC)."""
    fixed = _fixed_day()
    return fixed if fixed is not None else timezone.localdate()


def now() -> dt.datetime:
    """The business moment (aware, UTC): the real time, or with TCMS_TODAY set that day at the real UTC time of day,
    so that windows computed from a moment (the digests') move with the date."""
    real = timezone.now().astimezone(dt.UTC)
    fixed = _fixed_day()
    return real if fixed is None else dt.datetime.combine(fixed, real.timetz())
