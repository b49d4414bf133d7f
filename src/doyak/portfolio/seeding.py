"""Demo data for ``doyak seed``: two solved scenarios that differ (objective and non-capital share) for the call
with the most evaluated proposals; the first
that solves is submitted by the program manager and approved by the administrator, which selects the call's
proposals and makes their agreement drafts (all through the services)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import translation

from doyak.accounts.enums import Role
from doyak.calls.models import Call
from doyak.core.errors import Conflict, DoyakError
from doyak.proposals.enums import ProposalStatus
from doyak.proposals.workflow import TRANSITIONS

from .enums import ScenarioStatus
from .models import Scenario

logger = logging.getLogger(__name__)

DEMO_NAMES = ("계획 목표 기본안", "과제 수 최대·비수도권 비중 상향안")
# The variant asks another question than the base: as many good proposals as possible (total score) rather
# than score weighted by funds, and more of the budget outside the capital region; so they select differently.
VARIANT_OBJECTIVE = "total_score"
HIGHER_NON_CAPITAL_SHARE = 0.6  # demo variant only: a PM's "what if" (not a policy number)


def portfolio_seed(*, scale: str, seed: int,
                   progress: Callable[[str, int, int], None] | None = None) -> dict[str, int]:
    """Two demo scenarios (pre-filled, and a variant with a higher non-capital share), solved; none when no
    proposal has an evaluation score yet or no program manager exists. Idempotent. Returns ``{"scenarios": n}``."""
    from .services import scenario_approve, scenario_create, scenario_solve_execute, scenario_submit

    progress = progress or (lambda label, done, total: None)
    pm = (get_user_model().objects.filter(Q(username="pm") | Q(role=Role.PROGRAM_MANAGER), is_active=True)
          .order_by("-username").first())
    evaluated = Q(proposals__status=ProposalStatus.EVALUATED)
    call = (Call.objects.annotate(scored=Count("proposals", filter=evaluated))
            .filter(scored__gt=0).order_by("-scored", "pk").first())
    if pm is None or call is None or Scenario.objects.filter(call=call, name__in=DEMO_NAMES).exists():
        return {"scenarios": 0, "scenarios_approved": 0}
    made = approved = 0
    with translation.override("ko"):
        base = scenario_create(actor=pm, name=DEMO_NAMES[0], call_id=call.pk)
        variant_policy = {**base.policy, "objective": VARIANT_OBJECTIVE, "constraint": [
            {**c, "budget_share_min": max(c["budget_share_min"], HIGHER_NON_CAPITAL_SHARE)}
            if c.get("group") == {"region_group": "non_capital"} and "budget_share_min" in c else c
            for c in base.policy.get("constraint", [])]}
        if variant_policy == base.policy:
            variant_policy["constraint"] = [*variant_policy["constraint"], {
                "name": "비수도권 예산 비중", "group": {"region_group": "non_capital"},
                "budget_share_min": HIGHER_NON_CAPITAL_SHARE}]
        variant = scenario_create(actor=pm, name=DEMO_NAMES[1], call_id=call.pk, policy=variant_policy)
        variant.prefill_notes = base.prefill_notes
        variant.save(update_fields=["prefill_notes"])
        solved = []
        for i, scenario in enumerate((base, variant), start=1):
            # As ``scenario_solve_request`` marks it, but solved here rather than by a queued task.
            Scenario.objects.filter(pk=scenario.pk).update(status=ScenarioStatus.SOLVING)
            try:
                scenario = scenario_solve_execute(scenario_id=scenario.pk)
            except DoyakError:  # an unsolvable demo stays a draft with its error; seeding goes on
                continue
            finally:
                made += 1
                progress("portfolio scenarios", i, 2)
            if scenario.status == ScenarioStatus.SOLVED:
                solved.append(scenario)
        approver = (get_user_model().objects.filter(is_active=True)
                    .filter(Q(role__in=TRANSITIONS["select"].roles) | Q(is_superuser=True)).order_by("pk").first())
        if solved and approver is not None:
            scenario_submit(actor=pm, scenario_id=solved[0].pk)
            try:
                scenario_approve(actor=approver, scenario_id=solved[0].pk)
                approved = 1
            except Conflict as exc:  # e.g. an appeal window still open: the scenario waits, submitted
                logger.info("seed: scenario %s not approved: %s", solved[0].pk, exc.message)
    return {"scenarios": made, "scenarios_approved": approved}
