"""Version 1 of the policies the scenario pre-fill adds, from policy_seed_0002.toml beside this file."""

from pathlib import Path

from django.db import migrations

from doyak.policies.migrations._seed import policy_seed_operation


class Migration(migrations.Migration):
    dependencies = [("portfolio", "0001_scenario"), ("policies", "0002_seed_initial_policies")]
    operations = [policy_seed_operation(Path(__file__).with_name("policy_seed_0002.toml"))]
