"""A report's period: whole months, and the period before it of the same length."""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    last_day = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last_day))


def _month_end(day: dt.date) -> dt.date:
    return _add_months(day.replace(day=1), 1) - dt.timedelta(days=1)


@dataclass(frozen=True)
class Period:
    """Whole months from `start` (a first of month) to `end` (a last of month)."""

    start: dt.date
    end: dt.date

    @classmethod
    def of_year(cls, year: int) -> "Period":
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))

    @classmethod
    def between(cls, start: dt.date, end: dt.date) -> "Period":
        """The months from start's to end's (data are monthly, so a month counts whole)."""
        if end < start:
            raise ValueError(_("The period ends before it starts."))
        return cls(start.replace(day=1), _month_end(end))

    @property
    def months(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    @property
    def years(self) -> list[int]:
        return list(range(self.start.year, self.end.year + 1))

    @property
    def is_calendar_year(self) -> bool:
        return self.start == dt.date(self.start.year, 1, 1) and self.end == dt.date(self.start.year, 12, 31)

    def previous(self) -> "Period":
        return Period(_add_months(self.start, -self.months), self.start - dt.timedelta(days=1))

    def shift_as_of(self, as_of: dt.date | None) -> dt.date | None:
        """as_of moved back by this period's length: the same point of the previous period."""
        return None if as_of is None else _add_months(as_of, -self.months)

    def last_day(self, as_of: dt.date | None) -> dt.date:
        """The last day whose data count: the period's end, or as_of if earlier (may be before the start)."""
        return self.end if as_of is None else min(self.end, as_of)

    @property
    def label(self) -> str:
        if self.is_calendar_year:
            return str(self.start.year)
        return f"{self.start:%Y-%m}–{self.end:%Y-%m}"
