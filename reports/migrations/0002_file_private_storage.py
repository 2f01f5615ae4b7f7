"""The generated report files become private: files saved under MEDIA_ROOT move to the private storage
(PRIVATE_ROOT), from which only the download view serves them; migrating back moves them back."""

from django.conf import settings
from django.db import migrations

import core.private_files
from core.private_files import private_file_names, relocate_files


def to_private(apps, schema_editor):
    relocate_files(private_file_names(apps, "reports"), source=settings.MEDIA_ROOT, target=settings.PRIVATE_ROOT)


def to_media(apps, schema_editor):
    relocate_files(private_file_names(apps, "reports"), source=settings.PRIVATE_ROOT, target=settings.MEDIA_ROOT)


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='reportrequest',
            name='file',
            field=core.private_files.PrivateFileField(blank=True, download_view='reports:download', storage=core.private_files.private_storage, upload_to='reports/%Y/', verbose_name='file'),
        ),
        migrations.RunPython(to_private, to_media),
    ]
