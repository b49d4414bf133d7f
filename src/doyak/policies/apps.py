from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "doyak.policies"
    label = "policies"
    verbose_name = _("Policy settings")

    def ready(self) -> None:
        from django.core.signals import request_finished, request_started
        from django.db.models.signals import post_delete, post_save

        from doyak.core.runs import lease_seconds_reader_set

        from .memo import memo_clear, memo_end, memo_start
        from .models import PolicySetting
        from .services import policy_value

        lease_seconds_reader_set(policy_value)  # operations.run_lease_seconds, read by core's run leases
        request_started.connect(memo_start, dispatch_uid="policy_memo_start")
        request_finished.connect(memo_end, dispatch_uid="policy_memo_end")
        post_save.connect(memo_clear, sender=PolicySetting, dispatch_uid="policy_memo_saved")
        post_delete.connect(memo_clear, sender=PolicySetting, dispatch_uid="policy_memo_deleted")
