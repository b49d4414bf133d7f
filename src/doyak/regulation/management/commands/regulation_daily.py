"""``doyak regulation_daily``: enqueue the daily regulation job (statuses and alerts); ``--now`` runs it here."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from doyak.accounts.rules import SYSTEM
from doyak.regulation.services import regulation_daily
from doyak.regulation.tasks import regulation_daily_task


class Command(BaseCommand):
    help = "Refresh regulation dependency statuses and raise alerts once per state change (run once a day)."

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="Run the job in this process instead of enqueuing it.")

    def handle(self, *args, now=False, **options):
        if now:
            result = regulation_daily(actor=SYSTEM)
            self.stdout.write(f"{result['refreshed']} {result['alerts']}")
        else:
            result = regulation_daily_task.enqueue()
            self.stdout.write(str(result.id))
