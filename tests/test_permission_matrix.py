"""The permission matrix: every UI route (from the URL resolver) and every API operation (from the OpenAPI
document) × every role (accounts.enums.Role, plus anonymous) × own / other organisation.

The expected outcome comes from one table, ``RULES``: for each resource the roles that may read it whatever
organisation it belongs to (``any``) and those that may only when it is their organisation's (``own``);
each UI route and API operation names the resource it shows (``UI`` and ``API``), so the UI and the API
answer the same for the same resource by construction of the table, and the test checks both against it.
A route or an operation missing from the table fails the test, so a new one must say who may use it.

GET is sent to every route as every role. Writes (POST-only UI routes, every non-GET API operation) are sent
only as the roles the table denies, and the test checks that each was refused and that nothing changed
(no audit event, no row count moved). Allowed writes are the apps' own tests' business.

The world is built through the product's services (tests/chain.py): two organisations, each with a draft,
and a proposal selected through evaluation and portfolio approval that holds a concluded agreement, a
ledger settled with flags, evidence and a regulation dependency.
"""

from __future__ import annotations

import dataclasses
import re

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from tests.finance.conftest import at, make_agreement, make_call, make_program, make_proposal  # noqa: F401, F811

from doyak.accounts.enums import Role

ANON = "anonymous"
ROLES = [r.value for r in Role] + [ANON]
A, PM, AD, EV, IN, LI, CO, AU = (Role.APPLICANT, Role.PROGRAM_MANAGER, Role.ADMINISTRATOR, Role.EVALUATOR,
                                 Role.INVESTOR, Role.REGULATION_LIAISON, Role.COUNCIL_MEMBER, Role.AUDITOR)
SIGNED_IN = frozenset(Role)
MINISTRY = frozenset({PM, AD})
READERS = MINISTRY | {CO, AU}


@dataclasses.dataclass(frozen=True)
class Rule:
    """Who may use a resource: ``any`` whatever organisation it belongs to, ``own`` only their own's.
    ``denied`` is the status a signed-in role is refused with (403, or 404 where the object is hidden)."""

    any: frozenset = frozenset()
    own: frozenset = frozenset()
    denied: int = 403

    def allows(self, role: str, own: bool) -> bool:
        return role in self.any or (own and role in self.own)


def rule(*any_roles, own=(), denied=403) -> Rule:
    flat = frozenset(r for group in any_roles for r in (group if isinstance(group, frozenset) else {group}))
    return Rule(flat, frozenset(own), denied)


PUBLIC = "public"  # answers everyone, signed in or not


# ---------------------------------------------------------------------------------------------- the world
@dataclasses.dataclass
class World:
    users: dict          # role -> user (the applicant works at the own organisation)
    tokens: dict         # role -> raw API token
    objects: dict        # key -> (own, other) pair or a single object


