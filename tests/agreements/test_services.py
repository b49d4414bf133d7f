"""Agreement services: signing (each signature audited, both → version 1), change requests classified by the
policy records (a notice applies on submission, a request with any major item waits whole for the PM), the
PM's decisions, permissions (refusals change nothing), and settlement against the version in force."""

from __future__ import annotations

import datetime as dt

import pytest

from doyak.agreements.models import Agreement, AgreementVersion, ApprovedBudget, ChangeRequest, Signature
from doyak.agreements.services import agreement_sign, change_propose, change_transition, change_update
from doyak.core.errors import AccessDenied, Conflict, ValidationFailed
from doyak.core.models import AuditEvent

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 5, 4)


def _budget_edit(agreement, **amounts):
    """The agreement's budget with some categories' government funds replaced."""
    return [{"year": b.year, "category": b.category, "organization_id": b.organization_id,
             "gov_krw": amounts.get(b.category, b.gov_krw), "cash_krw": b.cash_krw, "in_kind_krw": b.in_kind_krw}
            for b in ApprovedBudget.objects.filter(agreement=agreement)]


@pytest.fixture
def project(make_agreement, make_user, make_researcher, make_organization):
    """An active agreement (PI 김책임 at the lead institution) and the lead institution's applicant."""
    lead = make_organization()
    pi = make_researcher(organization=lead, name="김책임")
    agreement = make_agreement(lead=lead, pi=pi, budget={"materials": 20_000_000, "activities": 8_000_000})
    applicant = make_user(role="applicant", organization=lead)
    return agreement, applicant, make_researcher(organization=lead, name="박책임")


# ------------------------------------------------------------------------------------------------ signing

def test_both_signatures_freeze_version_one_and_activate_a_started_agreement(make_agreement, make_user, chain):
    # given the draft an approved portfolio made, and the lead institution's applicant
    agreement = make_agreement(conclude=False)
    applicant = make_user(role="applicant", organization=agreement.proposal.lead_organization)
    # when the institution signs: still a draft, its signature recorded and audited
    agreement_sign(actor=applicant, agreement_id=agreement.pk, today=TODAY)
    agreement.refresh_from_db()
    assert (agreement.status, agreement.version, agreement.versions.count()) == ("draft", 0, 0)
    # when the PM signs too: signed, version 1 frozen, active at once (the start date has passed)
    agreement_sign(actor=chain.pm, agreement_id=agreement.pk, today=TODAY)
    agreement.refresh_from_db()
    assert (agreement.status, agreement.version) == ("active", 1)
    assert set(Signature.objects.filter(agreement=agreement).values_list("side", "signed_by")) == {
        ("institution", applicant.pk), ("manager", chain.pm.pk)}
    assert AgreementVersion.objects.get(agreement=agreement).frozen_at is not None
    assert list(AuditEvent.objects.filter(action__startswith="agreement.sign").order_by("id").values_list(
        "action", "actor_id")) == [("agreement.sign", applicant.pk), ("agreement.sign", chain.pm.pk),
                                   ("agreement.signed", chain.pm.pk)]


def test_agreement_signed_before_its_start_waits_as_signed(make_agreement, make_user, chain):
    agreement = make_agreement(conclude=False, start=dt.date(2026, 7, 1), end=dt.date(2027, 6, 30))
    applicant = make_user(role="applicant", organization=agreement.proposal.lead_organization)
    agreement_sign(actor=chain.pm, agreement_id=agreement.pk, today=TODAY)
    agreement_sign(actor=applicant, agreement_id=agreement.pk, today=TODAY)
    assert Agreement.objects.get(pk=agreement.pk).status == "signed"


def test_signing_refused_to_others_and_twice(make_agreement, make_user, chain, make_organization):
    agreement = make_agreement(conclude=False)
    stranger = make_user(role="applicant", organization=make_organization())
    council = make_user(role="council_member")
    before = AuditEvent.objects.count()
    for actor in (stranger, council):
        with pytest.raises(AccessDenied):
            agreement_sign(actor=actor, agreement_id=agreement.pk)
    assert (Signature.objects.count(), AuditEvent.objects.count()) == (0, before)
    agreement_sign(actor=chain.pm, agreement_id=agreement.pk)
    with pytest.raises(Conflict):
        agreement_sign(actor=chain.pm, agreement_id=agreement.pk)
    assert Signature.objects.count() == 1


# ------------------------------------------------------------------------------------------------ changes

