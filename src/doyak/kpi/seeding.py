"""Demo records behind the board's fund cards: the closed calls of the tracks the funds indicators count
(the regional package's ``regional_only``, the on-device chip's ``max_on_device_chip``) that no panel took up
yet go through the product's chain as the program manager would take them, through the services: a panel,
its assignment, every evaluator's scores, published results (long enough ago that the appeal window closed),
a solved portfolio scenario approved, and the agreements concluded. A call already on a panel (the demo
evaluator's work in progress) is left as it is. Deterministic per seed; a second run adds nothing."""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from doyak.accounts.enums import Role
from doyak.calls.enums import CallStatus
from doyak.calls.models import Call
from doyak.core.errors import DoyakError
from doyak.policies.services import policy_value
from doyak.proposals.enums import ProposalStatus

from .models import Indicator

logger = logging.getLogger(__name__)

PANEL_NAME = "서면평가 1분과"
SCENARIO_NAME = "계획 목표안 (협약 기금 선정)"
PUBLISHED_DAYS_AFTER_WINDOW = 4


def _fund_tracks() -> list[str]:
    """The tracks the board's fund indicators count (their selector parameters: data, not a list here)."""
    tracks: list[str] = []
    for params in Indicator.objects.filter(selector="agreement_funds").values_list("selector_params", flat=True):
        tracks += [t for t in (params or {}).get("tracks", []) if t not in tracks]
    return tracks


def kpi_funds_seed(*, scale: str, seed: int, progress: Callable[[str, int, int], None] | None = None
                   ) -> dict[str, int]:
    from doyak.agreements.models import Agreement
    from doyak.agreements.services import agreements_conclude_for_call
    from doyak.evaluation.models import Panel
    from doyak.evaluation.seeding import _assign, _score  # the evaluation seed's own steps, reused
    from doyak.evaluation.services import decisions_publish, panel_create
    from doyak.portfolio.enums import ScenarioStatus
    from doyak.portfolio.models import Scenario
    from doyak.portfolio.services import (
        scenario_approve,
        scenario_create,
        scenario_solve_execute,
        scenario_submit,
    )
    from doyak.proposals.workflow import TRANSITIONS

    added = {"fund_calls_selected": 0}
    users = get_user_model().objects.filter(is_active=True)
    pm = users.filter(Q(username="pm") | Q(role=Role.PROGRAM_MANAGER)).order_by("-username").first()
    approver = users.filter(Q(role__in=TRANSITIONS["select"].roles) | Q(is_superuser=True)).order_by("pk").first()
    if pm is None or approver is None:
        return added
    waiting = [ProposalStatus.SUBMITTED, ProposalStatus.UNDER_REVIEW]
    on_panel = Panel.objects.values("call_id")
    calls = [c for c in Call.objects.filter(status=CallStatus.CLOSED, track__in=_fund_tracks())
             .exclude(pk__in=on_panel).order_by("reference")
             if c.proposals.filter(status__in=waiting).exists()
             and not Agreement.objects.filter(proposal__call=c).exists()]
    window = int(policy_value("evaluation.appeal_window_days"))
    published_at = timezone.now() - dt.timedelta(days=window + PUBLISHED_DAYS_AFTER_WINDOW)
    rng = random.Random(seed * 7919 + 13)
    with transaction.atomic(), translation.override("ko"):
        for index, call in enumerate(calls, start=1):
            ids = list(call.proposals.filter(status__in=waiting).order_by("reference").values_list("pk", flat=True))
            panel = panel_create(actor=pm, call_id=call.pk, data={"name": PANEL_NAME}, proposal_ids=ids)
            if not _assign(actor=pm, panel=panel):
                continue
            _score(panel=panel, rng=rng, share=1.0)
            decisions_publish(actor=pm, panel_id=panel.pk, now=published_at)
            scenario = scenario_create(actor=pm, name=SCENARIO_NAME, call_id=call.pk)
            # as ``scenario_solve_request`` marks it, but solved here rather than by a queued task
            Scenario.objects.filter(pk=scenario.pk).update(status=ScenarioStatus.SOLVING)
            try:
                scenario = scenario_solve_execute(scenario_id=scenario.pk)
                if scenario.status != ScenarioStatus.SOLVED:
                    continue
                scenario_submit(actor=pm, scenario_id=scenario.pk)
                scenario_approve(actor=approver, scenario_id=scenario.pk)
            except DoyakError as exc:  # an unsolvable or refused demo stays as it is; seeding goes on
                logger.info("seed: call %s not selected: %s", call.reference, exc)
                continue
            agreements_conclude_for_call(actor=pm, call_id=call.pk)
            added["fund_calls_selected"] += 1
            if progress:
                progress("KPI fund calls", index, len(calls))
    return added