@pytest.fixture
def world(chain, make_agreement, make_user, make_organization, make_proposal, make_call) -> World:  # noqa: F811
    from django.core.files.base import ContentFile

    from doyak.accounts.services import api_token_create
    from doyak.evaluation.models import Assignment, Decision
    from doyak.evaluation.services import appeal_file, assignment_run_start
    from doyak.finance.services import evidence_attach, settlement_run_start
    from doyak.portfolio.models import Scenario
    from doyak.proposals.models import Attachment, RegulationDependency

    own_org, other_org = make_organization(), make_organization()
    applicant = make_user(role=A, organization=own_org)
    other_applicant = make_user(role=A, organization=other_org)
    users = {r.value: make_user(role=r.value) for r in Role if r not in (A, EV, PM, AD)}
    users.update({A: applicant, PM: chain.pm, AD: chain.admin, EV: chain.profiles()[0].user})
    agreements = (make_agreement(lead=own_org), make_agreement(lead=other_org))
    selected = tuple(a.proposal for a in agreements)
    for proposal in selected:
        RegulationDependency.objects.create(proposal=proposal, regulation="자율주행자동차법 시행규칙")
    attachments = tuple(Attachment.objects.create(proposal=p, kind="plan", file=ContentFile(b"%PDF-1.4\n", "p.pdf"),
                                                  original_name="plan.pdf", size=9, sha256="0" * 64)
                        for p in selected)
    call = make_call()  # open: drafts
    drafts = (make_proposal(call=call, lead=own_org), make_proposal(call=call, lead=other_org))
    from doyak.finance.models import Transaction
    from doyak.finance.services import settlement_run_execute

    for agreement in agreements:  # a bar bill: flagged by the settlement
        Transaction.objects.create(agreement=agreement, txn_id="X1", category="activities", amount_krw=90_000,
                                   occurred_at=at("2026-03-03"), merchant_id="M1", merchant_type="bar",
                                   evidence="card_slip", source="manual")
    run = settlement_run_execute(run_id=settlement_run_start(actor=chain.pm, agreement_ids=[a.pk for a in agreements]).pk)
    for a in agreements:
        a.refresh_from_db()
    flags = tuple(a.flags.order_by("pk").first() for a in agreements)
    transactions = tuple(a.transactions.order_by("pk").first() for a in agreements)
    owners = (applicant, other_applicant)
    evidence = tuple(evidence_attach(actor=owner, transaction_id=t.pk, name="slip.pdf", content=b"%PDF-1.4\nslip")
                     for owner, t in zip(owners, transactions, strict=True))
    panel = Decision.objects.get(proposal=selected[0]).panel
    appeal = appeal_file(actor=applicant, proposal_id=selected[0].pk, text="평가 근거를 다시 봐 주십시오.")
    open_panel = chain.evaluate(call, {chain.submitted(call, gov=100_000_000, lead=other_org): 80}, publish=False)
    assignment_run = assignment_run_start(actor=chain.pm, panel_id=open_panel.pk)
    from doyak.execution.services import sanction_case_open, stop_request

    stops = tuple(stop_request(actor=chain.pm, agreement_id=a.pk, reason="environment_change", explanation="수요 소멸")
                  for a in agreements)
    cases = tuple(sanction_case_open(actor=chain.pm, agreement_id=a.pk, misused_krw=1_000_000) for a in agreements)
    reports = tuple(a.reports.order_by("pk").first() for a in agreements)
    evaluations = tuple(a.project_evaluations.order_by("pk").first() for a in agreements)
    tokens = {role: api_token_create(user=user, name="matrix")[1] for role, user in users.items()}
    revocable = (api_token_create(user=applicant, name="own")[0], api_token_create(user=other_applicant, name="x")[0])
    objects = {
        "organization": (own_org, other_org), "selected": selected, "draft": drafts, "agreement": agreements,
        "attachment": attachments, "flag": flags, "transaction": transactions, "evidence": evidence,
        "token": revocable, "call": call, "closed_call": selected[0].call, "panel": panel, "appeal": appeal,
        "assignment": Assignment.objects.filter(panel=panel).order_by("pk").first(), "run": run,
        "assignment_run": assignment_run, "scenario": Scenario.objects.order_by("pk").first(),
        "profile": chain.profiles()[1], "policy": "evaluation.appeal_window_days",
        "person": make_user(role="evaluator", username="matrix-person"),
        "stop": stops, "sanction_case": cases, "report": reports, "project_evaluation": evaluations,
    }
    from doyak.agreements.services import change_propose, change_transition

    objects["change"] = tuple(  # a major request (a longer period) waiting for the PM, per organisation
        change_transition(actor=owner, change_id=change_propose(actor=owner, agreement_id=a.pk, edits={
            "end_date": a.end_date.replace(year=a.end_date.year + 1)}).pk, name="submit")
        for owner, a in zip(owners, agreements, strict=True))

    from doyak.max.services import asset_evidence_add, asset_register

    assets = tuple(asset_register(actor=owner, kind="lead_model", organization_id=owner.organization_id,
                                  name=f"모델 {owner.pk}", region_code="26", planned_date=at("2026-06-01").date(),
                                  proposal_ids=[agreement.proposal_id])
                   for owner, agreement in zip(owners, agreements, strict=True))
    objects["asset"] = assets
    objects["asset_evidence"] = tuple(
        asset_evidence_add(actor=owner, asset_id=asset.pk, name="e.pdf", content=b"%PDF-1.4\nproof")
        for owner, asset in zip(owners, assets, strict=True))
    objects["indicator"], objects["export"] = "max.ai_factories", "iati"
    from doyak.kpi.services import meeting_pack_execute, meeting_pack_start

    pack = meeting_pack_start(actor=users[AD], as_of=at("2026-06-30").date())
    objects["pack"], objects["pack_fmt"] = meeting_pack_execute(pack_id=pack.pk), "xlsx"

    from doyak.regulation.services import dependencies_sync, task_create

    dependencies_sync(actor=chain.pm)  # the selected proposals' regulations grow into project records
    objects["regulation_dependency"] = tuple(p.regulation_dependencies.get() for p in selected)
    objects["regulation_task"] = task_create(actor=chain.pm, data={
        "code": "RT-T-01", "title": "자율주행 실증", "industry": "자동차", "ministry": "국토교통부",
        "law": "자율주행자동차법", "change_kind": "law_amendment"})
    objects["calendar_token"] = "dyc_no-such-token"
    objects.update(_capacity_world(chain.pm, owners, agreements, make_organization))
    missing = [k for k, pair in objects.items() for v in (pair if isinstance(pair, tuple) else (pair,)) if v is None]
    assert missing == []
    return World(users=users, tokens=tokens, objects=objects)


def _capacity_world(pm, owners, agreements, make_organization):
    """An open demand survey, a fund with a commitment and an investment, a researcher and a star-engineer
    nomination per organisation (through the capacity services)."""
    from django.utils import timezone

    from doyak.capacity.services import (
        commitment_record,
        fund_create,
        investment_record,
        star_nominate,
        survey_open,
    )
    from doyak.organizations.models import Researcher

    survey = survey_open(actor=pm, program_id=agreements[0].proposal.call.program_id, title="수요조사",
                         closes_on=timezone.localdate(), topics=[{"title": "주제"}])
    fund = fund_create(actor=pm, name="펀드", size_krw=10**10, vintage=2026, manager_id=make_organization().pk)
    commitment_record(actor=pm, fund_id=fund.pk, amount_krw=10**8, committed_on=at("2026-03-03").date(),
                      proposal_id=agreements[0].proposal_id)
    investment = investment_record(actor=pm, fund_id=fund.pk, invested_on=at("2026-03-03").date(), amount_krw=10**8,
                                   instrument="equity", stage="seed", proposal_id=agreements[0].proposal_id)
    researchers = tuple(Researcher.objects.create(national_researcher_number=f"9{owner.pk:07d}", name="후보",
                                                  organization_id=owner.organization_id, career_stage="senior")
                        for owner in owners)
    nominations = tuple(star_nominate(actor=owner, researcher_id=r.pk, reason="추천")
                        for owner, r in zip(owners, researchers, strict=True))
    from doyak.capacity.services import graduate_school_register, joint_lab_register

    joint_lab = joint_lab_register(actor=pm, name="연구실", host_id=make_organization(org_type="gri").pk,
                                   region_code="11", field="제조", opened_on=at("2026-03-03").date(),
                                   partner_ids=[make_organization().pk])
    graduate_school = graduate_school_register(actor=pm, name="대학원", university_id=make_organization(
        org_type="university").pk, field="반도체", region_code="11", designation_year=2026)
    return {"survey": survey, "topic": survey.topics.first(), "fund": fund, "investment": investment,
            "researcher": researchers, "nomination": nominations, "joint_lab": joint_lab,
            "graduate_school": graduate_school}


