"""Constants the report figures share: units, column kinds, sheet names."""

from decimal import Decimal

THOUSAND = Decimal(1000)
HUNDRED = Decimal(100)
ZERO = Decimal(0)

TEXT, MONEY, PERCENT, COUNT, NUMBER = "text", "money", "percent", "count", "number"

# The XLSX sheet of each table: fixed English names (other tools read them), whatever the report's language.
SHEETS = {
    "by_source": "By source of funds", "by_region": "By region", "by_input": "By type of input",
    "by_field": "By field of activity", "ldc": "LDCs", "experts": "Experts",
    "experts_by_nationality": "Experts by nationality", "training": "Training",
    "delivery_by_field": "Delivery by field", "approvals": "Approvals by donor",
    "tripartite": "Tripartite involvement", "gender": "Gender marker",
    "by_theme": "By cross-cutting theme", "by_principle": "By Declaration principle", "by_convention": "By Convention",
    "by_ldc": "By LDC status of the year", "by_transition": "By countries in transition",
    "early_warnings": "Early warnings", "evaluations": "Evaluations",
}
