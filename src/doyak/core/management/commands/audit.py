"""``doyak audit verify``: walk the audit trail's hash chain; exit 0 when it is intact, 1 at the first break."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from doyak.core.audit_chain import ChainBreak, audit_chain_verify
from doyak.core.models import AuditEvent


def _break_message(broken: ChainBreak) -> str:
    if broken.problem == "missing":
        return _("event #%(expected)s is missing (deleted): the next event is #%(found)s") % {
            "expected": broken.expected, "found": broken.found}
    if broken.problem == "relinked":
        return _("its link to the previous event does not match that event's hash: the previous event was "
                 "rewritten with a new hash, or replaced")
    return _("its content does not match its hash: the row was changed")


class Command(BaseCommand):
    help = "Check the audit trail's hash chain: exit 0 when intact, 1 with the first broken link."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        sub.add_parser("verify", help="walk the chain from the first event to the last")

    def handle(self, *args, verb: str, **options):
        console = Console(stderr=True)
        total = AuditEvent.objects.count()
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console, transient=True) as progress:
            task = progress.add_task(_("Verifying the audit chain"), total=total)
            result = audit_chain_verify(on_progress=lambda n: progress.update(task, completed=n))
        if result.broken is not None:
            raise CommandError(
                _("Audit chain broken at event %(id)s (#%(seq)s): %(problem)s. %(count)s events before it are "
                  "intact.") % {"id": result.broken.event_id, "seq": result.broken.seq,
                                "problem": _break_message(result.broken), "count": f"{result.count:,}"},
                returncode=1,
            )
        if result.head_seq is None:
            self.stdout.write(_("Audit chain OK: no events yet."))
            return
        self.stdout.write(_("Audit chain OK: %(count)s events; last #%(seq)s, hash %(hash)s.") % {
            "count": f"{result.count:,}", "seq": result.head_seq, "hash": result.head_hash})
