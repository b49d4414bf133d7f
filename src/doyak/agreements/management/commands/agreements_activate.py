"""``doyak agreements_activate``: signed agreements whose start date has come become active, and approved
changes whose effective date has come are put in force (run daily; ``doyak schedule_daily`` queues it)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from doyak.accounts.rules import SYSTEM
from doyak.agreements.services import agreements_daily


class Command(BaseCommand):
    help = ("Make signed agreements whose start date has come active and put approved changes whose effective "
            "date has come in force (run once a day).")

    def handle(self, *args, **options):
        done = agreements_daily(actor=SYSTEM)
        self.stdout.write(f"{done['activated']}")
        if done["changes_applied"]:
            self.stdout.write(f"changes applied: {done['changes_applied']}")
