"""``doyak export ntis-csv|360giving|iati --out FILE [--encoding cp949|utf-8]``: open data, public fields only."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from doyak.kpi.exports import ENCODINGS, giving360, iati_xml, ntis_csv


class Command(BaseCommand):
    help = "Export open data: project records (NTIS-like CSV), agreements (360Giving JSON), indicators (IATI XML)."

    def add_arguments(self, parser):
        parser.add_argument("format", choices=["ntis-csv", "360giving", "iati"])
        parser.add_argument("--out", required=True, help="file to write")
        parser.add_argument("--encoding", choices=ENCODINGS, default="cp949", help="CSV only (default cp949)")

    def handle(self, *args, format, out, encoding, **options):
        if format == "ntis-csv":
            data = ntis_csv(encoding=encoding)
        elif format == "360giving":
            data = json.dumps(giving360(), ensure_ascii=False, indent=1).encode("utf-8")
        else:
            data = iati_xml()
        try:
            Path(out).write_bytes(data)
        except OSError as exc:
            raise CommandError(f"cannot write {out}: {exc}") from exc
        self.stdout.write(f"{format}: {len(data):,} bytes → {out}")