# ---------------------------------------------------------------------------------------------- the table
ALL = rule(SIGNED_IN)
RULES: dict[str, Rule] = {
    "public": Rule(),
    "signed_in": ALL,
    "organization": rule(MINISTRY, CO, AU, LI, own={A}),
    "organization.change": rule(AD, own={A}),
    "call.manage": rule(MINISTRY),
    # a submitted proposal: the ministry side and readers, the liaison (it depends on a regulation), its own
    "proposal": rule(READERS, LI, own={A}),
    "proposal.history": rule(READERS),
    "proposal.attachment": rule(READERS, LI, own={A}),  # what the detail page links
    "proposal.create": rule(A),
    "proposal.ministry": rule(MINISTRY),
    # drafts stay with the applicant: everyone else is told it does not exist or is refused
    "draft": rule(own={A}),
    "draft.hidden": rule(own={A}, denied=404),
    "evaluation.manage": rule(MINISTRY),
    "evaluation.review": rule(EV),
    "evaluation.profile": rule(EV),
    "decision": rule(READERS, own={A}),
    "scenario.view": rule(MINISTRY, CO),
    "scenario.edit": rule(MINISTRY),
    "scenario.approve": rule(AD),
    # ledgers, transactions and evidence: never the liaison
    "ledger": rule(READERS, own={A}),
    # agreements: read like ledgers; the lead institution and the PM propose changes, the ministry decides
    "agreement": rule(READERS, own={A}),
    "agreement.propose": rule(MINISTRY, own={A}),
    "agreement.sign": rule(MINISTRY, own={A}),
    "agreement.decide": rule(MINISTRY),
    "agreement.queue": rule(READERS),
    "ledger.enter": rule(AD, own={A}),
    "ledger.hidden": rule(READERS, own={A}, denied=404),
    "settlement.manage": rule(MINISTRY),
    "settlement.dashboard": rule(MINISTRY, AU),
    "audit": rule(AD, AU),
    "token.own": rule(own={A}),
    "users.manage": rule(AD),
    # M.AX assets awaiting verification: their institution and those who read as the ministry (verified ones:
    # everyone signed in); registering is an applicant's, verifying the ministry side's
    "asset.hidden": rule(READERS, own={A}, denied=404),
    "asset.register": rule(A),
    "asset.evidence": rule(own={A}),
    "asset.verify": rule(MINISTRY),
    # innovation capacity: surveys for the ministry side, readers and investors (an investor without a firm, as
    # here, answers nothing); funds likewise, a fund's page for readers and its own firm's investors (none here);
    # careers and nominations for readers and the researcher's institution
    "survey.view": rule(READERS, IN), "survey.detail": rule(READERS, IN, denied=404), "survey.answer": rule(),
    "survey.manage": rule(MINISTRY), "capacity.manage": rule(MINISTRY), "fund.view": rule(READERS, IN), "fund.detail": rule(READERS, denied=404),
    "fund.record": rule(MINISTRY), "talent.view": rule(READERS), "talent.manage": rule(MINISTRY),
    "talent.nominate": rule(A), "career": rule(READERS, own={A}, denied=404),
    "nomination": rule(READERS, own={A}, denied=404),
    "career.add": rule(MINISTRY, own={A}),
    "nomination.opinion": rule(),  # the panel's members only (none here)  # a career record: the ministry side or the researcher's institution
    "indicator.manage": rule(AD),
    "meeting_pack": rule(CO, AD),
    # project execution (reports, evaluations, stops, sanctions): who reads the agreement reads them
    "execution": rule(READERS, own={A}),
    "execution.request": rule(MINISTRY, own={A}),
    "execution.manage": rule(MINISTRY),
    "execution.report_write": rule(own={A}),
    "execution.queue": rule(READERS),
    # regulation innovation: the registry for the ministry side, readers, the liaison and applicants; a
    # project's dependencies for those and its own institution; edits by the ministry side and the liaison
    "regulation.registry": rule(READERS, LI, A),
    "regulation.edit": rule(MINISTRY, LI),
    "regulation.dependencies": rule(READERS, LI, A),
    "regulation.dependency": rule(READERS, LI, own={A}, denied=404),
    "regulation.workspace": rule(READERS, LI),
    "execution.grade": rule(),  # only a panel's own evaluators, and nobody in this world sits on one
}

