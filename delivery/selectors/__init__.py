"""Delivery reads: the figures of delivery/figures.py applied to the rollups; the dashboard, `delivery_table`, the
API, the reports, a project's delivery tab, early warning, evaluation budgets and IATI read through these.

Definitions (the formulas are in delivery/figures.py):
- allocation of a year = Σ Allocation.amount_usd of that year (all sources of funds);
- expenditure of a year as of a date = Σ of the US$ spend of the year's months up to the month of `as_of`
  (the whole month counts); `as_of=None` means the whole year;
- delivery rate = expenditure ÷ allocation, Σ ÷ Σ for a group; time elapsed, forecast, slippage and "at risk"
  as figures.py defines them.

Figures of a year are read from the ProjectYearDelivery rollup (one row per project and year: the allocation and
the running spend from January to each month, in cents), never from the raw lines, so reads do not grow with the
number of lines or months; the dashboard does all its sums, sorting and paging in SQL and materialises only the
table page it shows. A project's own panel and the per-project readers of other apps read ProjectMonthSpend (one
row per month). The one exception is the `input_type` dimension: no rollup keeps the type of input, so it sums
Expenditure. Allocations are not split by type of input: on `input_type` rows the allocation shown is the whole
allocation of the selected projects, so each row's rate is that input's share of delivery and the rows' rates add
up to the total rate.

Groups follow the project's classification, except `funding_source` and `budget_type`, which follow the money:
each allocation and expenditure line counts under its own source of funds (and that source's budget type), from
the rollups by source (SourceMonthSpend, SourceYearDelivery); a project funded from two sources counts in both.
Otherwise `donor` is the project's main donor (the donor *filter* is broader: the projects funded by the
organisation, projects.selectors.funded_by), `unit` its responsible unit (the `unit` filter
includes the units below the one chosen; grouping by unit does not merge them), `country` each of its countries
(a multi-country project counts in each, so country rows can add up to more than the total), and likewise
`theme`, `principle` and `convention` each of its cross-cutting themes, Declaration principles and Conventions
(OVERLAPPING_DIMENSIONS: a project with none counts under "(none)"; their TOTAL, delivery_total, is the portfolio
counted once). `ldc` splits the projects in a country that was a least developed country in the year of the
figures from the others, `in_transition` those in a country in transition (projects.selectors.in_ldc and
in_transition_country, the same conditions as the filters); `crisis_response` and `enterprise_promotion` follow
the project's flags.

Modules: by_dimension (delivery_by, rollup_sums, total_row, delivery_total, the filters), dashboard (its SQL and
table), panels
(one project), revisions (a project's allocations and their revisions), rollups (which months count; per-project
money for other apps).
"""

from delivery.figures import (
    CurvePoint,
    delivery_rate,
    forecast_year_end,
    life_elapsed,
    monthly_curve,
    year_elapsed,
)
from delivery.selectors.by_dimension import (
    DIMENSION_LABELS,
    DIMENSIONS,
    FILTER_LOOKUPS,
    OVERLAPPING_DIMENSIONS,
    DeliveryRow,
    delivery_by,
    delivery_total,
    overlap_note,
    project_filter,
    total_row,
)
from delivery.selectors.dashboard import (
    CODE_POINT_COLLATION,
    DASHBOARD_GROUPS,
    SORT_KEYS,
    Dashboard,
    ProjectFigures,
    ProjectTable,
    default_period,
    delivery_dashboard,
)
from delivery.selectors.panels import (
    ProjectDelivery,
    ProjectYear,
    SourceMoney,
    project_approvals,
    project_delivery,
    project_slippage,
    year_delivery_rate,
)
from delivery.selectors.revisions import allocation_revisions
from delivery.selectors.rollups import (
    ProjectMoney,
    budget_subquery,
    last_spend_months,
    monthly_spend_by_source,
    portfolio_money,
    project_budget_usd,
    projects_with_delivery,
)

__all__ = [
    "CODE_POINT_COLLATION", "DASHBOARD_GROUPS", "DIMENSION_LABELS", "DIMENSIONS", "FILTER_LOOKUPS",
    "OVERLAPPING_DIMENSIONS", "SORT_KEYS",
    "CurvePoint", "Dashboard", "DeliveryRow", "ProjectDelivery", "ProjectFigures", "ProjectMoney", "ProjectTable",
    "ProjectYear", "SourceMoney", "allocation_revisions", "budget_subquery", "default_period", "delivery_by",
    "delivery_dashboard",
    "delivery_rate", "delivery_total", "forecast_year_end", "last_spend_months", "life_elapsed", "monthly_curve",
    "monthly_spend_by_source", "overlap_note", "portfolio_money",
    "project_approvals", "project_budget_usd", "project_delivery", "year_delivery_rate", "projects_with_delivery",
    "project_filter",
    "project_slippage", "total_row", "year_elapsed",
]
