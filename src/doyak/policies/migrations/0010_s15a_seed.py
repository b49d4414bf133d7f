"""Settlement policies of issue #15 (evidence levels, split window, holiday review, self-settlement routes), from
policy_seed_0010_s15a.toml beside this file: new keys as version 1, and the next version of the evidence exemption
(0: an exempt innovation item still needs its card slip or tax invoice) and of the holiday review categories."""

from pathlib import Path

from django.db import migrations

from doyak.policies.migrations._seed import policy_revision_operation, policy_seed_operation

SEED = Path(__file__).with_name("policy_seed_0010_s15a.toml")


class Migration(migrations.Migration):
    dependencies = [("policies", "0009_unit_seconds")]
    operations = [policy_seed_operation(SEED), policy_revision_operation(SEED)]
