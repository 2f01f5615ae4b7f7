"""The figures an alert keeps (Alert.detail, written by alerts/conditions.py) as people read them: each key's label
and how its value reads (core/formats.py). The API keeps the raw keys and values."""

from django.utils.translation import gettext_lazy as _

from core import formats
from projects.models import ConstituentGroup, InvolvementStage

MONEY, RATE, DATE, MONTH, COUNT, YES_NO, TEXT, CELLS = (
    "money", "rate", "date", "month", "count", "yes_no", "text", "cells")

# key → (label, kind), in the order the page lists them.
FIGURES = {
    "year": (_("Year"), TEXT),
    "planned_end": (_("Planned end"), DATE),
    "days_past_end": (_("Days past the planned end"), COUNT),
    "allocation_usd": (_("Allocation (US$)"), MONEY),
    "expenditure_usd": (_("Expenditure (US$)"), MONEY),
    "delivery_rate": (_("Delivery rate"), RATE),
    "elapsed": (_("Share of the active time of the year elapsed"), RATE),
    "life_delivery_rate": (_("Life-of-project delivery"), RATE),
    "allocation_year_usd": (_("Allocation of the year (US$)"), MONEY),
    "expenditure_year_usd": (_("Expenditure of the year (US$)"), MONEY),
    "allocation_total_usd": (_("Total allocation (US$)"), MONEY),
    "expenditure_to_date_usd": (_("Expenditure to date (US$)"), MONEY),
    "over_year": (_("Above the allocation of the year"), YES_NO),
    "over_total": (_("Above the total allocation"), YES_NO),
    "last_expenditure_period": (_("Last month with expenditure"), MONTH),
    "as_of_period": (_("As of (month)"), MONTH),
    "reports_overdue": (_("Progress reports overdue"), COUNT),
    "oldest_due": (_("Oldest due date"), DATE),
    "oldest_period_end": (_("End of the oldest period reported on"), DATE),
    "days_overdue": (_("Days overdue"), COUNT),
    "count": (_("Gaps"), COUNT),
    "gaps": (_("Contemplated involvement not realised"), CELLS),
    "disputed": (_("Cells disputed with a constituent"), CELLS),
    "countries": (_("Countries whose government has not agreed"), CELLS),  # ISO3 codes, "; "-joined
    "detail": (_("Details"), TEXT),
}


def _cell(code: str) -> str:
    """A tripartite cell as "STAGE/GROUP" (TRIPARTITE_GAP, TRIPARTITE_DISPUTED) → "Formulation × Workers"."""
    stage, _slash, group = str(code).partition("/")
    if stage in InvolvementStage.values and group in ConstituentGroup.values:
        return f"{InvolvementStage(stage).label} × {ConstituentGroup(group).label}"
    return str(code)


def _value(kind: str, value) -> str:
    if value is None or value == "":
        return formats.EMPTY
    if kind == MONEY:
        return formats.money(value)
    if kind == RATE:
        return formats.percent(value)
    if kind == DATE:
        return formats.date(value)
    if kind == MONTH:
        return formats.month(value)
    if kind == COUNT:
        return formats.number(value)
    if kind == YES_NO:
        return formats.yes_no(value)
    if kind == CELLS:
        return "; ".join(_cell(item) for item in (value if isinstance(value, list) else [value]))
    return str(value)


def alert_figures(detail: dict) -> list[tuple[str, str]]:
    """(label, text) of each figure of an alert: the known ones in FIGURES' order, then any other."""
    detail = detail if isinstance(detail, dict) else {"detail": detail}
    known = [(str(label), _value(kind, detail[key])) for key, (label, kind) in FIGURES.items() if key in detail]
    other = [(key.replace("_", " ").capitalize(), _value(TEXT, value)) for key, value in detail.items()
             if key not in FIGURES]
    return known + other
