"""LOW_DELIVERY compares delivery with the share of the project's active time in the year elapsed, and PAST_END
fires for every project not yet closed (issue 16 point 6): their descriptions say so. A description an
administrator has edited is left as it is."""

from django.db import migrations

OLD = {
    "LOW_DELIVERY":
        "Ongoing project with an allocation for the as-of year, on or after day {from_day} of month {from_month} "
        "(1 April): delivery for the year (expenditure of the year's periods up to the as-of month ÷ the year's "
        "allocations) below {amber} × the share of the calendar year elapsed → amber; below {red} × elapsed → red.",
    "PAST_END":
        "Status ongoing and the planned end more than {amber} days before the as-of date → amber; more than "
        "{red} days before → red.",
}
NEW = {
    "LOW_DELIVERY":
        "Ongoing project with an allocation for the as-of year, on or after day {from_day} of month {from_month} "
        "(1 April): delivery for the year (expenditure of the year's periods up to the as-of month ÷ the year's "
        "allocations) below {amber} × the share of the project's active time in the year elapsed → amber; below "
        "{red} × that share → red. The active time in the year runs from the later of 1 January and the actual "
        "(else planned) start to the earlier of 31 December and the planned end; once it is over, all of it has "
        "elapsed. Below {red} is also what the delivery dashboard counts as \"at risk\". Pipeline, approved, "
        "suspended, cancelled and closed projects never get this alert.",
    "PAST_END":
        "Project not yet closed (ongoing, suspended or operationally closed) whose planned end is more than "
        "{amber} days before the as-of date → amber; more than {red} days before → red. Pipeline, approved, "
        "cancelled and financially closed projects never get this alert.",
}


def _replace(apps, before: dict, after: dict) -> None:
    Rule = apps.get_model("alerts", "Rule")
    for code, text in after.items():
        Rule.objects.filter(code=code, description=before[code]).update(description=text)


def forwards(apps, schema_editor):
    _replace(apps, OLD, NEW)


def backwards(apps, schema_editor):
    _replace(apps, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [("alerts", "0002_default_rules_and_reasons")]
    operations = [migrations.RunPython(forwards, backwards)]
