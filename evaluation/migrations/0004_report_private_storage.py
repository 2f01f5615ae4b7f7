"""The evaluation reports become private: files saved under MEDIA_ROOT move to the private storage (PRIVATE_ROOT),
from which only the download view serves them; migrating back moves them back."""

import django.core.validators
from django.conf import settings
from django.db import migrations

import evaluation.models
import core.private_files
from core.private_files import private_file_names, relocate_files


def _report_names(apps) -> set[str]:
    # Also the earlier versions of each report, which the history still names.
    history = apps.get_model("evaluation", "HistoricalEvaluation")
    return private_file_names(apps, "evaluation") | set(
        history.objects.exclude(report="").values_list("report", flat=True).distinct())


def to_private(apps, schema_editor):
    relocate_files(_report_names(apps), source=settings.MEDIA_ROOT, target=settings.PRIVATE_ROOT)


def to_media(apps, schema_editor):
    relocate_files(_report_names(apps), source=settings.PRIVATE_ROOT, target=settings.MEDIA_ROOT)


class Migration(migrations.Migration):

    dependencies = [
        ('evaluation', '0003_lesson_search_index'),
    ]

    operations = [
        migrations.AlterField(
            model_name='evaluation',
            name='report',
            field=core.private_files.PrivateFileField(blank=True, download_view='evaluation:report', help_text='PDF or DOCX.', storage=core.private_files.private_storage, upload_to='evaluations/%Y/', validators=[django.core.validators.FileExtensionValidator(['pdf', 'docx']), evaluation.models.validate_report_size], verbose_name='report'),
        ),
        migrations.RunPython(to_private, to_media),
    ]
