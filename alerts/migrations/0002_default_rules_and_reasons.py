"""The default early-warning rules (administrators change them later) and slippage reasons."""

from decimal import Decimal

from django.db import migrations

RULES = [
    ("LOW_DELIVERY", "Low delivery for the time of year", Decimal("0.75"), Decimal("0.50"),
     {"from_month": 4, "from_day": 1},
     "Ongoing project with an allocation for the as-of year, on or after day {from_day} of month {from_month} "
     "(1 April): delivery for the year (expenditure of the year's periods up to the as-of month ÷ the year's "
     "allocations) below {amber} × the share of the calendar year elapsed → amber; below {red} × elapsed → red."),
    ("ENDING_UNSPENT", "Ending soon with unspent funds", Decimal("0.70"), Decimal("0.50"),
     {"window_days": 183},
     "Ongoing project whose planned end falls within the next {window_days} days: life-of-project delivery "
     "(expenditure to date ÷ all allocations) below {amber} → amber; below {red} → red."),
    ("NO_EXPENDITURE", "No expenditure recorded", Decimal("3"), Decimal("6"),
     {"min_started_days": 90},
     "Ongoing project that started at least {min_started_days} days before the as-of date: no expenditure in "
     "the last {amber} periods (months) up to the as-of month → amber; none in the last {red} → red."),
    ("OVERSPENT", "Expenditure above allocation", None, Decimal("1"), {},
     "Approved, ongoing, suspended or operationally closed project: expenditure for the year above {red} × "
     "the year's allocations, or expenditure to date above {red} × all allocations → red."),
    ("PAST_END", "Past its end date but not closed", Decimal("0"), Decimal("90"), {},
     "Status ongoing and the planned end more than {amber} days before the as-of date → amber; more than "
     "{red} days before → red."),
    ("EVALUATION_OVERDUE", "Evaluation overdue or not planned", None, None, {},
     "Approved, ongoing, suspended or operationally closed project missing an evaluation its budget requires "
     "(required-evaluation rules) → amber, red once its proposed date has passed; or a planned evaluation whose "
     "date has passed without completion → amber, red when more than 90 days late. Computed by the evaluation "
     "register (evaluation_gaps); the thresholds are the evaluation rules'."),
    ("INDICATORS_BEHIND", "Indicators behind schedule", None, None, {},
     "Approved, ongoing or suspended project with an indicator off track: progress toward the target of its "
     "current period below 0.8 × the share of the period's time elapsed → amber; progress below half of "
     "the time elapsed → red. Computed by the results register (indicators_behind)."),
    ("TRIPARTITE_GAP", "Contemplated tripartite involvement not realised", Decimal("1"), Decimal("3"),
     {"grace_days": 90},
     "Ongoing project that is not an autonomous (workers' or employers') programme: involvement of a "
     "constituent group contemplated for a stage that passed more than {grace_days} days ago but not realised. "
     "Formulation and approval pass at the start, implementation, management and monitoring at mid-life, "
     "evaluation at the planned end. At least {amber} such stage × group → amber; at least {red} → red."),
    ("REPORT_OVERDUE", "Progress report overdue", Decimal("0"), Decimal("60"), {},
     "Approved, ongoing, suspended or operationally closed project with a progress report due and not "
     "submitted: more than {amber} days past its due date → amber; more than {red} days → red."),
]

REASONS = [
    ("RECRUITMENT", "Recruitment delays"),
    ("COUNTERPART", "Counterpart delays"),
    ("PROCUREMENT", "Procurement"),
    ("SECURITY", "Security situation"),
    ("DONOR_FUNDING", "Donor funding delay"),
    ("DESIGN", "Design problems"),
    ("OTHER", "Other"),
]


def seed(apps, schema_editor):
    Rule = apps.get_model("alerts", "Rule")
    SlippageReason = apps.get_model("alerts", "SlippageReason")
    for code, name, amber, red, params, description in RULES:
        Rule.objects.update_or_create(code=code, defaults={
            "name": name, "amber_threshold": amber, "red_threshold": red, "params": params,
            "description": description, "enabled": True})
    for order, (code, label) in enumerate(REASONS, start=1):
        SlippageReason.objects.update_or_create(code=code, defaults={"label": label, "sort_order": order})


def unseed(apps, schema_editor):
    apps.get_model("alerts", "Rule").objects.filter(code__in=[r[0] for r in RULES], alerts__isnull=True).delete()
    apps.get_model("alerts", "SlippageReason").objects.filter(
        code__in=[r[0] for r in REASONS], alerts__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("alerts", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
