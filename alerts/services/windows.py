"""Digest windows: the period a digest covers, by frequency, in UTC.

The schedule sends the latest completed window (daily 06:00→06:00 UTC, weekly Monday 06:00→Monday). An
administrator's "send digests now" sends the window in progress, cut at the moment of sending: a partial window,
keyed "<window>/<end>" (e.g. 2001-10-31/2001-10-31T14:05:09Z). What a cut window sent is not sent again: a later
"send now" and the scheduled digest of the whole window cover only the changes after the latest cut
(`remainder_after_cuts`), so no change is lost and none is mailed twice."""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from core import formats

DIGEST_HOUR_UTC = 6
_PARTIAL_END = "%Y-%m-%dT%H:%M:%SZ"


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


def _length(frequency: str) -> dt.timedelta:
    from alerts.models import DigestFrequencyKind

    if frequency == DigestFrequencyKind.DAILY:
        return dt.timedelta(days=1)
    if frequency == DigestFrequencyKind.WEEKLY:
        return dt.timedelta(days=7)
    raise ValueError(f"no window for frequency {frequency!r}")


def digest_window_in_progress(*, frequency: str, moment: dt.datetime, now: dt.datetime) -> DigestWindow:
    """The window of `frequency` that `moment` falls in; if it has not ended by `now`, the part of it until `now`
    (rounded up to the second), with its own key."""
    window = digest_window(frequency=frequency, now=moment + _length(frequency))
    end = (now.astimezone(dt.UTC) + dt.timedelta(microseconds=999_999)).replace(microsecond=0)
    if window.end <= end:
        return window
    return DigestWindow(frequency, f"{window.key}/{end:{_PARTIAL_END}}", window.start, end)


def window_cut(key: str) -> dt.datetime | None:
    """Where a partial window was cut (None for a whole window's key or a malformed one)."""
    _whole, slash, end = key.partition("/")
    if not slash:
        return None
    try:
        return dt.datetime.strptime(end, _PARTIAL_END).replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def remainder_after_cuts(window: DigestWindow, cut_keys) -> DigestWindow:
    """`window` from the latest earlier cut of the same whole window on (`cut_keys`: keys of digests recorded for
    its frequency); the key stays the window's own."""
    cuts = [cut for cut in map(window_cut, cut_keys) if cut is not None and window.start < cut < window.end]
    return window if not cuts else DigestWindow(window.frequency, window.key, max(cuts), window.end)


def digest_period_label(*, frequency: str, key: str, created_at: dt.datetime | None = None) -> str:
    """The period a digest covers as people read it, in the page's language and UTC: "31/10/2001 06:00 –
    01/11/2001 06:00 (UTC)"; a digest of new red alerts (keyed by the alerts it announces) by when it was made. The
    key stays what the unique constraint and the API see."""
    from alerts.models import DigestFrequencyKind

    if frequency == DigestFrequencyKind.IMMEDIATE:
        return _("new red alerts of %(moment)s (UTC)") % {"moment": formats.date_time(_utc(created_at))}
    window = digest_window_for_key(frequency=frequency, key=key)
    if window is None:
        return key
    return _("%(start)s – %(end)s (UTC)") % {"start": formats.date_time(_utc(window.start)),
                                             "end": formats.date_time(_utc(window.end))}


def _utc(moment: dt.datetime | None) -> dt.datetime | None:
    """The moment as a naive UTC datetime, so the date filters show it in UTC whatever the time zone setting."""
    return None if moment is None else moment.astimezone(dt.UTC).replace(tzinfo=None)


def digest_window_for_key(*, frequency: str, key: str) -> DigestWindow | None:
    from alerts.models import DigestFrequencyKind

    if "/" in key:  # a partial window: the whole window's key, then where it was cut
        whole = digest_window_for_key(frequency=frequency, key=key.partition("/")[0])
        cut = window_cut(key)
        return None if whole is None or cut is None else DigestWindow(frequency, key, whole.start, cut)
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
