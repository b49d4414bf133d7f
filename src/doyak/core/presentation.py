"""What core's shared screens compute only for display."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext as _


def _when(value: str | None) -> str:
    if not value:
        return "?"
    moment = timezone.localtime(dt.datetime.fromisoformat(value))
    return formats.date_format(moment, "H:i:s")


def recovery_notes(run: models.Model) -> list[str]:
    """One sentence per recovery: which worker stopped when, and who resumed the run when."""
    notes = []
    for item in run.recoveries or []:
        text = _("The worker %(worker)s stopped at %(stopped)s; detected at %(detected)s.") % {
            "worker": item.get("worker") or "?", "stopped": _when(item.get("stopped_at")),
            "detected": _when(item.get("detected_at"))}
        if item.get("resumed_by"):
            text += " " + _("Resumed by worker %(worker)s at %(resumed)s.") % {
                "worker": item["resumed_by"], "resumed": _when(item.get("resumed_at"))}
        else:
            text += " " + _("Waiting for a worker to resume it.")
        notes.append(text)
    return notes
