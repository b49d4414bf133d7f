"""The selection chain walked through the product's own services, for tests that need proposals that passed
evaluation, were selected or hold an agreement.

Fixtures build state through services (see tests/README.md): a proposal is *evaluated* only because a panel
published its score, *selected* only because an administrator approved a portfolio scenario. Nothing here
writes a workflow state directly.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

_n = itertools.count(1)


class Chain:
    """``chain.scored(call, gov=…, score=…)``, ``chain.evaluate(call, {proposal: score})``,
    ``chain.approve(call, policy=…)``, ``chain.agreement(…)``: each step by the role that owns it."""

    def __init__(self, *, make_organization, make_researcher, make_user, make_proposal):
        self._make_organization = make_organization
        self._make_researcher = make_researcher
        self._make_user = make_user
        self._make_proposal = make_proposal
        self.pm = make_user(role="program_manager")
        self.admin = make_user(role="administrator")
        self._profiles = None

    # ---------------------------------------------------------------- evaluation
    def profiles(self):
        """Two economic experts with sign-ins, from an organisation of their own (no conflicts)."""
        from doyak.evaluation.models import EvaluatorProfile

        if self._profiles is None:
            org = self._make_organization(name=f"평가기관{next(_n)}")
            self._profiles = []
            for _ in range(2):
                researcher = self._make_researcher(organization=org, department="평가실")
                user = self._make_user(role="evaluator", researcher=researcher)
                self._profiles.append(EvaluatorProfile.objects.create(
                    researcher=researcher, user=user, name=researcher.name, keywords=["평가"],
                    is_economic_expert=True, max_load=10_000))
        return self._profiles

    def evaluate(self, call, scores: dict, *, now: dt.datetime | None = None, publish: bool = True):
        """A panel of the call for the submitted proposals in ``scores``; two evaluators give every criterion
        ``score`` percent of its scale (so the aggregated score is ``score`` when the weights add up to
        100); results published at ``now``. Returns the panel."""
        from doyak.calls.models import Criterion
        from doyak.evaluation.services import (
            assignment_add,
            decisions_publish,
            panel_create,
            pledge_sign,
            scores_save,
        )

        profiles = self.profiles()
        panel = panel_create(actor=self.pm, call_id=call.pk, data={"name": f"분과{next(_n)}", "per_proposal": 2},
                             proposal_ids=[p.pk for p in scores])
        criteria = list(Criterion.objects.filter(call=call).order_by("order", "pk"))
        for proposal, score in scores.items():
            for profile in profiles:
                assignment_add(actor=self.pm, panel_id=panel.pk, proposal_id=proposal.pk, profile_id=profile.pk)
                pledge_sign(actor=profile.user, proposal_id=proposal.pk)
                entries = [{"criterion_id": c.pk,
                            "score": str((Decimal(str(score)) * c.scale_max / 100).quantize(Decimal("0.01")))}
                           for c in criteria]
                scores_save(actor=profile.user, proposal_id=proposal.pk, entries=entries, submit=True)
        if publish:
            decisions_publish(actor=self.pm, panel_id=panel.pk, now=now)
        return panel

    def submitted(self, call, *, gov: int, region: str = "26", anchor: bool = False, lead=None, **fields):
        """A submitted proposal of ``call`` (led by ``lead`` or a new organisation of ``region``)."""
        lead = lead or self._make_organization(region_code=region, is_demand_anchor=anchor)
        return self._make_proposal(call=call, lead=lead, status="submitted", gov_total_krw=gov, **fields)

    def scored(self, call, *, gov: int, score, region: str = "26", anchor: bool = False,
               now: dt.datetime | None = None, **fields):
        """A submitted proposal evaluated on a panel of its own: *evaluated* at or above the cut-off, *not
        selected* below it."""
        proposal = self.submitted(call, gov=gov, region=region, anchor=anchor, **fields)
        self.evaluate(call, {proposal: score}, now=now)
        proposal.refresh_from_db()
        return proposal

    # ---------------------------------------------------------------- portfolio
    @staticmethod
    def after_appeals(call=None) -> dt.datetime:
        """A moment after every appeal window of results published now."""
        from doyak.policies.services import policy_value

        return timezone.now() + dt.timedelta(days=int(policy_value("evaluation.appeal_window_days")) + 1)

    def solve(self, scenario):
        """As the worker would: the PM asks for the solve, the task runs it."""
        from doyak.portfolio.services import scenario_solve_execute, scenario_solve_request

        scenario_solve_request(actor=self.pm, scenario_id=scenario.pk)
        return scenario_solve_execute(scenario_id=scenario.pk)

    def scenario(self, call, *, policy: dict | None = None, name: str | None = None):
        from doyak.portfolio.services import scenario_create

        policy = policy if policy is not None else {"budget": 10**13, "min_score": float(call.cutoff_score)}
        return self.solve(scenario_create(actor=self.pm, name=name or f"시나리오{next(_n)}", call_id=call.pk,
                                          policy=policy))

    def approve(self, call, *, policy: dict | None = None, now: dt.datetime | None = None):
        """Solve a scenario for the call, submit it (PM) and approve it (administrator) once the appeal
        windows have closed. Returns the approved scenario."""
        from doyak.portfolio.services import scenario_approve, scenario_submit

        scenario = self.scenario(call, policy=policy)
        scenario_submit(actor=self.pm, scenario_id=scenario.pk)
        return scenario_approve(actor=self.admin, scenario_id=scenario.pk, now=now or self.after_appeals())

    def selected(self, call, proposals: list, *, score=80):
        """Evaluate ``proposals`` (submitted) at ``score`` on one panel and approve a scenario that funds them
        all. Returns them, refreshed (each *selected*, with an agreement draft)."""
        self.evaluate(call, dict.fromkeys(proposals, score))
        self.approve(call)
        for p in proposals:
            p.refresh_from_db()
        return proposals
