from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CapacityConfig(AppConfig):
    """Innovation capacity: demand surveys, the commercialisation fund, the talent growth cycle, joint labs and
    specialised graduate schools (the plan's fifth foundation). The talent cycle lives here too: its star-engineer
    panel and its counts read the same institutions and projects, and one catalogue keeps its words together."""

    name = "doyak.capacity"
    label = "capacity"
    verbose_name = _("Innovation capacity")

    def ready(self) -> None:
        from . import kpi_records  # noqa: F401 - registers the records the KPI board counts
