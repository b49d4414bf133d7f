"""Version 1 of the regulation-free R&D policies (warning days, exemption period and extensions, the automatic
extension while a law amendment is pending, the tracks whose calls require a regulatory agreement), from
policy_seed_0011_r11.toml beside this file."""

from pathlib import Path

from django.db import migrations

from doyak.policies.migrations._seed import policy_seed_operation


class Migration(migrations.Migration):
    dependencies = [("policies", "0010_s15a_seed")]
    operations = [policy_seed_operation(Path(__file__).with_name("policy_seed_0011_r11.toml"))]
