"""Reference names per language (django-modeltranslation): the columns per language, the existing English
value copied into the English one."""

from django.db import migrations, models


APP = "projects"
TRANSLATED = {"strategicobjective": ["title"], "operationalobjective": ["title"], "programme": ["title"],
              "crosscuttingtheme": ["title"], "declarationprinciple": ["title"], "convention": ["title"],
              "fundingsource": ["name"], "inputtype": ["name"]}


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
        ('projects', '0003_expert_category_follows_nationality'),
    ]

    operations = [
        migrations.AddField(
            model_name='convention',
            name='title_en',
            field=models.CharField(max_length=255, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='convention',
            name='title_es',
            field=models.CharField(max_length=255, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='convention',
            name='title_fr',
            field=models.CharField(max_length=255, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='crosscuttingtheme',
            name='title_en',
            field=models.CharField(max_length=255, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='crosscuttingtheme',
            name='title_es',
            field=models.CharField(max_length=255, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='crosscuttingtheme',
            name='title_fr',
            field=models.CharField(max_length=255, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='declarationprinciple',
            name='title_en',
            field=models.CharField(max_length=255, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='declarationprinciple',
            name='title_es',
            field=models.CharField(max_length=255, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='declarationprinciple',
            name='title_fr',
            field=models.CharField(max_length=255, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='fundingsource',
            name='name_en',
            field=models.CharField(max_length=255, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='fundingsource',
            name='name_es',
            field=models.CharField(max_length=255, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='fundingsource',
            name='name_fr',
            field=models.CharField(max_length=255, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='inputtype',
            name='name_en',
            field=models.CharField(max_length=255, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='inputtype',
            name='name_es',
            field=models.CharField(max_length=255, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='inputtype',
            name='name_fr',
            field=models.CharField(max_length=255, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='operationalobjective',
            name='title_en',
            field=models.CharField(max_length=500, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='operationalobjective',
            name='title_es',
            field=models.CharField(max_length=500, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='operationalobjective',
            name='title_fr',
            field=models.CharField(max_length=500, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='programme',
            name='title_en',
            field=models.CharField(max_length=255, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='programme',
            name='title_es',
            field=models.CharField(max_length=255, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='programme',
            name='title_fr',
            field=models.CharField(max_length=255, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='strategicobjective',
            name='title_en',
            field=models.CharField(max_length=255, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='strategicobjective',
            name='title_es',
            field=models.CharField(max_length=255, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='strategicobjective',
            name='title_fr',
            field=models.CharField(max_length=255, null=True, verbose_name='title'),
        ),
        migrations.RunPython(forwards, backwards),
    ]
