"""A call's aggregation and cut-off no longer have literal defaults: a new call without them takes the
policy records evaluation.drop_highest_lowest_default and evaluation.cutoff_score_default (Call.save).
State only: the columns stay NOT NULL without a database default."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('calls', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='call',
            name='aggregation',
            field=models.CharField(choices=[('mean', 'Mean'), ('trimmed_mean', 'Mean without the highest and lowest'), ('median', 'Median')], max_length=16, verbose_name='aggregation'),
        ),
        migrations.AlterField(
            model_name='call',
            name='cutoff_score',
            field=models.DecimalField(decimal_places=2, max_digits=5, verbose_name='cut-off score'),
        ),
    ]
