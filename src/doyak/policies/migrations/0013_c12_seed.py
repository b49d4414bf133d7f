"""Version 1 of the innovation-capacity policies (the fund's leap share, the graduate schools counted as added, the
talent cycle's stage criteria and the star-engineer panel), from policy_seed_0013_c12.toml beside this file."""

from pathlib import Path

from django.db import migrations

from doyak.policies.migrations._seed import policy_seed_operation


class Migration(migrations.Migration):
    dependencies = [("policies", "0012_e10_seed")]
    operations = [policy_seed_operation(Path(__file__).with_name("policy_seed_0013_c12.toml"))]
