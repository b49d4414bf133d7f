"""Version 1 of the policies the call builder and the proposal checks add, from policy_seed_0004.toml beside this file."""

from pathlib import Path

from django.db import migrations

from doyak.policies.migrations._seed import policy_seed_operation


class Migration(migrations.Migration):
    dependencies = [("policies", "0003_seed_track_policies")]
    operations = [policy_seed_operation(Path(__file__).with_name("policy_seed_0004.toml"))]