# UI route name -> (resource, URL kwargs from the world, method). Paired world objects make an own and an
# other-organisation row.
P, D, AG = {"proposal_id": "selected"}, {"proposal_id": "draft"}, {"agreement_id": "agreement"}
UI: dict[str, tuple[str, dict, str]] = {
    "set_language": ("public", {}, "POST"), "accounts:login": ("public", {}, "GET"),
    "accounts:logout": ("public", {}, "POST"), "core:healthz": ("public", {}, "GET"),
    "core:home": ("signed_in", {}, "GET"), "core:audit": ("audit", {}, "GET"),
    "accounts:tokens": ("signed_in", {}, "GET"),
    "accounts:password_change": ("signed_in", {}, "GET"), "accounts:password_change_done": ("signed_in", {}, "GET"),
    "accounts:password_reset": ("public", {}, "GET"), "accounts:password_reset_done": ("public", {}, "GET"),
    "accounts:password_reset_confirm": ("public", {"uidb64": "MQ", "token": "no-such-token"}, "GET"),
    "accounts:password_reset_complete": ("public", {}, "GET"),
    "accounts:token_revoke": ("token.own", {"token_id": "token"}, "POST"),
    "accounts:users": ("users.manage", {}, "GET"),
    "accounts:user_detail": ("users.manage", {"user_id": "person"}, "GET"),
    "accounts:user_active": ("users.manage", {"user_id": "person", "state": "off"}, "POST"),
    "organizations:list": ("signed_in", {}, "GET"), "organizations:researchers": ("signed_in", {}, "GET"),
    "organizations:detail": ("organization", {"organization_id": "organization"}, "GET"),
    "organizations:edit": ("organization.change", {"organization_id": "organization"}, "GET"),
    "policies:list": ("signed_in", {}, "GET"), "policies:detail": ("signed_in", {"key": "policy"}, "GET"),
    "calls:list": ("signed_in", {}, "GET"), "calls:programs": ("signed_in", {}, "GET"),
    "calls:create": ("call.manage", {}, "GET"), "calls:detail": ("signed_in", {"call_id": "call"}, "GET"),
    "calls:edit": ("call.manage", {"call_id": "call"}, "GET"),
    "calls:transition": ("call.manage", {"call_id": "call", "action": "close"}, "POST"),
    "proposals:list": ("signed_in", {}, "GET"), "proposals:create": ("proposal.create", {}, "GET"),
    "proposals:import": ("proposal.ministry", {}, "GET"), "proposals:sanctions": ("proposal.ministry", {}, "GET"),
    "proposals:detail": ("proposal", P, "GET"), "proposals:receipt": ("proposal", P, "GET"),
    "proposals:edit": ("draft", {**D, "step": "basics"}, "GET"),
    "proposals:budget_check": ("draft", D, "POST"), "proposals:consortium_check": ("draft", D, "POST"),
    "proposals:team_check": ("draft", D, "POST"),
    "proposals:part_add": ("draft", {**D, "part": "regulations"}, "POST"),
    "proposals:part_remove": ("draft", {**D, "part": "regulations", "item_id": 1}, "POST"),
    "proposals:transition": ("draft", {**D, "name": "submit"}, "POST"),
    "proposals:attachment": ("proposal.attachment", {**P, "attachment_id": "attachment"}, "GET"),
    "evaluation:home": ("signed_in", {}, "GET"), "evaluation:profile": ("evaluation.profile", {}, "GET"),
    "evaluation:pool": ("evaluation.manage", {}, "GET"), "evaluation:pool_add": ("evaluation.manage", {}, "GET"),
    "evaluation:pool_edit": ("evaluation.manage", {"profile_id": "profile"}, "GET"),
    "evaluation:calls": ("evaluation.manage", {}, "GET"),
    "evaluation:call": ("evaluation.manage", {"call_id": "closed_call"}, "GET"),
    "evaluation:panel": ("evaluation.manage", {"panel_id": "panel"}, "GET"),
    "evaluation:panel_edit": ("evaluation.manage", {"panel_id": "panel"}, "POST"),
    "evaluation:run_start": ("evaluation.manage", {"panel_id": "panel"}, "POST"),
    "evaluation:run_progress": ("evaluation.manage", {"run_id": "assignment_run"}, "GET"),
    "evaluation:assignment_add": ("evaluation.manage", {"panel_id": "panel"}, "POST"),
    "evaluation:assignment_withdraw": ("evaluation.manage", {"panel_id": "panel", "assignment_id": "assignment"},
                                       "POST"),
    "evaluation:conflict_declare": ("evaluation.manage", {"panel_id": "panel"}, "POST"),
    "evaluation:results": ("evaluation.manage", {"panel_id": "panel"}, "GET"),
    "evaluation:publish": ("evaluation.manage", {"panel_id": "panel"}, "POST"),
    "evaluation:conflicts": ("evaluation.manage", P, "GET"),
    "evaluation:appeals": ("evaluation.manage", {}, "GET"),
    "evaluation:appeal_answer": ("evaluation.manage", {"appeal_id": "appeal"}, "POST"),
    "evaluation:assignments": ("signed_in", {}, "GET"),  # the user's own
    "evaluation:review": ("evaluation.review", P, "GET"),
    "evaluation:recuse": ("evaluation.review", P, "POST"),
    "evaluation:decisions": ("signed_in", {}, "GET"), "evaluation:decision": ("decision", P, "GET"),
    "portfolio:home": ("scenario.view", {}, "GET"), "portfolio:create": ("scenario.edit", {}, "GET"),
    "portfolio:compare": ("scenario.view", {}, "GET"),
    "portfolio:detail": ("scenario.view", {"scenario_id": "scenario"}, "GET"),
    **{f"portfolio:{name}": ("scenario.edit", {"scenario_id": "scenario"}, "POST")
       for name in ("solve", "submit", "withdraw", "delete")},
    "portfolio:approve": ("scenario.approve", {"scenario_id": "scenario"}, "POST"),
    "agreements:list": ("signed_in", {}, "GET"), "agreements:queue": ("agreement.queue", {}, "GET"),
    "agreements:detail": ("agreement", AG, "GET"), "agreements:sign": ("agreement.sign", AG, "POST"),
    "agreements:version_pdf": ("agreement", {**AG, "number": 1}, "GET"),
    "agreements:change_new": ("agreement.propose", AG, "POST"),
    "agreements:change": ("agreement", {"change_id": "change"}, "GET"),
    "agreements:change_transition": ("agreement.decide", {"change_id": "change", "name": "approve"}, "POST"),
    "finance:home": ("signed_in", {}, "GET"), "finance:agreements": ("signed_in", {}, "GET"),
    "finance:ledger": ("ledger", AG, "GET"), "finance:import": ("ledger.enter", AG, "POST"),
    "finance:transaction_new": ("ledger.enter", AG, "GET"), "finance:close": ("settlement.manage", AG, "POST"),
    "finance:evidence_upload": ("ledger.enter", {"transaction_id": "transaction"}, "POST"),
    "finance:evidence_download": ("ledger.hidden", {"evidence_id": "evidence"}, "GET"),
    "finance:flag": ("ledger", {"flag_id": "flag"}, "GET"),
    "finance:flag_decide": ("settlement.manage", {"flag_id": "flag"}, "POST"),
    "finance:dashboard": ("settlement.dashboard", {}, "GET"),
    "finance:agreements_create": ("settlement.manage", {}, "POST"),
    "finance:run_start": ("settlement.manage", {}, "POST"),
    "finance:run": ("settlement.dashboard", {"run_id": "run"}, "GET"),
    "finance:run_resume": ("settlement.manage", {"run_id": "run"}, "POST"),
    "finance:run_report": ("settlement.dashboard", {"run_id": "run"}, "GET"),
    "finance:what_if": ("settlement.dashboard", {}, "GET"),
    "max:list": ("signed_in", {}, "GET"), "max:register": ("asset.register", {}, "GET"),
    "max:detail": ("asset.hidden", {"asset_id": "asset"}, "GET"),
    "max:evidence_upload": ("asset.evidence", {"asset_id": "asset"}, "POST"),
    "max:evidence_download": ("asset.hidden", {"asset_id": "asset", "evidence_id": "asset_evidence"}, "GET"),
    "max:verify": ("asset.verify", {"asset_id": "asset"}, "POST"),
    "kpi:board": ("signed_in", {}, "GET"), "kpi:indicator": ("signed_in", {"key": "indicator"}, "GET"),
    "kpi:indicator_new": ("indicator.manage", {}, "GET"), "kpi:export": ("signed_in", {"fmt": "export"}, "GET"),
    "kpi:pack_new": ("meeting_pack", {}, "POST"), "kpi:pack": ("meeting_pack", {"pk": "pack"}, "GET"),
    "kpi:pack_file": ("meeting_pack", {"pk": "pack", "fmt": "pack_fmt"}, "GET"),
    "capacity:home": ("signed_in", {}, "GET"), "capacity:surveys": ("survey.view", {}, "GET"),
    "capacity:survey_new": ("survey.manage", {}, "GET"),
    "capacity:survey_detail": ("survey.detail", {"survey_id": "survey"}, "GET"),
    "capacity:demand_answer": ("survey.answer", {"survey_id": "survey", "topic_id": "topic"}, "POST"),
    "capacity:topic_carry": ("survey.manage", {"survey_id": "survey", "topic_id": "topic"}, "POST"),
    "capacity:funds": ("fund.view", {}, "GET"), "capacity:fund_detail": ("fund.detail", {"fund_id": "fund"}, "GET"),
    "capacity:fund_letter_confirm": ("fund.record", {"fund_id": "fund"}, "POST"),
    "capacity:fund_investment_new": ("fund.record", {"fund_id": "fund"}, "POST"),
    "capacity:investments": ("fund.view", {}, "GET"), "capacity:talent": ("talent.view", {}, "GET"),
    "capacity:career": ("career", {"researcher_id": "researcher"}, "GET"),
    "capacity:stage_accept": ("talent.manage", {"researcher_id": "researcher"}, "POST"),
    "capacity:nominate": ("talent.nominate", {}, "GET"),
    "capacity:nomination": ("nomination", {"nomination_id": "nomination"}, "GET"),
    "capacity:nomination_panel_add": ("talent.manage", {"nomination_id": "nomination"}, "POST"),
    "capacity:nomination_decide": ("talent.manage", {"nomination_id": "nomination"}, "POST"),
    "capacity:nomination_opinion": ("nomination.opinion", {"nomination_id": "nomination"}, "POST"),
    "capacity:joint_labs": ("signed_in", {}, "GET"), "capacity:graduate_schools": ("signed_in", {}, "GET"),
    "capacity:fund_new": ("capacity.manage", {}, "GET"),
    "capacity:fund_commitment_new": ("fund.record", {"fund_id": "fund"}, "POST"),
    "capacity:fund_exit_new": ("fund.record", {"fund_id": "fund"}, "POST"),
    "capacity:career_event_new": ("career.add", {"researcher_id": "researcher"}, "POST"),
    "capacity:joint_lab_new": ("capacity.manage", {}, "GET"),
    "capacity:joint_lab_projects": ("capacity.manage", {"joint_lab_id": "joint_lab"}, "POST"),
    "capacity:graduate_school_new": ("capacity.manage", {}, "GET"),
    "capacity:graduate_school_projects": ("capacity.manage", {"graduate_school_id": "graduate_school"}, "POST"),
    "execution:queue": ("execution.queue", {}, "GET"),
    "execution:project": ("execution", AG, "GET"),
    "execution:stop_new": ("execution.request", AG, "POST"),
    "execution:sanction_open": ("execution.manage", AG, "POST"),
    "execution:stop_special": ("execution.manage", {"stop_id": "stop"}, "POST"),
    "execution:report": ("execution", {"report_id": "report"}, "GET"),
    "execution:report_action": ("execution.report_write", {"report_id": "report", "name": "save"}, "POST"),
    "execution:evaluation": ("execution", {"evaluation_id": "project_evaluation"}, "GET"),
    "execution:evaluation_panel": ("execution.manage", {"evaluation_id": "project_evaluation"}, "POST"),
    "execution:evaluation_result": ("execution.manage", {"evaluation_id": "project_evaluation"}, "POST"),
    "execution:evaluation_grade": ("execution.grade", {"evaluation_id": "project_evaluation"}, "POST"),
    "execution:my_evaluations": ("signed_in", {}, "GET"),
    "execution:sanction": ("execution", {"case_id": "sanction_case"}, "GET"),
    "execution:sanction_action": ("execution.manage", {"case_id": "sanction_case", "name": "decide"}, "POST"),
    "regulation:registry": ("regulation.registry", {}, "GET"),
    "regulation:task": ("regulation.registry", {"task_id": "regulation_task"}, "GET"),
    "regulation:task_action": ("regulation.edit", {"task_id": "regulation_task", "name": "transition"}, "POST"),
    "regulation:dependencies": ("regulation.dependencies", {}, "GET"),
    "regulation:dependency": ("regulation.dependency", {"dependency_id": "regulation_dependency"}, "GET"),
    "regulation:dependency_action": ("regulation.edit", {"dependency_id": "regulation_dependency", "name": "record"},
                                     "POST"),
    "regulation:workspace": ("regulation.workspace", {}, "GET"),
    "regulation:progress": ("regulation.workspace", {}, "GET"),
    "regulation:calendar": ("signed_in", {}, "GET"),
    "regulation:calendar_feed": ("public", {"token": "calendar_token"}, "GET"),
    "regulation:regulatory_agreement": ("agreement", AG, "GET"),
}

