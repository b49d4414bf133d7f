"""Version 1 of the project-execution policies (panels, grade switch, report windows, stop reasons without
penalty, sanction tables and windows), from policy_seed_0008_execution.toml beside this file."""

from pathlib import Path

from django.db import migrations

from doyak.policies.migrations._seed import policy_seed_operation


class Migration(migrations.Migration):
    dependencies = [("policies", "0007_seed_agreement_change_rules")]
    operations = [policy_seed_operation(Path(__file__).with_name("policy_seed_0008_execution.toml"))]
