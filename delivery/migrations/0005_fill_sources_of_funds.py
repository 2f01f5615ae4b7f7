"""An expenditure line carries its source of funds (part of its key); existing lines get their project's main
source. The rollups by source of funds (month and year) are created and filled from the lines and allocations."""

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db import migrations
from django.db.models import OuterRef, Subquery, Sum

BATCH = 5000


def _cents(amount) -> int:
    value = Decimal(repr(amount)) if isinstance(amount, float) else Decimal(amount or 0)
    return int(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) * 100)


def lines_get_their_project_source(apps, schema_editor):
    Expenditure = apps.get_model("delivery", "Expenditure")
    Project = apps.get_model("projects", "Project")
    Expenditure.objects.filter(funding_source__isnull=True).update(funding_source=Subquery(
        Project.objects.filter(pk=OuterRef("project_id")).values("funding_source_id")[:1]))


def fill_source_rollups(apps, schema_editor):
    """What delivery.services.rebuild_year_delivery computes, for the rollups by source of funds."""
    Expenditure = apps.get_model("delivery", "Expenditure")
    Allocation = apps.get_model("delivery", "Allocation")
    SourceMonthSpend = apps.get_model("delivery", "SourceMonthSpend")
    SourceYearDelivery = apps.get_model("delivery", "SourceYearDelivery")
    months = defaultdict(dict)  # (project, year, source) → {month: US$}
    batch = []
    for row in (Expenditure.objects.order_by().values("project_id", "period", "funding_source_id")
                .annotate(total=Sum("amount_usd")).iterator(chunk_size=BATCH)):
        months[(row["project_id"], row["period"].year, row["funding_source_id"])][row["period"].month] = row["total"]
        batch.append(SourceMonthSpend(project_id=row["project_id"], period=row["period"],
                                      funding_source_id=row["funding_source_id"], amount_usd=row["total"]))
        if len(batch) >= BATCH:
            SourceMonthSpend.objects.bulk_create(batch)
            batch = []
    SourceMonthSpend.objects.bulk_create(batch)
    allocations = {(row["project_id"], row["year"], row["funding_source_id"]): row["total"] for row in (
        Allocation.objects.order_by().values("project_id", "year", "funding_source_id")
        .annotate(total=Sum("amount_usd")))}
    rows = []
    for key in sorted(set(months) | set(allocations)):
        project_id, year, source_id = key
        spend = months.get(key, {})
        row = SourceYearDelivery(project_id=project_id, year=year, funding_source_id=source_id,
                                 allocation_cents=_cents(allocations.get(key)), has_allocation=key in allocations,
                                 first_spend_month=min(spend) if spend else None)
        running = 0
        for month in range(1, 13):
            running += _cents(spend.get(month))
            setattr(row, f"spent_cents_to_m{month:02d}", running)
        rows.append(row)
    SourceYearDelivery.objects.bulk_create(rows, batch_size=BATCH)


class Migration(migrations.Migration):

    dependencies = [
        ("delivery", "0004_expenditure_source_of_funds"),
    ]

    operations = [
        migrations.RunPython(lines_get_their_project_source, migrations.RunPython.noop),
        migrations.RunPython(fill_source_rollups, migrations.RunPython.noop),
    ]
