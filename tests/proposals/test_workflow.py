"""Submission, withdrawal, review and who owns each decision: permissions, deadline, audit, e-mail on commit."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from doyak.core.errors import AccessDenied, Conflict
from doyak.core.models import AuditEvent
from doyak.proposals.enums import ProposalStatus
from doyak.proposals.models import BudgetLine, Proposal, TeamMember
from doyak.proposals.services import (
    ProposalRulesViolated,
    budget_lines_parse,
    proposal_budget_set,
    proposal_transition,
    proposal_update,
)
from doyak.proposals.workflow import TRANSITIONS, Owner, transitions_from

pytestmark = pytest.mark.django_db


@pytest.fixture
def transition(django_capture_on_commit_callbacks):
    """``proposal_transition`` with its on-commit callbacks (the e-mails) run, as a real commit would."""

    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return proposal_transition(**kwargs)

    return run

YEAR = timezone.localdate().year + 1


@pytest.fixture
def ready(make_proposal, make_organization, make_researcher, make_user):
    """A complete SME draft whose budget breaks the government-share rule by one won."""
    lead = make_organization(org_type="sme")
    applicant = make_user(role="applicant", organization=lead, email="applicant@example.kr")
    proposal = make_proposal(lead=lead, created_by=applicant, abstract_ko="요약", abstract_en="Summary")
    TeamMember.objects.create(proposal=proposal, researcher=make_researcher(organization=lead), is_pi=True,
                              monthly_percent={f"{YEAR}-01": 50})
    BudgetLine.objects.create(proposal=proposal, year=YEAR, organization=lead, category="personnel",
                              gov_krw=750_001, cash_krw=250_000)
    return proposal, applicant


def test_submit_refused_with_violations_changes_nothing(ready, transition):
    proposal, applicant = ready
    with pytest.raises(ProposalRulesViolated) as info:
        transition(actor=applicant, proposal_id=proposal.pk, name="submit")
    assert info.value.code == "proposal_rules_violated"
    assert [v.rule for v in info.value.violations] == ["gov_share"]
    assert info.value.as_dict()["violations"][0]["field"] == f"budget[{YEAR}][{proposal.lead_organization_id}].gov"
    proposal.refresh_from_db()
    assert proposal.status == "draft" and proposal.submitted_at is None
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(action="proposal.submit").exists()


def test_submit_after_fix_audits_and_emails(ready, transition):
    proposal, applicant = ready
    lines = budget_lines_parse([{"year": YEAR, "organization_id": proposal.lead_organization_id,
                                 "category": "personnel", "gov_krw": 750_000, "cash_krw": 250_000}])
    proposal_budget_set(actor=applicant, proposal_id=proposal.pk, lines=lines)
    transition(actor=applicant, proposal_id=proposal.pk, name="submit")
    proposal.refresh_from_db()
    assert proposal.status == "submitted" and proposal.submitted_at is not None
    assert (proposal.gov_total_krw, proposal.cash_total_krw) == (750_000, 250_000)
    event = AuditEvent.objects.get(action="proposal.submit")
    assert event.changes == {"status": ["draft", "submitted"]} and event.actor == applicant
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["applicant@example.kr"]
    assert proposal.reference in mail.outbox[0].subject
    assert "제출되었습니다" in mail.outbox[0].body and "was submitted" in mail.outbox[0].body


def test_review_is_started_by_the_ministry_and_select_is_no_ones_on_the_proposal(ready, make_user, transition):
    proposal, applicant = ready
    Proposal.objects.filter(pk=proposal.pk).update(status="submitted")
    pm = make_user(role="program_manager")
    admin = make_user(role="administrator")
    with pytest.raises(AccessDenied):
        transition(actor=applicant, proposal_id=proposal.pk, name="start_review")
    transition(actor=pm, proposal_id=proposal.pk, name="start_review")
    # the program manager never selects; the administrator only through a scenario's approval
    with pytest.raises(AccessDenied):
        transition(actor=pm, proposal_id=proposal.pk, name="select")
    with pytest.raises(Conflict) as info:
        transition(actor=admin, proposal_id=proposal.pk, name="select")
    assert info.value.code == "transition_owned_elsewhere"
    proposal.refresh_from_db()
    assert proposal.status == "under_review" and proposal.decided_at is None
    assert mail.outbox == []
    assert list(AuditEvent.objects.filter(object_id=str(proposal.pk)).order_by("id").values_list("action", flat=True)) \
        == ["proposal.start_review"]


@pytest.mark.parametrize("status", [s for s in ProposalStatus.values if s != "evaluated"])
def test_select_by_the_portfolio_is_refused_from_every_state_but_evaluated(ready, make_user, transition, status):
    proposal, _ = ready
    Proposal.objects.filter(pk=proposal.pk).update(status=status)
    admin = make_user(role="administrator")
    with pytest.raises(Conflict) as info:
        transition(actor=admin, proposal_id=proposal.pk, name="select", owner=Owner.PORTFOLIO_APPROVAL)
    assert info.value.code == "transition_invalid"
    proposal.refresh_from_db()
    assert proposal.status == status
    assert not AuditEvent.objects.filter(action="proposal.select").exists()


def test_select_by_the_portfolio_from_evaluated_stamps_audits_and_emails(ready, make_user, transition):
    proposal, _ = ready
    Proposal.objects.filter(pk=proposal.pk).update(status="evaluated")
    admin = make_user(role="administrator")
    transition(actor=admin, proposal_id=proposal.pk, name="select", owner=Owner.PORTFOLIO_APPROVAL)
    proposal.refresh_from_db()
    assert proposal.status == "selected" and proposal.decided_at is not None
    assert [m.to for m in mail.outbox] == [["applicant@example.kr"]]
    assert "선정되었습니다" in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="proposal.select", object_id=str(proposal.pk)).count() == 1


def test_every_decision_has_one_owner_and_no_button():
    owners = {t.name: t.owner for t in TRANSITIONS.values()}
    assert owners == {"submit": "person", "withdraw": "person", "start_review": "person",
                      "pass_evaluation": "evaluation_publication", "fail_evaluation": "evaluation_publication",
                      "reinstate": "appeal_answer", "select": "portfolio_approval", "reject": "portfolio_approval"}
    assert [t.name for t in transitions_from("evaluated", manual=True)] == []
    assert [t.name for t in transitions_from("under_review", manual=True)] == []


def test_the_portfolio_approval_is_the_only_code_that_selects():
    """No view, API or other service asks for select or reject as their owner but the scenario approval."""
    import pathlib

    import doyak

    root = pathlib.Path(doyak.__file__).parent
    users = sorted(str(path.relative_to(root)) for path in root.rglob("*.py")
                   if "owner=Owner.PORTFOLIO_APPROVAL" in path.read_text(encoding="utf-8").replace(" ", ""))
    assert users == ["portfolio/services.py", "proposals/workflow.py"]


def test_withdraw_before_deadline(ready, transition):
    proposal, applicant = ready
    Proposal.objects.filter(pk=proposal.pk).update(status="submitted")
    transition(actor=applicant, proposal_id=proposal.pk, name="withdraw")
    proposal.refresh_from_db()
    assert proposal.status == "withdrawn"


def test_editing_after_deadline_refused(ready, transition):
    proposal, applicant = ready
    call = proposal.call
    call.closes_at = timezone.now() - dt.timedelta(minutes=1)
    call.save()
    with pytest.raises(Conflict) as info:
        proposal_update(actor=applicant, proposal_id=proposal.pk, data={"title_ko": "늦은 수정"})
    assert info.value.code == "proposal_deadline_passed"
    with pytest.raises(Conflict):
        transition(actor=applicant, proposal_id=proposal.pk, name="submit")
    proposal.refresh_from_db()
    assert proposal.title_ko != "늦은 수정" and proposal.status == "draft"


def test_other_organization_cannot_edit(ready, make_user, make_organization, transition):
    proposal, _ = ready
    intruder = make_user(role="applicant", organization=make_organization())
    with pytest.raises(AccessDenied):
        proposal_update(actor=intruder, proposal_id=proposal.pk, data={"title_ko": "탈취"})
    proposal.refresh_from_db()
    assert proposal.title_ko != "탈취"


def test_missing_pi_and_required_document_block_submission(make_proposal, make_organization, make_user, make_call, transition):
    lead = make_organization(org_type="university")
    applicant = make_user(role="applicant", organization=lead)
    proposal = make_proposal(lead=lead, created_by=applicant, call=make_call(required_documents=["plan"]))
    with pytest.raises(ProposalRulesViolated) as info:
        transition(actor=applicant, proposal_id=proposal.pk, name="submit")
    fields = [v.field for v in info.value.violations]
    assert {"pi", "budget", "abstract_ko", "attachments[plan]"} <= set(fields)
