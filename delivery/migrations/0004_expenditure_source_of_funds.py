"""Expenditure lines get a source of funds (filled by 0005, required from 0006); the rollups by source of funds."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('delivery', '0003_approval_currency_history_and_import'),
        ('projects', '0003_expert_category_follows_nationality'),
    ]

    operations = [
        migrations.CreateModel(
            name='SourceMonthSpend',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('period', models.DateField(verbose_name='period')),
                ('amount_usd', models.DecimalField(decimal_places=2, max_digits=16, verbose_name='amount (US$)')),
            ],
            options={
                'verbose_name': 'monthly spend by source of funds',
                'verbose_name_plural': 'monthly spend by source of funds',
                'ordering': ['project', 'period', 'funding_source'],
            },
        ),
        migrations.CreateModel(
            name='SourceYearDelivery',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(verbose_name='year')),
                ('allocation_cents', models.BigIntegerField(default=0, verbose_name='allocation (US cents)')),
                ('has_allocation', models.BooleanField(default=False, verbose_name='has an allocation')),
                ('first_spend_month', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='first month with spend')),
                ('spent_cents_to_m01', models.BigIntegerField(default=0, verbose_name='spend from January to month 1 (US cents)')),
                ('spent_cents_to_m02', models.BigIntegerField(default=0, verbose_name='spend from January to month 2 (US cents)')),
                ('spent_cents_to_m03', models.BigIntegerField(default=0, verbose_name='spend from January to month 3 (US cents)')),
                ('spent_cents_to_m04', models.BigIntegerField(default=0, verbose_name='spend from January to month 4 (US cents)')),
                ('spent_cents_to_m05', models.BigIntegerField(default=0, verbose_name='spend from January to month 5 (US cents)')),
                ('spent_cents_to_m06', models.BigIntegerField(default=0, verbose_name='spend from January to month 6 (US cents)')),
                ('spent_cents_to_m07', models.BigIntegerField(default=0, verbose_name='spend from January to month 7 (US cents)')),
                ('spent_cents_to_m08', models.BigIntegerField(default=0, verbose_name='spend from January to month 8 (US cents)')),
                ('spent_cents_to_m09', models.BigIntegerField(default=0, verbose_name='spend from January to month 9 (US cents)')),
                ('spent_cents_to_m10', models.BigIntegerField(default=0, verbose_name='spend from January to month 10 (US cents)')),
                ('spent_cents_to_m11', models.BigIntegerField(default=0, verbose_name='spend from January to month 11 (US cents)')),
                ('spent_cents_to_m12', models.BigIntegerField(default=0, verbose_name='spend from January to month 12 (US cents)')),
            ],
            options={
                'verbose_name': "delivery of a project's year by source of funds",
                'verbose_name_plural': "delivery of projects' years by source of funds",
                'ordering': ['project', 'year', 'funding_source'],
            },
        ),
        migrations.AlterModelOptions(
            name='expenditure',
            options={'ordering': ['project', 'period', 'input_type', 'currency', 'funding_source'], 'verbose_name': 'expenditure line', 'verbose_name_plural': 'expenditure lines'},
        ),
        migrations.AddField(
            model_name='expenditure',
            name='funding_source',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='expenditures', to='projects.fundingsource', verbose_name='source of funds'),
        ),
        migrations.AddField(
            model_name='sourcemonthspend',
            name='funding_source',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='projects.fundingsource', verbose_name='source of funds'),
        ),
        migrations.AddField(
            model_name='sourcemonthspend',
            name='project',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='source_month_spend', to='projects.project'),
        ),
        migrations.AddField(
            model_name='sourceyeardelivery',
            name='funding_source',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='projects.fundingsource', verbose_name='source of funds'),
        ),
        migrations.AddField(
            model_name='sourceyeardelivery',
            name='project',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='source_year_delivery', to='projects.project'),
        ),
        migrations.AddIndex(
            model_name='sourcemonthspend',
            index=models.Index(fields=['period', 'project'], name='source_spend_period_project'),
        ),
        migrations.AddConstraint(
            model_name='sourcemonthspend',
            constraint=models.UniqueConstraint(fields=('project', 'period', 'funding_source'), name='unique_source_month_spend'),
        ),
        migrations.AddIndex(
            model_name='sourceyeardelivery',
            index=models.Index(fields=['year', 'project'], name='source_year_year_project'),
        ),
        migrations.AddConstraint(
            model_name='sourceyeardelivery',
            constraint=models.UniqueConstraint(fields=('project', 'year', 'funding_source'), name='unique_source_year_delivery'),
        ),
        migrations.AddConstraint(
            model_name='sourceyeardelivery',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('first_spend_month__gte', 1), ('first_spend_month__lte', 12)), ('first_spend_month__isnull', True), _connector='OR'), name='source_year_delivery_month_in_year'),
        ),
        ]
