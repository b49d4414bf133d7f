"""``doyak agreements_activate``: signed agreements whose start date has come become active (run daily)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from doyak.accounts.rules import SYSTEM
from doyak.agreements.services import agreements_activate_started


class Command(BaseCommand):
    help = "Make signed agreements whose start date has come active (run once a day)."

    def handle(self, *args, **options):
        count = agreements_activate_started(actor=SYSTEM)
        self.stdout.write(f"{count}")
