"""The delivery figures, defined once: pure functions of amounts and dates (no database), each with the SQL twin
the portfolio-wide queries use where one is needed (the dashboard computes its figures for every project in SQL).

- delivery rate = expenditure ÷ allocation, 4 decimals (half up); None where the allocation is 0. A group's rate
  is Σ expenditure ÷ Σ allocation of its projects, never a mean of project rates.
- share of the year elapsed = days of the calendar year gone at the end of the as-of day ÷ days in the year.
- share of a project's active time in the year elapsed: its active time in the year runs from the later of 1 January
  and its start (actual, else planned) to the earlier of 31 December and its planned end; the share is the days of
  it gone at the end of the as-of day ÷ its days: 0 before it, 1 from its last day on (also when the project ended
  before the year began: all of its time is gone). A project active all year has the share of the year elapsed.
- life of the project elapsed = days from its start to the as-of date ÷ days from its start to its end.
- year-end forecast = expenditure to date + mean monthly spend of the last (up to) three months × months left.
- slippage = expected − actual expenditure, expected following the linear profile (allocation × elapsed).
- at risk: an ongoing project with an allocation whose delivery is below the at-risk threshold × the share of its
  active time in the year elapsed. The threshold is the red threshold of the LOW_DELIVERY early-warning rule (the
  alerts app registers how to read it: register_at_risk_threshold), so "at risk" is "LOW_DELIVERY red": without
  that rule or its red threshold no project is at risk. Pipeline, approved, suspended, cancelled and closed
  projects are never at risk.

Comparisons with a threshold are exact (spent < threshold × elapsed × allocation), never on a rounded rate.
"""

import calendar
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from projects.models import ProjectStatus

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
RATE_PLACES = Decimal("0.0001")
RATE_UNITS = 10000  # a rate or share in SQL: a whole number of 0.0001
# Projects whose delivery is watched against time (LOW_DELIVERY, at risk): a pipeline or approved project has not
# started, a suspended one's slippage is known, cancelled and closed ones no longer deliver.
AT_RISK_STATUSES = (ProjectStatus.ONGOING,)
# The highest delivery threshold (a share of the time elapsed or of the allocation) a rule may have: keeps the SQL
# twins' whole-number arithmetic within 64 bits.
MAX_THRESHOLD = 100


def money(value) -> Decimal:
    return ZERO if value is None else Decimal(value).quantize(CENT)


def from_cents(value) -> Decimal:
    """US$ of a whole number of cents (the year rollup's unit)."""
    return ZERO if value is None else Decimal(int(value)).scaleb(-2)


def share(value: Decimal) -> Decimal:
    return value.quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def delivery_rate(expenditure: Decimal, allocation: Decimal) -> Decimal | None:
    if not allocation:
        return None
    return share(Decimal(expenditure) / Decimal(allocation))


def from_rate_units(value) -> Decimal | None:
    """A rate computed in SQL (whole 0.0001) as the Decimal delivery_rate() gives."""
    return None if value is None else Decimal(int(value)).scaleb(-4)


# ---------------------------------------------------------------- time


def year_elapsed(as_of: dt.date) -> Decimal:
    """Share of the calendar year gone at the end of the day `as_of`."""
    days = 366 if calendar.isleap(as_of.year) else 365
    return share(Decimal(as_of.timetuple().tm_yday) / days)


def elapsed_for(year: int, as_of: dt.date | None) -> Decimal:
    """Share of `year` gone at `as_of` (None: the whole year; 0 before the year, 1 after it)."""
    if as_of is None or as_of.year > year:
        return Decimal(1)
    if as_of.year < year:
        return Decimal(0)
    return year_elapsed(as_of)


