"""A line's source of funds is required and part of its key (project, period, type of input, currency, source)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("delivery", "0005_fill_sources_of_funds"),
    ]

    operations = [
        migrations.AlterField(
            model_name='expenditure',
            name='funding_source',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='expenditures', to='projects.fundingsource', verbose_name='source of funds'),
        ),
        migrations.RemoveConstraint(
            model_name='expenditure',
            name='unique_expenditure_line',
        ),
        migrations.AddConstraint(
            model_name='expenditure',
            constraint=models.UniqueConstraint(fields=('project', 'period', 'input_type', 'currency', 'funding_source'), name='unique_expenditure_line'),
        ),
    ]