def test_notice_takes_effect_on_submission(project):
    # given an active agreement; when the institution moves 3M from materials to activities
    agreement, applicant, _ = project
    change = change_propose(actor=applicant, agreement_id=agreement.pk, reason="시약 대신 외부 시험",
                            edits={"budget": _budget_edit(agreement, materials=12_000_000, activities=9_000_000)})
    change = change_transition(actor=applicant, change_id=change.pk, name="submit", today=TODAY)
    # then it is a notice, applied at once as version 2, in force from today
    assert (change.status, change.classification, change.due_date) == ("applied", "minor", None)
    assert [(i["field"].split(".")[-1], i["class"], i["rule"]) for i in change.items] == [
        ("activities", "minor", "agreement_change.class.budget_transfer"),
        ("materials", "minor", "agreement_change.class.budget_transfer")]
    agreement.refresh_from_db()
    version = agreement.versions.get(number=2)
    assert (agreement.version, version.effective_from, version.change_request_id) == (2, TODAY, change.pk)
    assert dict(ApprovedBudget.objects.filter(agreement=agreement).values_list("category", "gov_krw")) == {
        "materials": 12_000_000, "activities": 9_000_000}


def test_major_request_waits_whole_and_the_pm_approves(project, chain):
    # given a PI change with a budget move (major + minor)
    agreement, applicant, new_pi = project
    change = change_propose(actor=applicant, agreement_id=agreement.pk, edits={"pi_id": new_pi.pk})
    change_update(actor=applicant, change_id=change.pk,
                  edits={"budget": _budget_edit(agreement, materials=12_000_000, activities=9_000_000)})
    change = change_transition(actor=applicant, change_id=change.pk, name="submit", today=TODAY)
    # then the whole request waits, due in the policy's 30 days, and nothing is in force yet
    assert (change.status, change.classification, change.due_date) == ("submitted", "major", TODAY + dt.timedelta(30))
    assert [(i["field"], i["class"]) for i in change.items][0] == ("pi", "major")
    assert Agreement.objects.get(pk=agreement.pk).version == 1
    # when the PM approves (no effective date asked: today): approved and at once applied as version 2
    change = change_transition(actor=chain.pm, change_id=change.pk, name="approve", today=TODAY)
    assert (change.status, change.decided_by_id, change.effective_date) == ("applied", chain.pm.pk, TODAY)
    assert list(AuditEvent.objects.filter(action__in=["change.approve", "change.apply"]).order_by("id").values_list(
        "action", "actor_id", "changes__status")) == [("change.approve", chain.pm.pk, ["submitted", "approved"]),
                                                      ("change.apply", None, ["approved", "applied"])]
    terms = AgreementVersion.objects.get(agreement=agreement, number=2).terms
    assert terms["pi"] == {"id": new_pi.pk, "name": "박책임"}
    assert agreement.researchers.get(is_pi=True).researcher_id == new_pi.pk
    # and version 1 is unchanged
    assert AgreementVersion.objects.get(agreement=agreement, number=1).terms["pi"]["name"] == "김책임"


def test_returned_request_is_edited_and_submitted_again(project, chain):
    agreement, applicant, new_pi = project
    change = change_propose(actor=applicant, agreement_id=agreement.pk, edits={"pi_id": new_pi.pk})
    change_transition(actor=applicant, change_id=change.pk, name="submit", today=TODAY)
    # when the PM returns it without comments: refused; with comments: returned
    with pytest.raises(ValidationFailed):
        change_transition(actor=chain.pm, change_id=change.pk, name="return")
    change = change_transition(actor=chain.pm, change_id=change.pk, name="return", note="사유서를 붙여 주십시오.")
    assert (change.status, change.decision_note) == ("returned", "사유서를 붙여 주십시오.")
    change_update(actor=applicant, change_id=change.pk, edits={}, reason="책임자 퇴직")
    change = change_transition(actor=applicant, change_id=change.pk, name="submit", today=TODAY)
    assert (change.status, change.reason, change.decision_note) == ("submitted", "책임자 퇴직", "")


def test_rejected_request_changes_nothing_in_force(project, chain):
    agreement, applicant, new_pi = project
    change = change_propose(actor=applicant, agreement_id=agreement.pk, edits={"end_date": dt.date(2027, 6, 30)})
    change_transition(actor=applicant, change_id=change.pk, name="submit", today=TODAY)
    change = change_transition(actor=chain.pm, change_id=change.pk, name="reject", note="기간 연장 사유 부족")
    agreement.refresh_from_db()
    assert (change.status, agreement.version, agreement.end_date) == ("rejected", 1, dt.date(2026, 12, 31))


def test_empty_request_and_second_open_request_are_refused(project):
    agreement, applicant, new_pi = project
    change = change_propose(actor=applicant, agreement_id=agreement.pk)
    with pytest.raises(ValidationFailed):
        change_transition(actor=applicant, change_id=change.pk, name="submit")
    with pytest.raises(Conflict):
        change_propose(actor=applicant, agreement_id=agreement.pk, edits={"pi_id": new_pi.pk})


