"""``doyak import_transactions AGREEMENT_NUMBER FILE``: add a CSV/XLSX/Parquet file to a ledger, all or nothing."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from doyak.accounts.rules import SYSTEM
from doyak.agreements.models import Agreement
from doyak.core.errors import DoyakError
from doyak.finance.services import transactions_import


class Command(BaseCommand):
    help = "Import transactions into an agreement's ledger (CSV UTF-8/CP949, XLSX or Parquet); nothing on any error."

    def add_arguments(self, parser):
        parser.add_argument("agreement", help="agreement number")
        parser.add_argument("file", type=Path)

    def handle(self, *args, agreement: str, file: Path, **options):
        found = Agreement.objects.filter(number=agreement).first()
        if found is None:
            raise CommandError(_("No agreement %(number)s.") % {"number": agreement})
        try:
            count = transactions_import(actor=SYSTEM, agreement_id=found.pk, name=file.name, content=file.read_bytes())
        except (DoyakError, OSError) as exc:
            raise CommandError(_("Nothing was imported. %(error)s") % {"error": getattr(exc, "message", exc)}) from exc
        self.stdout.write(_("%(n)s transactions imported into %(number)s.") % {"n": count, "number": agreement})
