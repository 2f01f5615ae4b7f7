import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


def amount_is_amount_usd(apps, schema_editor):
    apps.get_model("delivery", "Approval").objects.update(amount=models.F("amount_usd"))


class Migration(migrations.Migration):

    dependencies = [
        ('delivery', '0002_project_year_delivery'),
        ('partners', '0002_history_change_reason_text'),
        ('projects', '0003_expert_category_follows_nationality'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalApproval',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('date', models.DateField(verbose_name='date approved')),
                ('currency', models.CharField(default='USD', help_text='ISO 4217 code', max_length=3, verbose_name='currency')),
                ('amount', models.DecimalField(decimal_places=2, max_digits=16, verbose_name='amount')),
                ('exchange_rate', models.DecimalField(decimal_places=6, default=1, max_digits=18, verbose_name='units per US$')),
                ('amount_usd', models.DecimalField(decimal_places=2, max_digits=16, verbose_name='amount (US$)')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.TextField(null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
            ],
            options={
                'verbose_name': 'historical approval',
                'verbose_name_plural': 'historical approvals',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AddField(
            model_name='approval',
            name='amount',
            field=models.DecimalField(decimal_places=2, max_digits=16, null=True, verbose_name='amount'),
        ),
        # Approvals so far were recorded in US$: their amount is the US$ amount.
        migrations.RunPython(amount_is_amount_usd, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='approval',
            name='amount',
            field=models.DecimalField(decimal_places=2, max_digits=16, verbose_name='amount'),
        ),
        migrations.AddField(
            model_name='approval',
            name='batch',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='approvals', to='delivery.importbatch'),
        ),
        migrations.AddField(
            model_name='approval',
            name='currency',
            field=models.CharField(default='USD', help_text='ISO 4217 code', max_length=3, verbose_name='currency'),
        ),
        migrations.AddField(
            model_name='approval',
            name='exchange_rate',
            field=models.DecimalField(decimal_places=6, default=1, max_digits=18, verbose_name='units per US$'),
        ),
        migrations.AlterField(
            model_name='importbatch',
            name='kind',
            field=models.CharField(choices=[('allocations', 'Allocations'), ('expenditure', 'Expenditure'), ('rates', 'Exchange rates'), ('projects', 'Projects'), ('approvals', 'Approvals')], max_length=16, verbose_name='kind'),
        ),
        migrations.AddConstraint(
            model_name='approval',
            constraint=models.CheckConstraint(condition=models.Q(('exchange_rate__gt', 0)), name='approval_rate_positive'),
        ),
        migrations.AddField(
            model_name='historicalapproval',
            name='batch',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='delivery.importbatch'),
        ),
        migrations.AddField(
            model_name='historicalapproval',
            name='donor',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='partners.organisation', verbose_name='donor'),
        ),
        migrations.AddField(
            model_name='historicalapproval',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalapproval',
            name='project',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='projects.project', verbose_name='project'),
        ),
    ]
