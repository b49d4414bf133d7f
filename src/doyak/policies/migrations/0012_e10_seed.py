"""Version 1 of the rule that computes a stage, final or special panel's result from its evaluators' grades,
from policy_seed_0012_e10.toml beside this file (branch e10; the integrator renumbers)."""

from pathlib import Path

from django.db import migrations

from doyak.policies.migrations._seed import policy_seed_operation


class Migration(migrations.Migration):
    dependencies = [("policies", "0011_r11_seed")]
    operations = [policy_seed_operation(Path(__file__).with_name("policy_seed_0012_e10.toml"))]
