"""The financial imports (allocations, expenditure, exchange rates, approvals) as kinds of the shared import workflow
(tcms/imports.py)."""

from core.imports import ImportKind, ImportOutcome
from delivery.models import ImportKind as FinancialKind


def _runner(kind: str):
    def run(data: bytes, filename: str, user, dry_run: bool, progress) -> ImportOutcome:
        from delivery.services import financial_import

        result = financial_import(kind=kind, source=data, filename=filename, user=user, dry_run=dry_run,
                                  progress=progress)
        return ImportOutcome(ok=result.ok, rows_total=result.rows_total,
                             errors=[error.as_dict() for error in result.errors],
                             counts={"create": result.created, "update": result.updated,
                                     "unchanged": result.unchanged})

    return run


FINANCIAL_IMPORTS = [
    ImportKind(name=kind.value, label=kind.label, permission="delivery.import_financials",
               upload_url="delivery:import", run=_runner(kind.value), done_url="delivery:dashboard")
    for kind in (FinancialKind.ALLOCATIONS, FinancialKind.EXPENDITURE, FinancialKind.RATES, FinancialKind.APPROVALS)
]
