"""The financial imports (allocations, expenditure, exchange rates, approvals) as kinds of the shared import workflow
(tcms/imports.py)."""

from django.utils.translation import gettext_lazy

from core.imports import ImportKind, ImportOutcome
from delivery.models import ImportKind as FinancialKind

# What the preview's per-row "key" column shows of each kind (the key columns of its file).
PLAN_KEY_LABELS = {
    FinancialKind.ALLOCATIONS: gettext_lazy("Project, year, source of funds"),
    FinancialKind.EXPENDITURE: gettext_lazy("Project, period, type of input, currency, source of funds"),
    FinancialKind.RATES: gettext_lazy("Currency, period"),
    FinancialKind.APPROVALS: gettext_lazy("Project, donor, date"),
}


def _runner(kind: str):
    def run(source, filename: str, user, dry_run: bool, progress) -> ImportOutcome:
        from delivery.services import financial_import

        result = financial_import(kind=kind, source=source, filename=filename, user=user, dry_run=dry_run,
                                  progress=progress)
        return ImportOutcome(ok=result.ok, rows_total=result.rows_total,
                             errors=[error.as_dict() for error in result.errors],
                             counts={"create": result.created, "update": result.updated,
                                     "unchanged": result.unchanged},
                             plan=result.plans, plan_total=result.plans_total)

    return run


FINANCIAL_IMPORTS = [
    ImportKind(name=kind.value, label=kind.label, permission="delivery.import_financials",
               upload_url="delivery:import", run=_runner(kind.value), done_url="delivery:dashboard",
               plan_key_label=PLAN_KEY_LABELS[kind])
    for kind in (FinancialKind.ALLOCATIONS, FinancialKind.EXPENDITURE, FinancialKind.RATES, FinancialKind.APPROVALS)
]
