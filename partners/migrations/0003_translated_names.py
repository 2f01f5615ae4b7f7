"""Reference names per language (django-modeltranslation): the columns per language, the existing English
value copied into the English one."""

from django.db import migrations, models


APP = "partners"
TRANSLATED = {"region": ["name"], "country": ["name"], "unit": ["name"]}


def _copy(apps, direction: str) -> None:
    """Forwards: the existing (English) value becomes the English column; backwards: the English column goes back
    into the plain one before the per-language columns are dropped."""
    for model_name, fields in TRANSLATED.items():
        model = apps.get_model(APP, model_name)
        for field in fields:
            source, target = (field, f"{field}_en") if direction == "forwards" else (f"{field}_en", field)
            model.objects.exclude(**{f"{source}__isnull": True}).exclude(**{source: ""}).update(
                **{target: models.F(source)})


def forwards(apps, schema_editor):
    _copy(apps, "forwards")


def backwards(apps, schema_editor):
    _copy(apps, "backwards")


class Migration(migrations.Migration):

    dependencies = [
        ('partners', '0002_history_change_reason_text'),
    ]

    operations = [
        migrations.AddField(
            model_name='country',
            name='name_en',
            field=models.CharField(max_length=100, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='country',
            name='name_es',
            field=models.CharField(max_length=100, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='country',
            name='name_fr',
            field=models.CharField(max_length=100, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='region',
            name='name_en',
            field=models.CharField(max_length=100, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='region',
            name='name_es',
            field=models.CharField(max_length=100, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='region',
            name='name_fr',
            field=models.CharField(max_length=100, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='unit',
            name='name_en',
            field=models.CharField(max_length=255, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='unit',
            name='name_es',
            field=models.CharField(max_length=255, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='unit',
            name='name_fr',
            field=models.CharField(max_length=255, null=True, verbose_name='name'),
        ),
        migrations.RunPython(forwards, backwards),
    ]
