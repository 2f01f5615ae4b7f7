"""The Governing Body reports' figures, one module per job: periods (periods.py), the tables and how each is
computed (tables.py), the reports assembled from them (gb_reports.py), which data a report was made from
(checksum.py). The builders (PDF, DOCX, XLSX, CSV), the task and the command only lay them out.

Figures and conventions (the Conference conclusions, para 43 and 53):
- Money is in US$ thousands, kept as unrounded Decimal (cents ÷ 1000); percentages are kept as unrounded Decimal
  percent values (45.5 means 45.5 %); rounding happens only when a builder shows them (PDF, DOCX).
- A report covers a *period* of whole months: the calendar year for the annual report, any range for the mid-term
  report. It is compared with the period before of the same length (the year before). With an `as_of` date, data
  count up to the month of as_of (expenditure is monthly) and the previous period is cut at the same point
  (as_of moved back by the period's length), so "to October" is compared with "to October of the year before".
- Expenditure and allocations come from delivery.selectors.delivery_by, so every figure equals what the delivery
  dashboard and `delivery_table` show for the same year and as-of date. A period spanning several years sums
  delivery_by year by year; a period starting after January subtracts the months before its start. Allocations
  are annual: each year the period touches counts with its whole allocation.
- A project is attributed to its own classification: its region (a multi-country project counts once, in its
  region), its source of funds, its strategic objective and primary InFocus programme, its gender marker.
  Field-of-activity and gender tables sum delivery_by("project") rows by those attributes, so they add up to
  the same totals as the one-dimension tables.
- Least developed countries: a project's expenditure is split evenly among its countries; the shares of the
  countries that were LDCs in the year (Country.was_ldc_in(year): current LDCs, and graduated ones before
  their graduation) count, in the LDC's own region. Regional and interregional projects with no country count
  nothing. For the previous period, LDC status of the previous year applies.
- Experts: assignments of the years of the period, by the region of their project, and by the expert's
  nationality × the region of the project; national = the expert's nationality is one of the project's
  countries (projects.models.expert_is_national), international otherwise. Training: activities starting in
  the period. Approvals: approved in the period.
- Tripartite involvement: the cells of the projects of the period's portfolio (projects with an allocation or
  spend in a year of the period), autonomous projects excluded (para 51(6)); "realised" = contemplated and
  happened by the end of the period (or as_of); "confirmed by the constituent" = happened and confirmed
  (projects.models.Confirmation.CONFIRMED: the constituent and the Office agree).
- Early warnings: alerts of the period's years raised in the period; evaluations: completed in the period.
- data_checksum: SHA-256 over the parameters and counts and sums of every table the report reads, up to the
  period's end; the same parameters on the same data give the same figures and the same checksum.
"""

from reports.selectors._shared import (
    COUNT,
    HUNDRED,
    MONEY,
    NUMBER,
    PERCENT,
    SHEETS,
    TEXT,
    THOUSAND,
    ZERO,
    money_header,
    money_unit,
)
from reports.selectors.checksum import (
    data_checksum,
)
from reports.selectors.gb_reports import (
    annual_report,
    midterm_report,
    period_report,
    plan_report,
    plan_timetable,
)
from reports.selectors.periods import (
    Period,
)
from reports.selectors.tables import (
    LESSONS_SHOWN,
    ORDERED_BY,
    Column,
    GbReport,
    LessonItem,
    ReportTable,
    change,
    period_delivery_by,
    share,
    thousands,
)

__all__ = [
    "COUNT",
    "Column",
    "GbReport",
    "HUNDRED",
    "LESSONS_SHOWN",
    "LessonItem",
    "MONEY",
    "money_header",
    "money_unit",
    "NUMBER",
    "ORDERED_BY",
    "PERCENT",
    "Period",
    "ReportTable",
    "SHEETS",
    "TEXT",
    "THOUSAND",
    "ZERO",
    "annual_report",
    "change",
    "data_checksum",
    "midterm_report",
    "period_delivery_by",
    "period_report",
    "plan_report",
    "plan_timetable",
    "share",
    "thousands",
]
