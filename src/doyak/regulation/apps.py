from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegulationConfig(AppConfig):
    name = "doyak.regulation"
    label = "regulation"
    verbose_name = _("Regulation innovation")

    def ready(self) -> None:
        from . import kpi_records  # noqa: F401 - registers the records the KPI board counts
