"""Version 1 of the agreement change rules (major or minor per kind of difference) and the answer window,
from policy_seed_0007.toml beside this file."""

from pathlib import Path

from django.db import migrations

from doyak.policies.migrations._seed import policy_seed_operation


class Migration(migrations.Migration):
    dependencies = [("policies", "0006_seed_run_lease_policy")]
    operations = [policy_seed_operation(Path(__file__).with_name("policy_seed_0007.toml"))]
