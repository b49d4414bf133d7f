"""Version 1 of the track eligibility policies, from policy_seed_0003.toml beside this file."""

from pathlib import Path

from django.db import migrations

from doyak.policies.migrations._seed import policy_seed_operation


class Migration(migrations.Migration):
    dependencies = [("policies", "0002_seed_initial_policies")]
    operations = [policy_seed_operation(Path(__file__).with_name("policy_seed_0003.toml"))]