# API "METHOD path" -> (resource, path parameters from the world)
API: dict[str, tuple[str, dict]] = {
    "GET /me": ("signed_in", {}), "GET /tokens": ("signed_in", {}), "POST /tokens": ("public", {}),
    "DELETE /tokens/{token_id}": ("token.own", {"token_id": "token"}),
    "GET /regions": ("public", {}), "GET /organizations": ("signed_in", {}),
    "GET /organizations/{organization_id}": ("organization", {"organization_id": "organization"}),
    "PATCH /organizations/{organization_id}": ("organization.change", {"organization_id": "organization"}),
    "GET /researchers": ("signed_in", {}), "GET /policies": ("signed_in", {}),
    "GET /policies/{key}": ("signed_in", {"key": "policy"}), "GET /policies/{key}/versions": ("signed_in", {"key": "policy"}),
    "POST /policies/{key}/versions": ("audit_admin", {"key": "policy"}),
    "GET /audit/events": ("audit", {}),
    "GET /calls": ("signed_in", {}), "POST /calls": ("call.manage", {}),
    "GET /calls/{call_id}": ("signed_in", {"call_id": "call"}), "PATCH /calls/{call_id}": ("call.manage", {"call_id": "call"}),
    "PUT /calls/{call_id}/criteria": ("call.manage", {"call_id": "call"}),
    **{f"POST /calls/{{call_id}}/{a}": ("call.manage", {"call_id": "call"}) for a in ("open", "close", "cancel")},
    "GET /proposals": ("signed_in", {}), "POST /proposals": ("proposal.create", {}),
    "POST /proposals/import": ("proposal.ministry", {}),
    "GET /proposals/{proposal_id}": ("proposal", P), "PATCH /proposals/{proposal_id}": ("draft", D),
    "GET /proposals/{proposal_id}/history": ("proposal.history", P),
    "GET /proposals/{proposal_id}/violations": ("proposal", P),
    **{f"{m} /proposals/{{proposal_id}}/{part}": ("draft", D) for m, part in (
        ("PUT", "budget"), ("POST", "budget/check"), ("POST", "members"), ("POST", "team"), ("POST", "ripple"),
        ("POST", "kpis"), ("POST", "regulations"), ("POST", "investor-letters"), ("POST", "attachments"))},
    "GET /proposals/{proposal_id}/attachments/{attachment_id}": ("proposal.attachment", {**P, "attachment_id": "attachment"}),
    "DELETE /proposals/{proposal_id}/parts/{part}/{item_id}": ("draft", {**D, "part": "regulations", "item_id": 1}),
    "POST /proposals/{proposal_id}/transitions/{name}": ("draft", {**D, "name": "submit"}),
    "GET /evaluation/pool": ("evaluation.manage", {}), "PUT /evaluation/pool/me": ("evaluation.profile", {}),
    "GET /evaluation/proposals/{proposal_id}/conflicts": ("evaluation.manage", P),
    "POST /evaluation/panels/{panel_id}/runs": ("evaluation.manage", {"panel_id": "panel"}),
    "GET /evaluation/runs/{run_id}": ("evaluation.manage", {"run_id": "assignment_run"}),
    "GET /evaluation/assignments": ("signed_in", {}),
    "POST /evaluation/assignments/{proposal_id}/pledge": ("evaluation.review", P),
    "PUT /evaluation/assignments/{proposal_id}/scores": ("evaluation.review", P),
    "GET /evaluation/panels/{panel_id}/results": ("evaluation.manage", {"panel_id": "panel"}),
    "GET /portfolio/scenarios": ("scenario.view", {}), "POST /portfolio/scenarios": ("scenario.edit", {}),
    "GET /portfolio/scenarios/compare?ids={scenario_id}": ("scenario.view", {"scenario_id": "scenario"}),
    "GET /portfolio/scenarios/{scenario_id}": ("scenario.view", {"scenario_id": "scenario"}),
    **{f"{m} /portfolio/scenarios/{{scenario_id}}{tail}": ("scenario.edit", {"scenario_id": "scenario"})
       for m, tail in (("PATCH", ""), ("DELETE", ""), ("POST", "/solve"), ("POST", "/submit"))},
    "GET /agreements": ("signed_in", {}), "GET /agreements/{agreement_id}": ("agreement", AG),
    "GET /agreements/{agreement_id}/versions": ("agreement", AG),
    "GET /agreements/{agreement_id}/changes": ("agreement", AG),
    "POST /agreements/{agreement_id}/changes": ("agreement.propose", AG),
    "GET /agreements/changes/{change_id}": ("agreement", {"change_id": "change"}),
    "PATCH /agreements/changes/{change_id}": ("agreement.propose", {"change_id": "change"}),
    "POST /agreements/changes/{change_id}/submit": ("agreement.propose", {"change_id": "change"}),
    "POST /agreements/changes/{change_id}/decision": ("agreement.decide", {"change_id": "change"}),
    "GET /finance/agreements": ("signed_in", {}),
    "GET /finance/agreements/{agreement_id}": ("ledger", AG),
    "GET /finance/agreements/{agreement_id}/transactions": ("ledger", AG),
    "GET /finance/agreements/{agreement_id}/flags": ("ledger", AG),
    "POST /finance/flags/{flag_id}/explanation": ("ledger.enter", {"flag_id": "flag"}),
    "POST /finance/flags/{flag_id}/decision": ("settlement.manage", {"flag_id": "flag"}),
    "POST /finance/runs": ("settlement.manage", {}), "GET /finance/runs": ("settlement.dashboard", {}),
    "GET /finance/runs/{run_id}": ("settlement.dashboard", {"run_id": "run"}),
    "POST /finance/runs/{run_id}/resume": ("settlement.manage", {"run_id": "run"}),
    "GET /max/assets": ("signed_in", {}), "POST /max/assets": ("asset.register", {}),
    "GET /max/assets/{asset_id}": ("asset.hidden", {"asset_id": "asset"}),
    "POST /max/assets/{asset_id}/verification": ("asset.verify", {"asset_id": "asset"}),
    "GET /kpi/indicators": ("signed_in", {}), "GET /kpi/indicators/{key}": ("signed_in", {"key": "indicator"}),
    "GET /kpi/indicators/{key}/records": ("signed_in", {"key": "indicator"}),
    "GET /kpi/exports/{fmt}": ("signed_in", {"fmt": "export"}),
    "GET /capacity/surveys": ("survey.view", {}), "POST /capacity/surveys": ("survey.manage", {}),
    "GET /capacity/surveys/{survey_id}": ("survey.detail", {"survey_id": "survey"}),
    "POST /capacity/topics/{topic_id}/demand": ("survey.answer", {"topic_id": "topic"}),
    "POST /capacity/topics/{topic_id}/call": ("survey.manage", {"topic_id": "topic"}),
    "GET /capacity/funds": ("fund.view", {}), "POST /capacity/funds": ("capacity.manage", {}),
    "GET /capacity/funds/{fund_id}": ("fund.detail", {"fund_id": "fund"}),
    "POST /capacity/funds/{fund_id}/commitments": ("fund.record", {"fund_id": "fund"}),
    "POST /capacity/funds/{fund_id}/letter-commitments": ("fund.record", {"fund_id": "fund"}),
    "GET /capacity/investments": ("fund.view", {}), "POST /capacity/investments": ("fund.record", {}),
    "POST /capacity/investments/{investment_id}/exit": ("fund.record", {"investment_id": "investment"}),
    "GET /capacity/joint-labs": ("signed_in", {}), "POST /capacity/joint-labs": ("capacity.manage", {}),
    "GET /capacity/graduate-schools": ("signed_in", {}), "POST /capacity/graduate-schools": ("capacity.manage", {}),
    "GET /talent/stages": ("talent.view", {}),
    "GET /agreements/{agreement_id}/reports": ("execution", AG),
    "GET /agreements/{agreement_id}/evaluations": ("execution", AG),
    "GET /agreements/{agreement_id}/stops": ("execution", AG),
    "POST /agreements/{agreement_id}/stops": ("execution.request", AG),
    "GET /agreements/reports/{report_id}": ("execution", {"report_id": "report"}),
    "PUT /agreements/reports/{report_id}": ("execution.report_write", {"report_id": "report"}),
    "POST /agreements/reports/{report_id}/review": ("execution.manage", {"report_id": "report"}),
    "POST /agreements/{agreement_id}/evaluations/{evaluation_id}/grade": (
        "execution.grade", {**AG, "evaluation_id": "project_evaluation"}),
    "GET /execution/evaluations/mine": ("signed_in", {}),
    "GET /regulation/tasks": ("regulation.registry", {}),
    "GET /regulation/tasks/{task_id}": ("regulation.registry", {"task_id": "regulation_task"}),
    "GET /regulation/dependencies": ("regulation.dependencies", {}),
    "GET /regulation/dependencies/{dependency_id}": ("regulation.dependency", {"dependency_id": "regulation_dependency"}),
    "POST /regulation/dependencies/{dependency_id}/record": ("regulation.edit",
                                                            {"dependency_id": "regulation_dependency"}),
    "POST /regulation/dependencies/{dependency_id}/milestones": ("regulation.edit",
                                                                {"dependency_id": "regulation_dependency"}),
    "POST /regulation/dependencies/{dependency_id}/notes": ("regulation.edit",
                                                           {"dependency_id": "regulation_dependency"}),
}
RULES["audit_admin"] = rule(AD)


