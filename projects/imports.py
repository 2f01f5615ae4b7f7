"""The imports of the project register and of projects' experts, training and progress reports as kinds of the
shared import workflow (tcms/imports.py)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.imports import ImportKind, ImportOutcome
from core.tabular import excerpt


def run_project_import(source, filename: str, user, dry_run: bool, progress) -> ImportOutcome:
    from projects.services import project_import

    result = project_import(source=source, filename=filename, user=user, dry_run=dry_run, progress=progress)
    notes = []
    if result.ok and result.donors_created:
        donors = ", ".join(excerpt(donor) for donor in result.donors_created)
        notes.append((_("New donor organisations: %(donors)s.") if dry_run
                      else _("Donor organisations created: %(donors)s.")) % {"donors": donors})
    return ImportOutcome(
        ok=result.ok, rows_total=result.rows_total, errors=[error.as_dict() for error in result.errors],
        counts={"create": result.count_create, "update": result.count_update, "unchanged": result.count_unchanged},
        plan=[{"row": plan.row, "key": plan.symbol, "action": plan.action, "changes": plan.changes}
              for plan in result.plans],
        notes=notes)


PROJECTS = ImportKind(name="projects", label=gettext_lazy("Projects"), permission="projects.import_projects",
                      upload_url="projects:import", run=run_project_import, done_url="projects:list",
                      plan_key_label=gettext_lazy("Symbol"))


def _record_runner(kind: str):
    def run(source, filename: str, user, dry_run: bool, progress) -> ImportOutcome:
        from projects.services import record_import

        result = record_import(kind=kind, source=source, filename=filename, user=user, dry_run=dry_run,
                               progress=progress)
        return ImportOutcome(ok=result.ok, rows_total=result.rows_total,
                             errors=[error.as_dict() for error in result.errors],
                             counts={"create": result.created, "update": result.updated,
                                     "unchanged": result.unchanged})

    return run


RECORD_KIND_LABELS = {"experts": gettext_lazy("Experts"), "training": gettext_lazy("Training activities"),
                      "progress_reports": gettext_lazy("Progress reports")}
RECORD_IMPORTS = [
    ImportKind(name=name, label=label, permission="projects.import_projects", upload_url="projects:records_import",
               run=_record_runner(name), done_url="projects:list")
    for name, label in RECORD_KIND_LABELS.items()
]