def test_refused_proposals_and_decisions_change_nothing(project, make_user, make_organization, chain):
    agreement, applicant, new_pi = project
    stranger = make_user(role="applicant", organization=make_organization())
    auditor = make_user(role="auditor")
    before = (ChangeRequest.objects.count(), AuditEvent.objects.count())
    for actor in (stranger, auditor):
        with pytest.raises(AccessDenied):
            change_propose(actor=actor, agreement_id=agreement.pk, edits={"pi_id": new_pi.pk})
    assert (ChangeRequest.objects.count(), AuditEvent.objects.count()) == before
    change = change_propose(actor=applicant, agreement_id=agreement.pk, edits={"pi_id": new_pi.pk})
    change_transition(actor=applicant, change_id=change.pk, name="submit", today=TODAY)
    events = AuditEvent.objects.count()
    for actor in (applicant, auditor, stranger):  # the institution does not approve its own request
        with pytest.raises(AccessDenied):
            change_transition(actor=actor, change_id=change.pk, name="approve")
    assert (ChangeRequest.objects.get(pk=change.pk).status, AuditEvent.objects.count()) == ("submitted", events)


def test_pm_may_propose_a_change_too(project, chain):
    agreement, _applicant, _ = project
    change = change_propose(actor=chain.pm, agreement_id=agreement.pk, edits={"method": "새 시험 방법"})
    change = change_transition(actor=chain.pm, change_id=change.pk, name="submit", today=TODAY)
    assert (change.status, Agreement.objects.get(pk=agreement.pk).method) == ("applied", "새 시험 방법")


