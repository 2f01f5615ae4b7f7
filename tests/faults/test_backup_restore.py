"""Backup and restore: a small portfolio is saved, wiped, restored, and comes back identical."""

import datetime as dt
import tarfile
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from alerts.models import Alert, AlertEvent, Rule
from core.management.commands.backup import row_counts
from delivery.models import Allocation
from partners.models import Unit
from projects.models import Project
from tests.evaluation.factories import EvaluationFactory
from tests.factories import FundingSourceFactory, ProjectFactory, UnitFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def portfolio(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    unit = UnitFactory(code="CO-DAKAR")
    officer = UserFactory(username="keeper", role="OFFICER", units=[unit])
    officer.set_password("Kept-password-2026")
    officer.save()
    source = FundingSourceFactory(code="XBTC")
    projects = [ProjectFactory(symbol=f"RAF/26/{i:02d}/USA", title=f"Projet n° {i} – é", responsible_unit=unit,
                               responsible_official=officer) for i in range(3)]
    Allocation.objects.create(project=projects[0], year=2026, funding_source=source, amount_usd=Decimal("1234.56"))
    alert = Alert.objects.create(project=projects[1], rule=Rule.objects.get(code="PAST_END"), period=2026,
                                 severity="RED", raised_on=dt.date(2026, 10, 31))
    AlertEvent.objects.create(alert=alert, kind="ACKNOWLEDGED", severity="RED", user=officer, note="seen")
    evaluation = EvaluationFactory(projects=[projects[2]])
    evaluation.report.save("report.pdf", ContentFile(b"%PDF-1.4 evaluation report"), save=True)
    return {"projects": projects, "officer": officer, "evaluation": evaluation}


def test_backup_wipe_restore_gives_the_same_portfolio(portfolio, tmp_path, settings):
    archive = tmp_path / "tcms.tar.gz"
    before = row_counts()
    call_command("backup", out=str(archive))
    with tarfile.open(archive) as tar:
        assert {"manifest.json", "data.json", f"private/{portfolio['evaluation'].report.name}"} <= set(tar.getnames())
    report_path = portfolio["evaluation"].report.path

    call_command("flush", interactive=False)
    (tmp_path / "private").rename(tmp_path / "private-lost")
    assert Project.objects.count() == 0

    call_command("restore", str(archive))
    assert row_counts() == before
    project = Project.objects.get(symbol="RAF/26/00/USA")
    assert project.title == "Projet n° 0 – é" and project.responsible_unit == Unit.objects.get(code="CO-DAKAR")
    assert project.allocations.get().amount_usd == Decimal("1234.56")
    assert project.history.count() >= 1  # the audit trail comes back too
    event = AlertEvent.objects.get()
    assert event.user.username == "keeper" and event.alert.severity == "RED"
    assert event.user.check_password("Kept-password-2026")
    with open(report_path, "rb") as handle:
        assert handle.read() == b"%PDF-1.4 evaluation report"
    # New rows get fresh keys after a restore (sequences follow the restored ids).
    assert ProjectFactory(symbol="NEW/26/01/USA").pk > max(p.pk for p in portfolio["projects"])


def test_a_backup_taken_when_files_were_public_restores_them_into_the_private_storage(portfolio, tmp_path, settings):
    archive, old_style = tmp_path / "tcms.tar.gz", tmp_path / "old.tar.gz"
    call_command("backup", out=str(archive))
    # The same archive as an earlier version wrote it: the uploaded files under media/.
    with tarfile.open(archive) as tar, tarfile.open(old_style, "w:gz") as rewritten:
        for member in tar.getmembers():
            data = tar.extractfile(member) if member.isfile() else None
            if member.name.startswith("private"):
                member.name = "media" + member.name.removeprefix("private")
            rewritten.addfile(member, data)
    name = portfolio["evaluation"].report.name
    call_command("flush", interactive=False)
    (tmp_path / "private").rename(tmp_path / "private-lost")

    call_command("restore", str(old_style))
    assert (tmp_path / "private" / name).read_bytes() == b"%PDF-1.4 evaluation report"
    assert not (tmp_path / "media" / name).exists()


def test_restore_refuses_to_overwrite_a_database_in_use(portfolio, tmp_path):
    archive = tmp_path / "tcms.tar.gz"
    call_command("backup", out=str(archive))
    ProjectFactory(symbol="LATE/26/01/USA")
    with pytest.raises(CommandError, match="--replace"):
        call_command("restore", str(archive))
    assert Project.objects.filter(symbol="LATE/26/01/USA").exists()
    call_command("restore", str(archive), replace=True)
    assert not Project.objects.filter(symbol="LATE/26/01/USA").exists()
    assert Project.objects.count() == 3


def test_backup_never_overwrites_and_restore_refuses_other_files(portfolio, tmp_path):
    archive = tmp_path / "tcms.tar.gz"
    call_command("backup", out=str(archive))
    with pytest.raises(CommandError, match="exists"):
        call_command("backup", out=str(archive))
    stranger = tmp_path / "stranger.tar.gz"
    with tarfile.open(stranger, "w:gz") as tar:
        tar.add(__file__, arcname="data.json")
    with pytest.raises(CommandError, match="not a TCMS backup"):
        call_command("restore", str(stranger), replace=True)
    assert Project.objects.count() == 3
