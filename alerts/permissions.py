"""Who may handle early warnings: officers, managers and administrators acknowledge, explain and resolve alerts
(of the projects they may edit: alerts/services.py asks); administrators edit the rules and run the jobs."""

import rules

from accounts.permissions import is_administrator, is_manager, is_officer

MANAGE_ALERTS = "alerts.manage_alerts"

rules.add_perm(MANAGE_ALERTS, is_administrator | is_officer | is_manager)