# ---------------------------------------------------------------------------------------------- the runner
LOGIN = "login"      # UI: redirected to the sign-in page
ALLOWED = "allowed"  # answered (2xx, or a redirect elsewhere than the sign-in page)


def ui_routes():
    """(name, pattern) of every UI route, from the URL resolver (the admin and the API apart)."""
    def walk(resolver, ns=""):
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                if p.namespace in ("admin", "api-v1"):
                    continue
                yield from walk(p, f"{p.namespace}:" if p.namespace else ns)
            elif isinstance(p, URLPattern):
                yield ns + (p.name or str(p.pattern))
    return list(walk(get_resolver()))


def api_operations():
    from doyak.config.api import api

    return [f"{method.upper()} {path.removeprefix('/api/v1')}" for path, ops in api.get_openapi_schema()["paths"].items()
            for method in ops]


def _operations_with_body():
    from doyak.config.api import api

    return {f"{method.upper()} {path.removeprefix('/api/v1')}" for path, ops in api.get_openapi_schema()["paths"].items()
            for method, op in ops.items() if "requestBody" in op}


def _fingerprint():
    """What a refused write must leave alone: the audit trail, and every state and count the apps hold."""
    from doyak.core.models import AuditEvent

    counted = [m for m in apps.get_models() if m._meta.app_label in {
        "proposals", "evaluation", "portfolio", "agreements", "finance", "calls", "organizations", "policies", "accounts",
        "max", "kpi", "execution", "regulation", "capacity"}]
    states = {}
    for model in counted:
        fields = [f.name for f in model._meta.fields if f.name in ("status", "stage", "revoked_at", "name")]
        states[model._meta.label] = (model._default_manager.count(),
                                     sorted(map(str, model._default_manager.values_list(*fields))) if fields else [])
    return AuditEvent.objects.count(), states