def test_raising_indirect_cost_waits_for_approval(make_agreement, make_user):
    agreement = make_agreement(budget={"materials": 20_000_000, "indirect": 2_000_000})
    applicant = make_user(role="applicant", organization=agreement.proposal.lead_organization)
    edits = {"budget": _budget_edit(agreement, materials=14_000_000, indirect=2_000_000 * 3 // 4 + 1_000_000)}
    change = change_propose(actor=applicant, agreement_id=agreement.pk, edits=edits)
    change = change_transition(actor=applicant, change_id=change.pk, name="submit", today=TODAY)
    assert (change.status, change.classification) == ("submitted", "major")
    assert ("indirect.total", "major", "agreement_change.class.indirect_increase") in [
        (i["field"], i["class"], i["rule"]) for i in change.items]


def test_signed_agreement_becomes_active_on_its_start_date(make_agreement, make_user, chain):
    from doyak.accounts.rules import SYSTEM
    from doyak.agreements.services import agreements_activate_started

    agreement = make_agreement(conclude=False, start=dt.date(2026, 7, 1), end=dt.date(2027, 6, 30))
    applicant = make_user(role="applicant", organization=agreement.proposal.lead_organization)
    agreement_sign(actor=chain.pm, agreement_id=agreement.pk, today=TODAY)
    agreement_sign(actor=applicant, agreement_id=agreement.pk, today=TODAY)
    assert agreements_activate_started(actor=SYSTEM, today=dt.date(2026, 6, 30)) == 0
    assert agreements_activate_started(actor=SYSTEM, today=dt.date(2026, 7, 1)) == 1
    assert Agreement.objects.get(pk=agreement.pk).status == "active"


def test_approved_change_effective_later_waits_for_its_date(project, chain):
    from doyak.accounts.rules import SYSTEM
    from doyak.agreements.services import agreements_daily, changes_apply_due

    # given a PI change asked to take effect on 2026-06-01, submitted and approved on TODAY (2026-05-04)
    agreement, applicant, new_pi = project
    change = change_propose(actor=applicant, agreement_id=agreement.pk,
                            edits={"pi_id": new_pi.pk, "effective_date": dt.date(2026, 6, 1)})
    change_transition(actor=applicant, change_id=change.pk, name="submit", today=TODAY)
    change = change_transition(actor=chain.pm, change_id=change.pk, name="approve", today=TODAY)
    # then it is approved (the decision stored), nothing is in force yet, and the next change waits for it
    assert (change.status, change.decided_by_id, change.effective_date) == ("approved", chain.pm.pk,
                                                                            dt.date(2026, 6, 1))
    agreement.refresh_from_db()
    assert (agreement.version, agreement.researchers.get(is_pi=True).researcher.name) == (1, "김책임")
    with pytest.raises(Conflict):
        change_propose(actor=applicant, agreement_id=agreement.pk, edits={"method": "다른 방법"})
    # and neither the PM nor the day before puts it in force
    with pytest.raises(AccessDenied):
        change_transition(actor=chain.pm, change_id=change.pk, name="apply", today=dt.date(2026, 6, 1))
    with pytest.raises(Conflict):
        change_transition(actor=SYSTEM, change_id=change.pk, name="apply", today=dt.date(2026, 5, 31))
    assert changes_apply_due(actor=SYSTEM, today=dt.date(2026, 5, 31)) == 0
    # when the daily job runs on the effective date: applied as version 2, in force from that date
    assert agreements_daily(actor=SYSTEM, today=dt.date(2026, 6, 1)) == {"activated": 0, "changes_applied": 1}
    change.refresh_from_db()
    agreement.refresh_from_db()
    version = agreement.versions.get(number=2)
    assert (change.status, agreement.version, version.effective_from, version.change_request_id) == (
        "applied", 2, dt.date(2026, 6, 1), change.pk)
    assert agreement.researchers.get(is_pi=True).researcher_id == new_pi.pk
    assert changes_apply_due(actor=SYSTEM, today=dt.date(2026, 6, 2)) == 0


def test_effective_date_outside_the_period_is_refused(project):
    agreement, applicant, new_pi = project
    with pytest.raises(ValidationFailed) as refused:
        change_propose(actor=applicant, agreement_id=agreement.pk,
                       edits={"pi_id": new_pi.pk, "effective_date": dt.date(2027, 1, 1)})
    assert (refused.value.code, ChangeRequest.objects.count()) == ("effective_date_invalid", 0)


def test_every_list_term_is_classified_by_its_rule(project, chain, make_organization):
    """KPIs, stages, parties and equipment edited one at a time: each difference falls under its policy rule
    (each request is rejected so that the next one can be proposed)."""
    agreement, applicant, _ = project
    partner = make_organization(name="새참여기관")
    lead_id = agreement.proposal.lead_organization_id
    cases = [
        ({"kpis": [{"name": "특허 출원", "unit": "건", "baseline": 0, "target": 3, "year": 2026}]},
         [("kpis", "major", "agreement_change.class.goals")]),
        ({"stages": [{"start_date": dt.date(2026, 1, 1), "end_date": dt.date(2026, 6, 30)},
                     {"start_date": dt.date(2026, 7, 1), "end_date": dt.date(2026, 12, 31)}]},
         [("stages", "major", "agreement_change.class.period")]),
        ({"parties": [{"organization_id": partner.pk, "role": "subcontractor"}]},
         [("parties", "major", "agreement_change.class.parties")]),
        ({"equipment": [{"year": 2026, "organization_id": lead_id, "description": "분광기", "amount_krw": 30_000_000}]},
         [(f"budget.2026.{lead_id}.equipment", "minor", "agreement_change.class.budget_transfer"),
          (f"equipment.2026.{lead_id}.분광기", "major", "agreement_change.class.equipment_unplanned")]),
    ]
    for edits, expected in cases:
        change = change_propose(actor=applicant, agreement_id=agreement.pk, edits=edits)
        change = change_transition(actor=applicant, change_id=change.pk, name="submit", today=TODAY)
        assert [(i["field"], i["class"], i["rule"]) for i in change.items] == expected
        assert (change.status, change.classification) == ("submitted", "major")
        change_transition(actor=chain.pm, change_id=change.pk, name="reject", note="다음 사례")
    # equipment under the threshold is planned on a new (empty) equipment line: a budget move, a notice
    change = change_propose(actor=applicant, agreement_id=agreement.pk, edits={"equipment": [
        {"year": 2026, "organization_id": lead_id, "description": "저울", "amount_krw": 29_999_999}]})
    change = change_transition(actor=applicant, change_id=change.pk, name="submit", today=TODAY)
    assert [(i["field"], i["class"], i["rule"]) for i in change.items] == [
        (f"budget.2026.{lead_id}.equipment", "minor", "agreement_change.class.budget_transfer")]
    assert change.status == "applied"
    assert ApprovedBudget.objects.get(agreement=agreement, category="equipment").items == [
        {"description": "저울", "amount_krw": 29_999_999}]


def test_stages_that_leave_a_gap_are_refused(project):
    agreement, applicant, _ = project
    with pytest.raises(ValidationFailed) as refused:
        change_propose(actor=applicant, agreement_id=agreement.pk, edits={"stages": [
            {"start_date": dt.date(2026, 1, 1), "end_date": dt.date(2026, 6, 29)},
            {"start_date": dt.date(2026, 7, 1), "end_date": dt.date(2026, 12, 31)}]})
    assert (refused.value.code, ChangeRequest.objects.count()) == ("stages_invalid", 0)
