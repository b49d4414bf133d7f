from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "doyak.policies"
    label = "policies"
    verbose_name = _("Policy settings")

    def ready(self) -> None:
        from doyak.core.runs import lease_seconds_reader_set

        from .services import policy_value

        lease_seconds_reader_set(policy_value)  # operations.run_lease_seconds, read by core's run leases
