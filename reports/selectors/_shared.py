"""Constants the report figures share: units, column kinds, sheet names."""

from decimal import Decimal

from django.utils.translation import gettext

THOUSAND = Decimal(1000)
HUNDRED = Decimal(100)
ZERO = Decimal(0)

TEXT, MONEY, PERCENT, COUNT, NUMBER = "text", "money", "percent", "count", "number"


def money_unit() -> str:
    """The unit of every money figure of a report (thousands of US dollars), in the active language."""
    return gettext("US$ '000")


def money_header(label: str) -> str:
    """A money column's header: "Expenditure (US$ '000)", the unit in the active language."""
    return gettext("%(label)s (%(unit)s)") % {"label": label, "unit": money_unit()}

# The XLSX sheet of each table: fixed English names (other tools read them), whatever the report's language.
SHEETS = {
    "by_source": "By source of funds", "by_region": "By region", "by_input": "By type of input",
    "by_field": "By field of activity", "ldc": "LDCs", "experts": "Experts",
    "experts_by_nationality": "Experts by nationality", "training": "Training",
    "delivery_by_field": "Delivery by field", "approvals": "Approvals by donor",
    "tripartite": "Tripartite involvement", "gender": "Gender marker",
    "by_theme": "By cross-cutting theme", "by_principle": "By Declaration principle", "by_convention": "By Convention",
    "by_ldc": "By LDC status of the year", "by_transition": "By countries in transition",
    "by_demand": "By demand-driven projects", "early_warnings": "Early warnings", "evaluations": "Evaluations",
}
