"""Who may export the Governing Body reports: the secretariat, managers, evaluation officers and administrators."""

import rules

from accounts.permissions import is_administrator, is_evaluation_officer, is_manager, is_secretariat

EXPORT_REPORTS = "reports.export_reports"

rules.add_perm(EXPORT_REPORTS, is_administrator | is_secretariat | is_manager | is_evaluation_officer)
