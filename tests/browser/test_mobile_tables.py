"""The budget, team, scoring and ledger tables at 390 px (a phone): the page never scrolls sideways, a wide
table scrolls inside its frame with its label column kept in view, and amounts are never broken."""

from __future__ import annotations

import pytest

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.presentation, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

TABLE_STATE = """() => {
  const overflow = document.scrollingElement.scrollWidth - window.innerWidth;
  const tables = [...document.querySelectorAll('.dy-table-wrap .dy-table')].map((t) => {
    const first = t.querySelector('tbody tr > :first-child:not([colspan])');
    const nums = [...t.querySelectorAll('td.num, th.num')];
    const lineHeight = (el) => parseFloat(getComputedStyle(el).lineHeight) || 24;
    return {
      sticky: first ? getComputedStyle(first).position : 'none',
      broken: nums.filter((el) => el.innerText.trim() && getComputedStyle(el).whiteSpace !== 'nowrap').length,
    };
  });
  return {overflow, tables};
}"""


def test_tables_on_a_phone(logged_in_page, live_server):
    from doyak.accounts.models import User
    from doyak.agreements.models import Agreement
    from doyak.demo.seeding import seed_run
    from doyak.evaluation.models import Assignment
    from doyak.evaluation.services import pledge_sign
    from doyak.proposals.models import Proposal

    # given the demo data: the applicant's draft, the evaluator's assignment (pledge signed), an agreement
    seed_run(scale="demo", seed=2026)
    applicant, evaluator, pm = (User.objects.get(username=u) for u in ("applicant", "evaluator", "pm"))
    draft = Proposal.objects.filter(lead_organization=applicant.organization, status="draft").first()
    assignment = Assignment.objects.filter(profile__user=evaluator).order_by("pk").first()
    pledge_sign(actor=evaluator, proposal_id=assignment.proposal_id)
    agreement = Agreement.objects.order_by("pk").first()
    pages = [
        (applicant, f"/proposals/{draft.pk}/edit/budget/", "budget"),
        (applicant, f"/proposals/{draft.pk}/edit/team/", "team"),
        (evaluator, f"/evaluation/review/{assignment.proposal_id}/", "scoring"),
        (pm, f"/finance/agreements/{agreement.pk}/", "ledger"),
    ]
    for user, path, name in pages:
        # when each opens the page on a phone
        page = logged_in_page(user, width=390)
        page.goto(f"{live_server.url}{path}")
        screenshot(page, f"mobile-{name}-{user.username}-ko")
        state = page.evaluate(TABLE_STATE)
        # then the page fits the screen; each table keeps its label column in view and its numbers whole
        assert state["overflow"] <= 0, (name, state)
        assert state["tables"], name
        assert all(t["sticky"] == "sticky" for t in state["tables"]), (name, state)
        assert all(t["broken"] == 0 for t in state["tables"]), (name, state)
        page.close()
