"""The "cut fake work" measures read from the agreements' change requests, on a hand-made set with exact numbers:
days from a request for approval to the PM's answer, and the share of requests that were notices."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from tests.finance.conftest import at

from doyak.agreements.models import ApprovedBudget
from doyak.agreements.services import change_propose, change_transition
from doyak.kpi.selectors import indicator_get_or_raise, indicator_state

AS_OF = dt.date(2026, 12, 1)


def _state(key):
    return indicator_state(indicator=indicator_get_or_raise(key=key, on=AS_OF), as_of=AS_OF)


def _budget_edit(agreement, **amounts):
    return [{"year": b.year, "category": b.category, "organization_id": b.organization_id,
             "gov_krw": amounts.get(b.category, b.gov_krw), "cash_krw": b.cash_krw, "in_kind_krw": b.in_kind_krw}
            for b in ApprovedBudget.objects.filter(agreement=agreement)]


@pytest.fixture
def requests(make_agreement, make_user, make_organization, chain, monkeypatch):
    """Two agreements; on the first a notice (2026-04-01) then a period change approved 14 days after it was
    asked for (04-10 → 04-24); on the second a period change rejected after 4 days (05-01 → 05-05) and one
    still waiting (asked 06-01). Each step happens at its Seoul time (the clock is set, the database is real)."""
    def on(day, time="10:00"):
        monkeypatch.setattr(timezone, "now", lambda: at(day, time))
        return at(day, time).date()

    budget = {"materials": 20_000_000, "activities": 8_000_000}
    first, second = (make_agreement(lead=make_organization(), budget=budget) for _ in range(2))
    users = [make_user(role="applicant", organization=a.proposal.lead_organization) for a in (first, second)]

    def ask(index, day, **edits):
        today = on(day)
        change = change_propose(actor=users[index], agreement_id=(first, second)[index].pk, edits=edits)
        return change_transition(actor=users[index], change_id=change.pk, name="submit", today=today)

    def answer(change, day, name, note=""):
        return change_transition(actor=chain.pm, change_id=change.pk, name=name, note=note, today=on(day, "16:00"))

    notice = ask(0, "2026-04-01", budget=_budget_edit(first, materials=12_000_000, activities=9_000_000))
    approved = answer(ask(0, "2026-04-10", end_date=dt.date(2027, 6, 30)), "2026-04-24", "approve")
    rejected = answer(ask(1, "2026-05-01", end_date=dt.date(2027, 6, 30)), "2026-05-05", "reject", "사유 부족")
    waiting = ask(1, "2026-06-01", end_date=dt.date(2027, 3, 31))
    monkeypatch.undo()
    assert [c.status for c in (notice, approved, rejected, waiting)] == ["applied", "applied", "rejected", "submitted"]
    return notice, approved, rejected, waiting


@pytest.mark.django_db
def test_change_answer_days_and_share_of_notices_on_a_hand_made_set(requests):
    notice, approved, rejected, waiting = requests
    state = _state("fake_work.change_answer_days")
    # the notice needs no answer and the waiting request has none yet: (14 + 4) / 2
    assert [(r.ref, r.value) for r in state.records] == [(f"change:{approved.pk}", Decimal(14)),
                                                         (f"change:{rejected.pk}", Decimal(4))]
    assert state.actual == Decimal(9)
    assert (state.target, state.deadline, state.status) == (Decimal(7), 2030, "on_track")  # 9 ≤ 20 days
    # and the share of notices counts every submitted request once (one set of records for both: it is slow)
    state = _state("fake_work.change_notice_share")
    assert [(r.ref, r.value) for r in state.records] == [
        (f"change:{notice.pk}", Decimal(100)), (f"change:{approved.pk}", Decimal(0)),
        (f"change:{rejected.pk}", Decimal(0)), (f"change:{waiting.pk}", Decimal(0))]
    assert state.actual == Decimal(25)  # 1 notice of 4 requests
    assert state.status == "at_risk"  # 25% against a 2026 trajectory near 50%


@pytest.mark.django_db
def test_evidence_removed_by_exemptions_without_settlement_runs_is_no_data_saying_why(db):
    from django.utils import translation

    with translation.override("en"):
        state = _state("fake_work.evidence_removed_by_exemptions")
    assert (state.actual, state.status, state.target) == (None, "no_data", Decimal(50))
    assert "settlement run" in state.no_data_reason
