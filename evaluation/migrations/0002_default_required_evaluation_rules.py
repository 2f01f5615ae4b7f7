from decimal import Decimal

from django.db import migrations

# Defaults (administrators change them in the admin): above US$1m an independent final evaluation, above US$5m
# independent mid-term and final; up to US$1m a self-evaluation (an internal or independent one also satisfies it).
DEFAULT_RULES = [
    (Decimal("0"), Decimal("1000000"), "SELF", "FINAL"),
    (Decimal("1000000"), None, "INDEPENDENT", "FINAL"),
    (Decimal("5000000"), None, "INDEPENDENT", "MID_TERM"),
]


def create_default_rules(apps, schema_editor):
    Rule = apps.get_model("evaluation", "RequiredEvaluationRule")
    for low, high, kind, timing in DEFAULT_RULES:
        Rule.objects.get_or_create(min_budget_usd=low, max_budget_usd=high, type=kind, timing=timing)


def remove_default_rules(apps, schema_editor):
    Rule = apps.get_model("evaluation", "RequiredEvaluationRule")
    for low, high, kind, timing in DEFAULT_RULES:
        Rule.objects.filter(min_budget_usd=low, max_budget_usd=high, type=kind, timing=timing).delete()


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_initial")]

    operations = [migrations.RunPython(create_default_rules, remove_default_rules)]
