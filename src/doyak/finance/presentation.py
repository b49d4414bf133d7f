"""What the finance screens compute only for display."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from doyak.agreements.models import Agreement
from doyak.core.labels import local_time_text
from doyak.engine.settlement import FLAG_SOURCES
from doyak.engine.settlement_policy import SettlementPolicy

from .enums import Category, RunStatus
from .models import SettlementRun

# Characters of a failed part's error shown in its row (the whole error is on the run and in the API).
PART_ERROR_SHOWN = 200


def what_if_threshold_rows(*, policy: SettlementPolicy, exemptions: Mapping[str, int],
                           typed: Mapping[str, str]) -> list[dict]:
    """Per cost category: the small-amount evidence exemption in force, what was typed, and the threshold the
    what-if run uses (the typed one, or the current one when left empty)."""
    rows = []
    for value, label in Category.choices:
        current = policy.exemption_for(value)
        proposed = exemptions.get(value)
        rows.append({"category": value, "label": label, "current": current, "typed": typed.get(f"exemption_{value}", ""),
                     "proposed": proposed, "changed": proposed is not None and proposed != current})
    return rows


def flag_source(code: str) -> str:
    """The legal source of a flag's rule in the page's language (Korean unless English is asked for)."""
    korean, english = FLAG_SOURCES.get(code, ("", ""))
    return english if (get_language() or "ko").startswith("en") else korean


def duration_text(seconds: float) -> str:
    """Seconds as people read a duration: 12초, 3분 5초, 1시간 2분 (12 s, 3 min 5 s, 1 h 2 min)."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return _("%(h)s h %(m)s min") % {"h": hours, "m": minutes}
    if minutes:
        return _("%(m)s min %(s)s s") % {"m": minutes, "s": secs}
    return _("%(s)s s") % {"s": secs}


def _part_range_text(ids: list[int], agreements: Mapping[int, tuple[str, str]]) -> str:
    """A part's project range in words: one project by number and title, several by their first and last
    number and how many (agreement ids are a run's order, ascending)."""
    if not ids:
        return _("no projects")
    first = agreements.get(ids[0], (str(ids[0]), ""))
    if len(ids) == 1:
        return f"{first[0]} {first[1]}".strip()
    last = agreements.get(ids[-1], (str(ids[-1]), ""))
    return _("%(first)s – %(last)s (%(n)s projects)") % {"first": first[0], "last": last[0], "n": len(ids)}


def run_part_rows(*, run: SettlementRun, now: dt.datetime | None = None) -> list[dict]:
    """Each part of a partitioned run as the run page shows it: the project range, the state in words (waiting;
    running on which worker since when, Seoul time; done; failed and why), progress, duration, and whether the
    failure may be resumed (the run's resume settles every part not done)."""
    now = now or timezone.now()
    parts = list(run.parts.order_by("index"))
    ends = {pk for part in parts for pk in (part.agreement_ids[:1] + part.agreement_ids[-1:])}
    agreements = {pk: (number, title) for pk, number, title in Agreement.objects.filter(pk__in=ends).values_list(
        "pk", "number", "proposal__title_ko")}
    rows = []
    for part in parts:
        # ``badge``: the short state shown as a badge (done, failed); ``state``: the words beside it
        badge, badge_class = "", ""
        if part.status == RunStatus.RUNNING:
            since = local_time_text(part.started_at) if part.started_at else "–"
            state = _("Running on %(worker)s since %(since)s") % {"worker": part.lease_owner or "–", "since": since}
        elif part.status == RunStatus.DONE:
            badge, badge_class, state = part.get_status_display(), "ok", ""
        elif part.status == RunStatus.FAILED:
            badge, badge_class = part.get_status_display(), "warn"
            state = Truncator(part.error).chars(PART_ERROR_SHOWN) if part.error else _("no reason recorded")
        else:
            state = _("Waiting for a worker")
        end = part.finished_at if part.status == RunStatus.DONE else (now if part.status == RunStatus.RUNNING
                                                                      else None)
        rows.append({
            "number": part.index + 1, "status": part.status, "state": state, "badge": badge,
            "badge_class": badge_class,
            "range": _part_range_text(list(part.agreement_ids), agreements), "projects": len(part.agreement_ids),
            "settled": len(part.agreement_ids) if part.status == RunStatus.DONE else 0,
            "progress": 100 if part.status == RunStatus.DONE else 0, "attempts": part.attempts,
            "duration": duration_text((end - part.started_at).total_seconds()) if end and part.started_at else "–",
            "resumable": part.status == RunStatus.FAILED and run.may_resume,
        })
    return rows
