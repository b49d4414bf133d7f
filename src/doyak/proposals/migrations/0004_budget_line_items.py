"""Budget lines list their equipment item by item (description, amount), for the equipment-plan rule."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('proposals', '0003_proposal_submitted_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='budgetline',
            name='items',
            field=models.JSONField(blank=True, default=list, help_text='Equipment listed item by item: description and amount in won.', verbose_name='items'),
        ),
    ]
