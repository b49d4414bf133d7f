"""The agreement moves from ``finance`` to this app, keeping its tables (``finance_agreement``,
``finance_approvedbudget``): the two models are created here in the migration state only (finance 0006 drops
them from its state and points its foreign keys here), so existing rows stay where they are on SQLite and
PostgreSQL. Then the new columns and the terms, versions, signatures and change requests."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('finance', '0005_flag_summary_ledger_index'),
        ('organizations', '0001_initial'),
        ('proposals', '0006_input_bounds'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Agreement',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('number', models.CharField(max_length=30, unique=True, verbose_name='agreement number')),
                        ('start_date', models.DateField(verbose_name='start date')),
                        ('end_date', models.DateField(verbose_name='end date')),
                        ('gov_funds_krw', models.BigIntegerField(verbose_name='government funds (won)')),
                        ('cash_funds_krw', models.BigIntegerField(verbose_name='institution cash (won)')),
                        ('self_settlement', models.BooleanField(default=False, verbose_name='self-settlement')),
                        ('status', models.CharField(choices=[('draft', 'Draft'), ('active', 'Active'), ('stopped', 'Stopped'), ('closed', 'Closed')], db_index=True, default='draft', max_length=10, verbose_name='status')),
                        ('current_run', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='finance.settlementrun', verbose_name='latest settlement run')),
                        ('proposal', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='agreement', to='proposals.proposal', verbose_name='proposal')),
                    ],
                    options={
                        'verbose_name': 'agreement',
                        'verbose_name_plural': 'agreements',
                        'db_table': 'finance_agreement',
                        'ordering': ['number'],
                    },
                ),
                migrations.CreateModel(
                    name='ApprovedBudget',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveSmallIntegerField(verbose_name='project year')),
                        ('category', models.CharField(max_length=20, verbose_name='cost category')),
                        ('approved_krw', models.BigIntegerField(verbose_name='approved (won)')),
                        ('agreement', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='budgets', to='agreements.agreement')),
                        ('organization', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organizations.organization', verbose_name='institution')),
                    ],
                    options={
                        'verbose_name': 'approved budget line',
                        'verbose_name_plural': 'approved budget lines',
                        'db_table': 'finance_approvedbudget',
                        'ordering': ['agreement', 'year', 'organization', 'category'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='agreement',
                    constraint=models.CheckConstraint(condition=models.Q(('end_date__gte', models.F('start_date'))), name='agreement_period_valid'),
                ),
                migrations.AddConstraint(
                    model_name='approvedbudget',
                    constraint=models.UniqueConstraint(fields=('agreement', 'year', 'category', 'organization'), name='approved_budget_unique'),
                ),
                migrations.AddConstraint(
                    model_name='approvedbudget',
                    constraint=models.CheckConstraint(condition=models.Q(('approved_krw__gte', 0)), name='approved_budget_non_negative'),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name='agreement',
            name='version',
            field=models.PositiveIntegerField(default=0, help_text='0 until both parties have signed.', verbose_name='version in force'),
        ),
        migrations.AddField(
            model_name='agreement',
            name='method',
            field=models.TextField(blank=True, verbose_name='research method and content'),
        ),
        migrations.AddField(
            model_name='agreement',
            name='signed_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='signed at'),
        ),
        migrations.AlterField(
            model_name='agreement',
            name='status',
            field=models.CharField(choices=[('draft', 'Draft'), ('signed', 'Signed'), ('active', 'Active'), ('stopped', 'Stopped'), ('closed', 'Closed')], db_index=True, default='draft', max_length=10, verbose_name='status'),
        ),
        migrations.AddField(
            model_name='approvedbudget',
            name='gov_krw',
            field=models.BigIntegerField(default=0, verbose_name='government funds (won)'),
        ),
        migrations.AddField(
            model_name='approvedbudget',
            name='cash_krw',
            field=models.BigIntegerField(default=0, verbose_name='institution cash (won)'),
        ),
        migrations.AddField(
            model_name='approvedbudget',
            name='in_kind_krw',
            field=models.BigIntegerField(default=0, verbose_name='in-kind (won)'),
        ),
        migrations.AddField(
            model_name='approvedbudget',
            name='items',
            field=models.JSONField(blank=True, default=list, verbose_name='items'),
        ),
        migrations.CreateModel(
            name='AgreementGoal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('order', models.PositiveSmallIntegerField(verbose_name='order')),
                ('text', models.TextField(verbose_name='goal')),
                ('agreement', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='goals', to='agreements.agreement')),
            ],
            options={
                'verbose_name': 'goal',
                'verbose_name_plural': 'goals',
                'ordering': ['agreement', 'order'],
            },
        ),
        migrations.CreateModel(
            name='AgreementKpi',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=200, verbose_name='indicator')),
                ('unit', models.CharField(blank=True, max_length=40, verbose_name='unit')),
                ('baseline', models.DecimalField(blank=True, decimal_places=4, max_digits=20, null=True, verbose_name='baseline')),
                ('target', models.DecimalField(decimal_places=4, max_digits=20, verbose_name='target')),
                ('year', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='year')),
                ('agreement', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='kpis', to='agreements.agreement')),
            ],
            options={
                'verbose_name': 'performance indicator',
                'verbose_name_plural': 'performance indicators',
                'ordering': ['agreement', 'id'],
            },
        ),
        migrations.CreateModel(
            name='AgreementParty',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role', models.CharField(choices=[('lead', 'Lead institution'), ('participant', 'Participant'), ('subcontractor', 'Subcontractor')], max_length=16, verbose_name='role')),
                ('agreement', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='parties', to='agreements.agreement')),
                ('organization', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='agreement_parties', to='organizations.organization', verbose_name='institution')),
            ],
            options={
                'verbose_name': 'agreement party',
                'verbose_name_plural': 'agreement parties',
                'ordering': ['agreement', 'role', 'id'],
            },
        ),
        migrations.CreateModel(
            name='AgreementResearcher',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('is_pi', models.BooleanField(default=False, verbose_name='principal investigator')),
                ('agreement', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='researchers', to='agreements.agreement')),
                ('researcher', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='agreement_roles', to='organizations.researcher', verbose_name='researcher')),
            ],
            options={
                'verbose_name': 'agreement researcher',
                'verbose_name_plural': 'agreement researchers',
                'ordering': ['agreement', '-is_pi', 'id'],
            },
        ),
        migrations.CreateModel(
            name='AgreementStage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveSmallIntegerField(verbose_name='stage')),
                ('start_date', models.DateField(verbose_name='start date')),
                ('end_date', models.DateField(verbose_name='end date')),
                ('agreement', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='stages', to='agreements.agreement')),
            ],
            options={
                'verbose_name': 'stage',
                'verbose_name_plural': 'stages',
                'ordering': ['agreement', 'number'],
            },
        ),
        migrations.CreateModel(
            name='ChangeRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('number', models.PositiveIntegerField(verbose_name='request number')),
                ('status', models.CharField(choices=[('draft', 'Draft'), ('submitted', 'Awaiting decision'), ('returned', 'Returned with comments'), ('approved', 'Approved'), ('rejected', 'Rejected'), ('applied', 'Applied')], db_index=True, default='draft', max_length=10, verbose_name='status')),
                ('classification', models.CharField(blank=True, choices=[('major', 'Major: prior approval'), ('minor', 'Minor: notice')], max_length=5, verbose_name='classification')),
                ('base_version', models.PositiveIntegerField(verbose_name='changes version')),
                ('proposed_terms', models.JSONField(verbose_name='proposed terms')),
                ('items', models.JSONField(blank=True, default=list, verbose_name='differences')),
                ('reason', models.TextField(blank=True, verbose_name='reason')),
                ('submitted_at', models.DateTimeField(blank=True, null=True, verbose_name='request submitted at')),
                ('due_date', models.DateField(blank=True, db_index=True, null=True, verbose_name='answer due')),
                ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decision made at')),
                ('decision_note', models.TextField(blank=True, verbose_name='comments')),
                ('agreement', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='change_requests', to='agreements.agreement')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='decided by')),
                ('proposed_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='proposed by')),
            ],
            options={
                'verbose_name': 'change request',
                'verbose_name_plural': 'change requests',
                'ordering': ['agreement', '-number'],
            },
        ),
        migrations.CreateModel(
            name='AgreementVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField(verbose_name='version')),
                ('terms', models.JSONField(verbose_name='terms')),
                ('effective_from', models.DateField(verbose_name='in force from')),
                ('frozen_at', models.DateTimeField(blank=True, null=True, verbose_name='frozen at')),
                ('agreement', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='versions', to='agreements.agreement')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('change_request', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='applied_version', to='agreements.changerequest', verbose_name='change request')),
            ],
            options={
                'verbose_name': 'agreement version',
                'verbose_name_plural': 'agreement versions',
                'ordering': ['agreement', 'number'],
            },
        ),
        migrations.CreateModel(
            name='Signature',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('side', models.CharField(choices=[('institution', "Lead institution's representative"), ('manager', 'Program manager')], max_length=12, verbose_name='signed as')),
                ('signed_at', models.DateTimeField(auto_now_add=True, verbose_name='signed at')),
                ('agreement', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='signatures', to='agreements.agreement')),
                ('signed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='signed by')),
            ],
            options={
                'verbose_name': 'signature',
                'verbose_name_plural': 'signatures',
                'ordering': ['agreement', 'signed_at'],
            },
        ),
        migrations.AddConstraint(
            model_name='agreementparty',
            constraint=models.UniqueConstraint(fields=('agreement', 'organization'), name='agreement_party_unique'),
        ),
        migrations.AddConstraint(
            model_name='agreementresearcher',
            constraint=models.UniqueConstraint(fields=('agreement', 'researcher'), name='agreement_researcher_unique'),
        ),
        migrations.AddConstraint(
            model_name='agreementresearcher',
            constraint=models.UniqueConstraint(condition=models.Q(('is_pi', True)), fields=('agreement',), name='agreement_one_pi'),
        ),
        migrations.AddConstraint(
            model_name='agreementstage',
            constraint=models.UniqueConstraint(fields=('agreement', 'number'), name='agreement_stage_unique'),
        ),
        migrations.AddConstraint(
            model_name='agreementstage',
            constraint=models.CheckConstraint(condition=models.Q(('end_date__gte', models.F('start_date'))), name='agreement_stage_period_valid'),
        ),
        migrations.AddConstraint(
            model_name='approvedbudget',
            constraint=models.CheckConstraint(condition=models.Q(('cash_krw__gte', 0), ('gov_krw__gte', 0), ('in_kind_krw__gte', 0)), name='approved_budget_sources_non_negative'),
        ),
        migrations.AddConstraint(
            model_name='changerequest',
            constraint=models.UniqueConstraint(fields=('agreement', 'number'), name='change_request_unique'),
        ),
        migrations.AddIndex(
            model_name='agreementversion',
            index=models.Index(fields=['agreement', 'effective_from'], name='agreement_version_date_idx'),
        ),
        migrations.AddConstraint(
            model_name='agreementversion',
            constraint=models.UniqueConstraint(fields=('agreement', 'number'), name='agreement_version_unique'),
        ),
        migrations.AddConstraint(
            model_name='signature',
            constraint=models.UniqueConstraint(fields=('agreement', 'side'), name='signature_one_per_side'),
        ),
    ]
