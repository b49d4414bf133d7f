"""Supporting documents are checked (issue #15 in the app): the next version of
``settlement.documents_required``, on, from policy_seed_0014_s15e.toml beside this file."""

from pathlib import Path

from django.db import migrations

from doyak.policies.migrations._seed import policy_revision_operation


class Migration(migrations.Migration):
    dependencies = [("policies", "0013_c12_seed")]
    operations = [policy_revision_operation(Path(__file__).with_name("policy_seed_0014_s15e.toml"))]
