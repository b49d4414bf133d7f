"""Every event has its place in the chain now (0002): ``seq`` becomes required and unique, which also makes
the database refuse two events appended after the same one."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_auditevent_hash_chain"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(editable=False, unique=True, verbose_name="sequence number"),
        ),
    ]