def _rows_written() -> int:
    """How many rows this connection has inserted, updated or deleted so far (any table, triggers included):
    SQLite's ``total_changes()``, PostgreSQL's counters of the current transaction. It only grows."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_all_tables")
        else:
            cursor.execute("SELECT total_changes()")
        return int(cursor.fetchone()[0])


class _Unchanged:
    """``check(write)`` runs ``write`` and says whether it changed what ``_fingerprint`` sees. When the database
    wrote no row at all during the write, nothing changed and the (slow) fingerprint is not taken again; when it
    wrote any, the fingerprints before and after are compared."""

    def __init__(self):
        self._written, self._fingerprint = None, None

    def check(self, write):
        if self._written != _rows_written():
            self._fingerprint = _fingerprint()
            self._written = _rows_written()
        result = write()
        if _rows_written() == self._written:
            return result, True
        after = _fingerprint()
        unchanged = after == self._fingerprint
        self._written, self._fingerprint = _rows_written(), after
        return result, unchanged


def _variants(world, params):
    paired = any(isinstance(world.objects.get(v), tuple) for v in params.values() if isinstance(v, str))
    return (True, False) if paired else (True,)


def _kwargs(world, params, own):
    out = {}
    for name, key in params.items():
        value = world.objects.get(key, key) if isinstance(key, str) else key
        if isinstance(value, tuple):
            value = value[0 if own else 1]
        out[name] = getattr(value, "pk", value)
    return out


def _outcome(response):
    if response.status_code == 302 and "/accounts/login/" in response.get("Location", ""):
        return LOGIN
    return ALLOWED if response.status_code < 400 else response.status_code


def _expected(rule_, role, own, *, api):
    if role == ANON:
        return 401 if api else LOGIN
    return ALLOWED if rule_.allows(role, own) else rule_.denied


def _client(world, role, *, api=False):
    client = Client()
    if role != ANON and not api:
        client.force_login(world.users[role])
    return client


@pytest.mark.django_db
def test_every_ui_route_answers_every_role_as_the_table_says(world):
    # given every route of the URL resolver, each named in the table
    routes = ui_routes()
    assert sorted(set(routes) - set(UI)) == []
    mismatches, changed = [], []
    unchanged = _Unchanged()
    for role in ROLES:
        client = _client(world, role)
        for name in routes:
            resource, params, method = UI[name]
            rule_ = RULES[resource]
            if resource == "public":
                continue
            for own in _variants(world, params):
                from django.urls import reverse

                url = reverse(name, kwargs=_kwargs(world, params, own))
                expected = _expected(rule_, role, own, api=False)
                if method == "GET":
                    # when the role opens it
                    got = _outcome(client.get(url))
                elif expected != ALLOWED:
                    # when a refused role posts to it: then it is refused and nothing changed
                    response, untouched = unchanged.check(lambda client=client, url=url: client.post(url, {}))
                    got = _outcome(response)
                    if not untouched:
                        changed.append((name, role, own))
                else:
                    continue
                if got != expected:
                    mismatches.append(f"{name} {role} {'own' if own else 'other'}: {got} != {expected}")
    # then each answer is the table's, and no refused write changed anything
    assert mismatches == []
    assert changed == []


@pytest.mark.django_db
def test_every_api_operation_answers_every_role_as_the_table_says(world):
    # given every operation of the OpenAPI document, each named in the table
    operations = api_operations()
    assert sorted(set(operations) - {op.split("?")[0] for op in API}) == []
    with_body = _operations_with_body()
    operations = [next((op for op in API if op.split("?")[0] == o), o) for o in operations]
    mismatches, changed = [], []
    unchanged = _Unchanged()
    for role in ROLES:
        client = _client(world, role, api=True)
        headers = {"HTTP_AUTHORIZATION": f"Bearer {world.tokens[role]}"} if role != ANON else {}
        for operation in operations:
            resource, params = API[operation]
            if resource == "public":
                continue
            rule_ = RULES[resource]
            method, path = operation.split(" ", 1)
            for own in _variants(world, params):
                kwargs = _kwargs(world, params, own)
                url = "/api/v1" + re.sub(r"\{(\w+)\}", lambda m, kw=kwargs: str(kw[m.group(1)]), path)
                expected = _expected(rule_, role, own, api=True)
                if method == "GET":
                    got = _outcome(client.get(url, **headers))
                elif expected != ALLOWED:
                    # a write with a body is refused by its schema (422) or by permission; neither changes anything
                    response, untouched = unchanged.check(
                        lambda client=client, method=method, url=url, headers=headers: client.generic(
                            method, url, "{}", content_type="application/json", **headers))
                    got = _outcome(response)
                    if got == 422 and operation in with_body and role != ANON:
                        got = expected
                    if not untouched:
                        changed.append((operation, role, own))
                else:
                    continue
                if got != expected:
                    mismatches.append(f"{operation} {role} {'own' if own else 'other'}: {got} != {expected}")
    assert mismatches == []
    assert changed == []
