"""Writes: every change to the programme framework and the project register goes through a function here, one
module per job: the reference data (reference.py), a project's life (lifecycle.py: create, update, status, dates),
its records (records.py: partners, tripartite cells, experts, training, progress reports), a cell confirmed by
its constituent group (involvement.py: report, confirm, answer), constituents' requests for assistance
(requests.py) and governments' agreements to autonomy (autonomy.py), the import of the
register (importing.py) and of experts, training and progress reports (records_import.py).

Every function is atomic, validates with the models' full_clean (errors keyed by field name) and records who
changed what through django-simple-history.

Who may: each write first asks the permissions (accounts.permissions.require with projects/permissions.py's rules),
as the pages do, about the project as stored before the change; an import asks about every row's project at once
and refuses the whole file, naming the rows. `user=None` is a system actor (a management command run by an
operator, demo or benchmark seeding, a Celery task) and is allowed; pages and the API always pass the acting user.
"""

from core.locks import StaleVersionError  # what a write on a stale version raises
from projects.services._shared import (
    DATE_FIELDS,
    FIXTURES_DIR,
    PROJECT_EDITABLE_FIELDS,
    PROJECT_M2M_FIELDS,
)
from projects.services.autonomy import autonomy_agreement_record
from projects.services.importing import (
    FIELD_COLUMN,
    IMPORT_COLUMNS,
    IMPORT_COMPARED_FIELDS,
    IMPORT_OPTIONAL_COLUMNS,
    PROJECT_RECORD_MODELS,
    ImportRowPlan,
    ProjectImportResult,
    biennium_for_year,
    import_template_csv,
    project_import,
    project_record_remove,
    project_record_update,
)
from projects.services.involvement import (
    involvement_answer,
    involvement_confirm,
    involvement_report,
)
from projects.services.lifecycle import (
    HISTORY_COMPARED_FIELDS,
    project_change_status,
    project_create,
    project_delete,
    project_revise_date,
    project_update,
    status_change_error,
    version_changes,
)
from projects.services.records import (
    TRIPARTITE_FIELDS,
    expert_create,
    partner_add,
    partner_remove,
    progress_report_create,
    training_create,
    tripartite_set,
)
from projects.services.records_import import (
    RECORD_LAYOUTS,
    RecordImportResult,
    record_import,
    record_template_rows,
)
from projects.services.reference import (
    ReferenceSummary,
    load_reference,
)
from projects.services.requests import (
    request_decide,
    request_link_project,
    request_review,
    request_submit,
)

__all__ = [
    "StaleVersionError",
    "DATE_FIELDS",
    "FIELD_COLUMN",
    "FIXTURES_DIR",
    "HISTORY_COMPARED_FIELDS",
    "IMPORT_COLUMNS",
    "IMPORT_COMPARED_FIELDS",
    "IMPORT_OPTIONAL_COLUMNS",
    "ImportRowPlan",
    "PROJECT_EDITABLE_FIELDS",
    "PROJECT_M2M_FIELDS",
    "PROJECT_RECORD_MODELS",
    "RECORD_LAYOUTS",
    "RecordImportResult",
    "ProjectImportResult",
    "ReferenceSummary",
    "TRIPARTITE_FIELDS",
    "biennium_for_year",
    "expert_create",
    "import_template_csv",
    "autonomy_agreement_record",
    "involvement_answer",
    "involvement_confirm",
    "involvement_report",
    "request_decide",
    "request_link_project",
    "request_review",
    "request_submit",
    "load_reference",
    "partner_add",
    "partner_remove",
    "progress_report_create",
    "project_change_status",
    "project_create",
    "project_delete",
    "project_import",
    "project_record_remove",
    "project_record_update",
    "project_revise_date",
    "project_update",
    "record_import",
    "record_template_rows",
    "status_change_error",
    "training_create",
    "tripartite_set",
    "version_changes",
]
