"""Who may read and manage evaluations: everyone signed in reads them (the page and the report file); evaluation
officers and administrators plan them and record findings, recommendations, responses and lessons."""

import rules

from accounts.permissions import is_administrator, is_evaluation_officer, is_signed_in

VIEW_EVALUATION, MANAGE_EVALUATIONS = "evaluation.view_evaluation", "evaluation.manage_evaluations"

rules.add_perm(VIEW_EVALUATION, is_signed_in)
rules.add_perm(MANAGE_EVALUATIONS, is_administrator | is_evaluation_officer)
