from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MaxConfig(AppConfig):
    name = "doyak.max"
    label = "max"
    verbose_name = _("M.AX assets")
