"""The agreement and its approved budget move to the ``agreements`` app (its migration 0001 takes them into
its state with their tables): here they leave finance's state and finance's foreign keys point there. State
only: the tables, their rows and the foreign-key columns do not change."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('agreements', '0001_move_agreement_from_finance'),
        ('finance', '0005_flag_summary_ledger_index'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='settlementresult',
                    name='agreement',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='results', to='agreements.agreement'),
                ),
                migrations.AlterField(
                    model_name='flagsummary',
                    name='agreement',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='flag_summaries', to='agreements.agreement'),
                ),
                migrations.RemoveField(
                    model_name='approvedbudget',
                    name='agreement',
                ),
                migrations.AlterField(
                    model_name='transaction',
                    name='agreement',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='transactions', to='agreements.agreement'),
                ),
                migrations.AlterField(
                    model_name='flag',
                    name='agreement',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='flags', to='agreements.agreement'),
                ),
                migrations.AlterField(
                    model_name='settlementclose',
                    name='agreement',
                    field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='settlement_close', to='agreements.agreement'),
                ),
                migrations.AlterField(
                    model_name='evidencefile',
                    name='agreement',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='evidence_files', to='agreements.agreement'),
                ),
                migrations.RemoveField(
                    model_name='approvedbudget',
                    name='organization',
                ),
                migrations.DeleteModel(
                    name='Agreement',
                ),
                migrations.DeleteModel(
                    name='ApprovedBudget',
                ),
            ],
            database_operations=[],
        ),
    ]
