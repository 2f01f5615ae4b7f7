"""The project register import submitted several times at once: one result, as if run one after the other.

Never duplicate projects or donors, never a crash, never a lost update.
"""

import csv
import io
import threading

import pytest
from django.db import connection, connections, transaction

from partners.models import Organisation
from projects.models import DateRevision, Project, ProjectImport
from projects.services import load_reference, project_import

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NEW_DONOR = "Ruritanian Development Agency"


def _row(number: int, **changes) -> dict:
    row = {"symbol": f"KEN/00/{number:02d}/NOR", "title": f"Skills for youth employment {number}", "status": "ONGOING",
           "start_date": "2000-03-01", "end_date": "2001-12-31", "strategic_objective": "2",
           "infocus_programme": "SKILLS", "region": "AFRICA", "countries": "KEN", "funding_source": "XBTC",
           "donor": NEW_DONOR, "responsible_unit": "RO-AFRICA", "gender_marker": "1"}
    row.update(changes)
    return row


def _csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def _submit_together(payloads: list[tuple[str, bytes]]) -> list:
    barrier = threading.Barrier(len(payloads))
    outcomes: list = [None] * len(payloads)

    def submit(index, filename, payload):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = project_import(source=payload, filename=filename)
        except Exception as exc:  # the assertion below reports it
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(i, name, payload)) for i, (name, payload) in enumerate(payloads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "an import is stuck"
    crashes = [o for o in outcomes if isinstance(o, Exception)]
    assert not crashes, f"{connection.vendor}: {crashes!r}"
    assert all(o.ok for o in outcomes), [o.errors for o in outcomes]
    return outcomes


def _register_state() -> dict:
    """What the imports leave behind, without ids or timestamps, so two databases' states can be compared."""
    projects = {
        p.symbol: (p.title, p.status, p.planned_start, p.planned_end, p.gender_marker, p.donor.name, p.version,
                   tuple(sorted(c.iso3 for c in p.countries.all())), p.history.count(),
                   tuple(sorted(DateRevision.objects.filter(project=p).values_list("field", "old_value", "new_value"))))
        for p in Project.objects.select_related("donor").prefetch_related("countries")
    }
    imports = list(ProjectImport.objects.order_by("id").values_list(
        "file_name", "rows_total", "rows_created", "rows_updated", "rows_unchanged", "donors_created"))
    donors = sorted(Organisation.objects.filter(name__in=[NEW_DONOR]).values_list("name", flat=True))
    return {"projects": projects, "imports": imports, "donors": donors}


def _state_after_serial(payloads: list[tuple[str, bytes]]) -> dict:
    with transaction.atomic():
        for name, payload in payloads:
            assert project_import(source=payload, filename=name).ok
        state = _register_state()
        transaction.set_rollback(True)
    return state


def test_same_project_file_submitted_four_times_at_once():
    load_reference()
    submissions = [("register.csv", _csv([_row(n) for n in range(1, 13)]))] * 4
    one_after_another = _state_after_serial(submissions)
    outcomes = _submit_together(submissions)
    creating = [o for o in outcomes if o.count_create]
    assert len(creating) == 1 and creating[0].count_create == 12
    assert creating[0].donors_created == [NEW_DONOR]
    for later in outcomes:
        if later is not creating[0]:
            assert later.count_unchanged == 12 and later.donors_created == []
    assert Project.objects.count() == 12
    assert Organisation.objects.filter(name=NEW_DONOR).count() == 1
    assert sorted(ProjectImport.objects.values_list("rows_created", "rows_unchanged")) == [(0, 12)] * 3 + [(12, 0)]
    # Later submissions saved nothing: no project went past version 1 and the history holds the creations only.
    assert set(Project.objects.values_list("version", flat=True)) == {1}
    assert _register_state() == one_after_another


def test_two_files_touching_the_same_projects_end_as_one_serial_order():
    load_reference()
    assert project_import(source=_csv([_row(n) for n in range(1, 7)]), filename="initial.csv").ok
    # Both files update projects 1-6 and create 7-10, each with its own titles, end dates, markers and countries.
    first = ("first.csv", _csv([_row(n, title=f"First version {n}", end_date="2002-06-30", gender_marker="2")
                                for n in range(1, 11)]))
    second = ("second.csv", _csv([_row(n, title=f"Second version {n}", end_date="2003-06-30", countries="KEN; SEN")
                                  for n in range(1, 11)]))
    first_then_second = _state_after_serial([first, second])
    second_then_first = _state_after_serial([second, first])
    assert first_then_second != second_then_first

    _submit_together([first, second])

    final = _register_state()
    assert final in (first_then_second, second_then_first), final
