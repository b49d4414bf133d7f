"""``doyak runs_recover``: queue again the background runs whose worker died (what every worker does itself)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from doyak.core.runs import runs_recover


class Command(BaseCommand):
    help = "Resume the background runs whose worker's lease expired, and fail their orphaned task rows."

    def handle(self, *args, **options) -> None:
        recovered = runs_recover()
        for item in recovered:
            self.stdout.write(_("%(kind)s %(pk)s queued again (worker %(worker)s stopped).")
                              % {"kind": item.kind, "pk": item.pk, "worker": item.worker or "?"})
        self.stdout.write(_("%(n)s run(s) recovered.") % {"n": len(recovered)})
