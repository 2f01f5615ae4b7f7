"""Who may bring money in: financial imports follow the project's edit rule row by row (projects/permissions.py);
exchange rates are reference data (the UN operational rates), set by administrators."""

import rules
from django.utils.translation import gettext as _

from accounts.permissions import is_administrator, is_manager, is_officer, register_refusal

IMPORT_FINANCIALS, MANAGE_EXCHANGE_RATES = "delivery.import_financials", "delivery.manage_exchange_rates"

rules.add_perm(IMPORT_FINANCIALS, is_administrator | is_officer | is_manager)
rules.add_perm(MANAGE_EXCHANGE_RATES, is_administrator)

register_refusal(IMPORT_FINANCIALS, lambda _obj: _("You may not import financial data."))
register_refusal(MANAGE_EXCHANGE_RATES, lambda _obj: _("Only administrators change exchange rates."))
