"""Digest windows: the period a digest covers, by frequency, in UTC."""

import datetime as dt
from dataclasses import dataclass

DIGEST_HOUR_UTC = 6


@dataclass(frozen=True)
class DigestWindow:
    frequency: str
    key: str
    start: dt.datetime
    end: dt.datetime


def digest_window(*, frequency: str, now: dt.datetime) -> DigestWindow:
    """The latest completed window of a frequency at `now`: daily 06:00→06:00 UTC, weekly Monday 06:00→Monday."""
    from alerts.models import DigestFrequencyKind

    now = now.astimezone(dt.UTC)
    end = now.replace(hour=DIGEST_HOUR_UTC, minute=0, second=0, microsecond=0)
    if end > now:
        end -= dt.timedelta(days=1)
    if frequency == DigestFrequencyKind.DAILY:
        start = end - dt.timedelta(days=1)
        return DigestWindow(frequency, start.date().isoformat(), start, end)
    if frequency == DigestFrequencyKind.WEEKLY:
        end -= dt.timedelta(days=end.weekday())
        start = end - dt.timedelta(days=7)
        year, week, _day = start.isocalendar()
        return DigestWindow(frequency, f"{year}-W{week:02d}", start, end)
    raise ValueError(f"no window for frequency {frequency!r}")


def digest_window_for_key(*, frequency: str, key: str) -> DigestWindow | None:
    from alerts.models import DigestFrequencyKind

    try:
        if frequency == DigestFrequencyKind.DAILY:
            start = dt.datetime.combine(dt.date.fromisoformat(key), dt.time(DIGEST_HOUR_UTC), tzinfo=dt.UTC)
            return DigestWindow(frequency, key, start, start + dt.timedelta(days=1))
        if frequency == DigestFrequencyKind.WEEKLY:
            year, week = key.split("-W")
            monday = dt.date.fromisocalendar(int(year), int(week), 1)
            start = dt.datetime.combine(monday, dt.time(DIGEST_HOUR_UTC), tzinfo=dt.UTC)
            return DigestWindow(frequency, key, start, start + dt.timedelta(days=7))
    except ValueError:
        return None
    return None