def active_window(year: int, *, start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    """First and last day of a project's active time in `year` (start: actual, else planned; end: planned end).
    Empty (last before first) when the project ended before the year or starts after it."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return (max(first, start) if start else first), (min(last, end) if end else last)


def active_elapsed(year: int, as_of: dt.date | None, *, start: dt.date | None, end: dt.date | None) -> Decimal:
    """Share of the project's active time in `year` gone at the end of the day `as_of` (None: the whole year)."""
    day = dt.date(year, 12, 31) if as_of is None else min(as_of, dt.date(year, 12, 31))
    first, last = active_window(year, start=start, end=end)
    if day < first:
        return Decimal(0)
    if day >= last:
        return Decimal(1)
    return share(Decimal((day - first).days + 1) / Decimal((last - first).days + 1))


def life_elapsed(start: dt.date, end: dt.date, as_of: dt.date) -> Decimal | None:
    """Share of a project's life gone at as_of, in days (0 before its start, 1 after its end)."""
    if not start or not end or end <= start:
        return None
    return share(Decimal((min(max(as_of, start), end) - start).days) / Decimal((end - start).days))


# ---------------------------------------------------------------- money over time


def forecast_year_end(*, spent: Decimal, last_three: Decimal, months_in_window: int, last: dt.date | None) -> Decimal:
    """Expenditure to date + mean monthly spend of the last (up to) three months × months left in the year."""
    if last is None or months_in_window == 0:
        return spent
    return money(spent + last_three / months_in_window * (12 - last.month))


def slippage(*, allocation: Decimal, elapsed: Decimal, spent: Decimal) -> Decimal:
    """Expected (linear profile) − actual expenditure; positive means behind."""
    return money(allocation * elapsed - spent)


@dataclass
class CurvePoint:
    month: dt.date
    cumulative_usd: Decimal | None
    profile_usd: Decimal


def monthly_curve(monthly: dict[dt.date, Decimal], *, year: int, allocation: Decimal,
                  last: dt.date | None) -> list[CurvePoint]:
    """Cumulative spend per month (None after the as-of month) against the linear profile allocation × m/12."""
    points, running = [], ZERO
    for month_number in range(1, 13):
        month = dt.date(year, month_number, 1)
        running += monthly.get(month, ZERO)
        shown = running if last is not None and month <= last else None
        points.append(CurvePoint(month, money(shown) if shown is not None else None,
                                 money(allocation * month_number / 12)))
    return points


# ---------------------------------------------------------------- thresholds and "at risk"


def below_share(*, spent: Decimal, allocation: Decimal, threshold: Decimal, elapsed: Decimal = Decimal(1)) -> bool:
    """Delivery below threshold × elapsed, exactly: spent < threshold × elapsed × allocation (needs an allocation)."""
    return allocation > 0 and Decimal(spent) < Decimal(threshold) * elapsed * Decimal(allocation)


def at_risk(*, status: str, spent: Decimal, allocation: Decimal, elapsed: Decimal,
            threshold: Decimal | None) -> bool:
    """`elapsed`: the share of the project's active time in the year gone (active_elapsed); no threshold: never."""
    return (threshold is not None and status in AT_RISK_STATUSES
            and below_share(spent=spent, allocation=allocation, threshold=threshold, elapsed=elapsed))


_threshold_reader: Callable[[], Decimal | None] | None = None


def register_at_risk_threshold(reader: Callable[[], Decimal | None]) -> None:
    """Called by the alerts app (AppConfig.ready): how to read the LOW_DELIVERY rule's red threshold."""
    global _threshold_reader
    _threshold_reader = reader


def at_risk_threshold() -> Decimal | None:
    """The LOW_DELIVERY rule's red threshold (None without the rule row or its red threshold)."""
    threshold = _threshold_reader() if _threshold_reader is not None else None
    return None if threshold is None else Decimal(threshold)


# ---------------------------------------------------------------- the SQL twins
#
# Whole numbers only (cents, 0.0001 of a rate or share), so SQLite and PostgreSQL give exactly what the functions
# above give; integer division truncates towards zero on both. Operands are SQL expressions (column names or
# whole numbers); tests/delivery/test_figures.py checks each twin against its function on a grid of cases.


def nearest_sql(numerator: str, denominator: str) -> str:
    """The integer nearest to numerator ÷ denominator (denominator > 0), halves away from zero."""
    return (f"CASE WHEN {numerator} >= 0 THEN (2 * {numerator} + {denominator}) / (2 * {denominator}) "
            f"ELSE -((2 * -({numerator}) + {denominator}) / (2 * {denominator})) END")


def rate_sql(spent: str, allocation: str) -> str:
    """delivery_rate() in 0.0001 (spent and allocation in cents; allocation ≥ 0); NULL without an allocation."""
    return f"CASE WHEN {allocation} = 0 THEN NULL ELSE {nearest_sql(f'10000 * {spent}', allocation)} END"


def forecast_sql(*, spent: str, recent: str, last_month: int) -> str:
    """forecast_year_end() in cents: `recent` = spend of the last (up to) three months to `last_month` (0: none).
    Never a half cent: months left × recent ÷ months is whole or has a third."""
    if not last_month or last_month == 12:
        return spent
    return f"({spent} + {nearest_sql(f'{recent} * {12 - last_month}', str(min(3, last_month)))})"


def _day_number_sql(column: str, origin: dt.date, vendor: str) -> str:
    """Days from `origin` to the date in `column`."""
    if vendor == "postgresql":
        return f"({column} - DATE '{origin.isoformat()}')"
    if vendor == "sqlite":
        return f"CAST(julianday({column}) - julianday('{origin.isoformat()}') AS INTEGER)"
    raise NotImplementedError(f"No day arithmetic for the {vendor} database")


def active_elapsed_sql(year: int, as_of: dt.date | None, *, start: str, end: str, vendor: str) -> str:
    """active_elapsed() in 0.0001: `start` and `end` are the SQL date expressions of the project's start and
    planned end (NULL: no bound)."""
    first_day = dt.date(year, 1, 1)
    year_days = 366 if calendar.isleap(year) else 365
    day = dt.date(year, 12, 31) if as_of is None else min(as_of, dt.date(year, 12, 31))
    # Day numbers from 1 January: the as-of day t, the active window's first f and last l (SQL).
    t = (day - first_day).days
    starts, ends = _day_number_sql(start, first_day, vendor), _day_number_sql(end, first_day, vendor)
    f = f"CASE WHEN {start} IS NULL OR {starts} < 0 THEN 0 ELSE {starts} END"
    last = f"CASE WHEN {end} IS NULL OR {ends} > {year_days - 1} THEN {year_days - 1} ELSE {ends} END"
    return (f"CASE WHEN {t} < ({f}) THEN 0 WHEN {t} >= ({last}) THEN {RATE_UNITS} "
            f"ELSE {nearest_sql(f'{RATE_UNITS} * ({t} - ({f}) + 1)', f'(({last}) - ({f}) + 1)')} END")


def threshold_units(threshold: Decimal) -> int:
    """A threshold in 0.0001 (the Rule fields keep 4 decimals; Rule.clean keeps delivery thresholds ≤ 100)."""
    units = Decimal(threshold) * RATE_UNITS
    if units != units.to_integral_value() or not 0 <= units <= MAX_THRESHOLD * RATE_UNITS:
        raise ValueError(f"A delivery threshold is a number from 0 to {MAX_THRESHOLD} with at most 4 decimals, "
                         f"not {threshold}")
    return int(units)


def below_share_sql(*, spent: str, allocation: str, threshold: Decimal, elapsed_units: str) -> str:
    """below_share() in SQL (amounts in cents, elapsed in 0.0001): spent × 10⁸ < T × E × allocation, written as
    spent < ⌈T × E × allocation ÷ 10⁸⌉ with the allocation split at 10⁸, so that no product leaves 64 bits
    (T × E ≤ 10¹⁰ for a threshold up to 100; a year's allocation below 9 × 10¹⁴ US$)."""
    p = f"(CAST({threshold_units(threshold)} AS BIGINT) * ({elapsed_units}))"  # up to 10¹⁰: past 32 bits
    scale = RATE_UNITS * RATE_UNITS
    # The remainder as a − scale × (a ÷ scale): no "%", which the database drivers read as a parameter marker.
    high = f"({allocation} / {scale})"
    bound = f"({p} * {high} + ({p} * ({allocation} - {scale} * {high}) + {scale - 1}) / {scale})"
    return f"({allocation} > 0 AND {spent} < {bound})"


def at_risk_sql(*, status: str, spent: str, allocation: str, threshold: Decimal | None, elapsed_units: str) -> str:
    """at_risk() in SQL: 1 or 0."""
    if threshold is None:
        return "0"
    statuses = ", ".join(f"'{value}'" for value in AT_RISK_STATUSES)
    below = below_share_sql(spent=spent, allocation=allocation, threshold=threshold, elapsed_units=elapsed_units)
    return f"CASE WHEN {status} IN ({statuses}) AND {below} THEN 1 ELSE 0 END"
