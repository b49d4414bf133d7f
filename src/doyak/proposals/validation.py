"""Every check a proposal must pass: the pure budget-rule engine, the track's eligibility rules (policy
records), the call's eligibility and, at submission, completeness.

Rows are converted into the engine's dataclasses here; the engine never sees Django. App-level checks
return the engine's :class:`Violation` too, so every problem names its field, rule and source, in Korean
and English.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from doyak.calls.selectors import call_region_codes
from doyak.core.labels import legal_citation, policy_references, rule_sentence
from doyak.engine.proposal_rules import (
    ActiveProjects,
    BudgetItem,
    Institution,
    InstitutionRole,
    Penalty,
    PenaltyKind,
    ResearcherLoad,
    Rule,
    Violation,
    proposal_validate,
)
from doyak.engine.proposal_rules import (
    BudgetLine as EngineBudgetLine,
)
from doyak.policies.services import policy_record, policy_value
from doyak.programs.enums import Track

from .enums import MemberRole, ProposalStatus
from .models import BudgetLine, ConsortiumMember, Proposal, Sanction, TeamMember
from .policies import proposal_rule_policy

ROLE_TO_ENGINE = {
    MemberRole.LEAD: InstitutionRole.LEAD,
    MemberRole.PARTICIPANT: InstitutionRole.PARTICIPANT,
    MemberRole.DEMAND_ANCHOR: InstitutionRole.PARTICIPANT,
    MemberRole.SUPPLIER: InstitutionRole.PARTICIPANT,
    MemberRole.SUBCONTRACTOR: InstitutionRole.SUBCONTRACTOR,
}
# Rules re-checked on every change of the budget table ("checks as you type").
BUDGET_RULES = frozenset({
    Rule.GOV_SHARE, Rule.OWN_CASH_SHARE, Rule.ALLOWANCE_CAP, Rule.SUBCONTRACT_CAP, Rule.INDIRECT_RATE,
    Rule.EQUIPMENT_PLAN,
    "call_max_gov_per_project", "track_large_scale_min_gov",
})


class AppRule:
    """Rule keys of the checks made here rather than in the engine."""

    CALL_ORG_TYPE = "call_org_type"
    CALL_MAX_GOV = "call_max_gov_per_project"
    LARGE_SCALE = "track_large_scale_min_gov"
    DEMAND_ANCHOR = "track_demand_anchor_lead"
    SUPPLIERS = "track_supplier_partners"
    JOINT_LAB = "track_joint_lab_members"
    REGULATION = "track_regulation_required"
    DOCUMENTS = "required_documents"
    COMPLETENESS = "completeness"


# Rules re-checked as you type on the consortium and team steps (selection bars split by whom they name).
STEP_RULES = {
    "consortium": frozenset({Rule.REGIONAL_ELIGIBILITY, Rule.SELECTION_PENALTY, AppRule.CALL_ORG_TYPE,
                             AppRule.DEMAND_ANCHOR, AppRule.SUPPLIERS, AppRule.JOINT_LAB}),
    "team": frozenset({Rule.RESEARCHER_TIME, Rule.SIMULTANEOUS_PROJECTS, Rule.SELECTION_PENALTY}),
}


def _both(message, **params) -> tuple[str, str]:
    """The message in Korean and in English."""
    out = []
    for lang in ("ko", "en"):
        with translation.override(lang):
            out.append(str(message) % params)
    return out[0], out[1]


def _app_violation(*, rule: str, field: str, message, source: str, limit="", actual="", **params) -> Violation:
    ko, en = _both(message, limit=limit, actual=actual, **params)
    return Violation(rule=rule, field=field, message_ko=ko, message_en=en, source=source, limit=str(limit),
                     actual=str(actual), severity="error")


def _source(key: str, on: dt.date) -> str:
    record = policy_record(key=key, on=on)
    return f"{record.source} [{record.key} v{record.version}]"


def _won(amount: int) -> str:
    return f"{amount:,}"


# --------------------------------------------------------------------------------------------
# Rows → engine input
# --------------------------------------------------------------------------------------------


def engine_budget_lines(lines: Iterable[BudgetLine]) -> list[EngineBudgetLine]:
    return [EngineBudgetLine(year=line.year, institution_id=str(line.organization_id), category=line.category,
                             gov=line.gov_krw, cash=line.cash_krw, in_kind=line.in_kind_krw,
                             items=tuple(BudgetItem(description=item["description"], amount=int(item["amount_krw"]))
                                         for item in line.items or []))
            for line in lines]


def _region_code(region, call_codes: set[str]) -> str | None:
    if region is None:
        return None
    if region.code in call_codes or not region.successor_id:
        return region.code
    successor = region.successor
    return successor.code if successor.code in call_codes else region.code


def engine_institutions(members: Sequence[ConsortiumMember], call_codes: set[str]) -> list[Institution]:
    out = []
    for member in members:
        org = member.organization
        rate = org.indirect_cost_rate / Decimal(100) if org.indirect_cost_rate is not None else None
        out.append(Institution(id=str(org.pk), name=org.name, org_type=org.org_type, role=ROLE_TO_ENGINE[member.role],
                               notified_indirect_rate=rate, region_code=_region_code(org.region, call_codes)))
    return out


def engine_loads(team: Sequence[TeamMember], proposal: Proposal, on: dt.date) -> list[ResearcherLoad]:
    """This proposal's monthly time plus the researcher's time on their other live proposals and projects.

    A government-institute researcher's limit is over the calendar year, so the months of those years in
    which only other projects charge them are given too (0% on this project).
    """
    statuses = policy_value("proposals.researcher_time_counted_statuses", on)
    ids = [m.researcher_id for m in team]
    other: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    rows = (TeamMember.objects.filter(researcher_id__in=ids, proposal__status__in=statuses)
            .exclude(proposal_id=proposal.pk).values_list("researcher_id", "monthly_percent"))
    for researcher_id, months in rows:
        for month, percent in (months or {}).items():
            other[(researcher_id, month)] += Decimal(str(percent))
    loads = []
    for member in team:
        researcher = member.researcher
        is_gri = researcher.organization.org_type == "gri"
        months = {month: Decimal(str(percent)) for month, percent in (member.monthly_percent or {}).items()}
        if is_gri:
            years = {month[:4] for month in months}
            for (researcher_id, month), _percent in other.items():
                if researcher_id == researcher.pk and month[:4] in years:
                    months.setdefault(month, Decimal(0))
        for month, percent in sorted(months.items()):
            loads.append(ResearcherLoad(
                researcher_id=researcher.national_researcher_number, name=researcher.name, month=month,
                this_project_percent=percent,
                other_projects_percent=other.get((researcher.pk, month), Decimal(0)),
                is_gri=is_gri))
    return loads


def engine_active_projects(team: Sequence[TeamMember], proposal: Proposal) -> list[ActiveProjects]:
    """Selected (running) projects of each team member, counting this proposal as if selected."""
    ids = [m.researcher_id for m in team]
    totals: dict[int, int] = defaultdict(int)
    as_pi: dict[int, int] = defaultdict(int)
    rows = (TeamMember.objects.filter(researcher_id__in=ids, proposal__status=ProposalStatus.SELECTED)
            .exclude(proposal_id=proposal.pk).values_list("researcher_id", "is_pi"))
    for researcher_id, is_pi in rows:
        totals[researcher_id] += 1
        as_pi[researcher_id] += int(is_pi)
    return [ActiveProjects(researcher_id=m.researcher.national_researcher_number, name=m.researcher.name,
                           total_active=totals[m.researcher_id] + 1, as_pi=as_pi[m.researcher_id] + int(m.is_pi))
            for m in team]


def engine_penalties(*, organization_ids: Iterable[int], researcher_ids: Iterable[int], on: dt.date) -> list[Penalty]:
    rows = Sanction.objects.filter(Q(organization_id__in=list(organization_ids)) | Q(researcher_id__in=list(researcher_ids)))
    out = []
    for row in rows.select_related("researcher"):
        if row.kind == PenaltyKind.UNPAID_SURCHARGE and row.settled_on and row.settled_on <= on:
            continue
        out.append(Penalty(kind=row.kind, date=row.date,
                           institution_id=str(row.organization_id) if row.organization_id else None,
                           researcher_id=row.researcher.national_researcher_number if row.researcher_id else None))
    return out


# --------------------------------------------------------------------------------------------
# Track and call eligibility (policy records, not code branches)
# --------------------------------------------------------------------------------------------


def _track_violations(*, proposal: Proposal, members: Sequence[ConsortiumMember], gov_total: int,
                      on: dt.date) -> list[Violation]:
    call = proposal.call
    track = call.track
    out: list[Violation] = []
    lead = proposal.lead_organization
    if call.eligible_org_types and lead.org_type not in call.eligible_org_types:
        out.append(_app_violation(
            rule=AppRule.CALL_ORG_TYPE, field="institutions[lead].org_type",
            message=_("Lead institution not eligible: the call accepts %(allowed)s as lead, not %(actual)s."),
            source=f"공고문 신청자격 ({call.reference})", limit=", ".join(call.eligible_org_types), actual=lead.org_type,
            allowed=", ".join(call.eligible_org_types)))
    if call.max_gov_per_project_krw is not None and gov_total > call.max_gov_per_project_krw:
        out.append(_app_violation(
            rule=AppRule.CALL_MAX_GOV, field="budget.gov_total",
            message=_("Government funds of %(actual)s won are above the call's maximum of %(limit)s won per project."),
            source=f"공고문 지원규모 ({call.reference})", limit=_won(call.max_gov_per_project_krw), actual=_won(gov_total)))
    if track == Track.LARGE_SCALE:
        minimum = policy_value("track.large_scale.min_gov_total_krw", on)
        if gov_total < minimum:
            out.append(_app_violation(
                rule=AppRule.LARGE_SCALE, field="budget.gov_total",
                message=_("Large-scale track: government funds of %(actual)s won are below the minimum of %(limit)s won."),
                source=_source("track.large_scale.min_gov_total_krw", on), limit=_won(minimum), actual=_won(gov_total)))
    if track == Track.INDUSTRIAL_LEAP:
        if policy_value("track.industrial_leap.requires_demand_anchor", on) and not lead.is_demand_anchor:
            out.append(_app_violation(
                rule=AppRule.DEMAND_ANCHOR, field="institutions[lead].demand_anchor",
                message=_("Industrial-leap track: the lead institution %(name)s is not a registered demand-anchor company."),
                source=_source("track.industrial_leap.requires_demand_anchor", on), limit="true", actual="false",
                name=lead.name))
        minimum = policy_value("track.industrial_leap.min_supplier_partners", on)
        suppliers = sum(1 for m in members if m.role == MemberRole.SUPPLIER)
        if suppliers < minimum:
            out.append(_app_violation(
                rule=AppRule.SUPPLIERS, field="members.supplier",
                message=_("Industrial-leap track: %(actual)s supplier partner(s); at least %(limit)s required."),
                source=_source("track.industrial_leap.min_supplier_partners", on), limit=minimum, actual=suppliers))
    if track == Track.JOINT_LAB:
        types = {m.organization.org_type for m in members}
        for item in policy_value("track.joint_lab.required_member_types", on):
            wanted = set(str(item).split("|"))
            if not types & wanted:
                out.append(_app_violation(
                    rule=AppRule.JOINT_LAB, field="members.types",
                    message=_("Joint-lab track: the consortium needs a member of type %(wanted)s."),
                    source=_source("track.joint_lab.required_member_types", on), limit=item,
                    actual=", ".join(sorted(types)) or "-", wanted=" / ".join(sorted(wanted))))
    if track == Track.REGULATION_FREE and policy_value("track.regulation_free.requires_regulation", on):
        if not proposal.regulations.exists():
            out.append(_app_violation(
                rule=AppRule.REGULATION, field="regulations",
                message=_("Regulation-free R&D track: name the regulations the project depends on."),
                source=_source("track.regulation_free.requires_regulation", on), limit="≥ 1", actual=0))
    return out


def _completeness_violations(*, proposal: Proposal, team: Sequence[TeamMember], lines_total: int) -> list[Violation]:
    out: list[Violation] = []
    source = f"공고문 제출 요건 ({proposal.call.reference})"
    checks = [
        ("title_ko", not proposal.title_ko.strip(), _("Enter the Korean title.")),
        ("abstract_ko", not proposal.abstract_ko.strip(), _("Enter the Korean abstract.")),
        ("abstract_en", not proposal.abstract_en.strip(), _("Enter the English abstract.")),
        ("period", not (proposal.start_date and proposal.end_date and proposal.start_date <= proposal.end_date),
         _("Enter the project period (start on or before end).")),
        ("pi", not any(m.is_pi for m in team), _("Name the principal investigator in the team.")),
        ("budget", lines_total == 0, _("Enter the budget.")),
    ]
    for field, failed, message in checks:
        if failed:
            out.append(_app_violation(rule=AppRule.COMPLETENESS, field=field, message=message, source=source))
    have = set(proposal.attachments.values_list("kind", flat=True))
    from .enums import AttachmentKind

    for kind in proposal.call.required_documents or []:
        if kind not in have:
            label = AttachmentKind(kind).label if kind in AttachmentKind.values else kind
            out.append(_app_violation(rule=AppRule.DOCUMENTS, field=f"attachments[{kind}]",
                                      message=_("Attach the required document: %(kind)s."), source=source,
                                      limit=kind, actual="-", kind=label))
    return out


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def _in_step_scope(violation: Violation, scope: str) -> bool:
    """Whether a violation belongs to the rules the ``scope`` step shows as you type."""
    if scope == "budget":
        return violation.rule in BUDGET_RULES
    if violation.rule == Rule.SELECTION_PENALTY:  # a bar names a researcher (team) or an institution (consortium)
        return violation.field.startswith("researchers[" if scope == "team" else "institutions[")
    return violation.rule in STEP_RULES[scope]


def proposal_check(*, proposal: Proposal, budget: list[EngineBudgetLine] | None = None, on: dt.date | None = None,
                   at_submission: bool = False, scope: str = "all",
                   members: Sequence[ConsortiumMember] | None = None,
                   team: Sequence[TeamMember] | None = None) -> list[Violation]:
    """Every violation of ``proposal`` (with ``budget``, ``members`` or ``team`` instead of its saved rows when
    given — unsaved rows of a form being typed).

    ``scope`` ("budget", "consortium", "team") keeps the rules that step shows as you type.
    """
    on = on or timezone.localdate()
    call = proposal.call
    members = list(members) if members is not None else list(
        proposal.members.select_related("organization__region__successor"))
    team = list(team) if team is not None else list(proposal.team.select_related("researcher__organization"))
    lines = budget if budget is not None else engine_budget_lines(proposal.budget_lines.all())
    call_codes = call_region_codes(call=call)
    policy = proposal_rule_policy(on=on, program=call.program)
    violations = proposal_validate(
        lines=lines,
        institutions=engine_institutions(members, set(call_codes)),
        loads=engine_loads(team, proposal, on) if scope != "budget" else [],
        active_projects=engine_active_projects(team, proposal) if scope != "budget" else [],
        penalties=engine_penalties(organization_ids=[m.organization_id for m in members],
                                   researcher_ids=[m.researcher_id for m in team], on=on) if scope != "budget" else [],
        today=on,
        call_regions=call_codes if scope != "budget" else [],
        policy=policy,
    )
    gov_total = sum(line.gov for line in lines)
    violations += _track_violations(proposal=proposal, members=members, gov_total=gov_total, on=on)
    if at_submission:
        violations += _completeness_violations(proposal=proposal, team=team, lines_total=sum(line.total for line in lines))
    if scope != "all":
        violations = [v for v in violations if _in_step_scope(v, scope)]
    return violations


_BUDGET_FIELD = re.compile(r"^budget\[(\d+)\](?:\[(\w+)\])?\.(\w+)$")
_SUBJECT_FIELD = re.compile(r"^(institutions|researchers)\[(\d+)\]")
_STEP_BY_PREFIX = (
    ("budget", "budget"), ("institutions", "consortium"), ("members", "consortium"), ("researchers", "team"),
    ("pi", "team"), ("regulations", "extras"), ("attachments", "extras"), ("title_ko", "basics"),
    ("abstract", "basics"), ("period", "basics"),
)


def violation_anchor(field: str) -> tuple[str, str]:
    """(DOM id of the input or row the field path names, the form step that holds it)."""
    match = _BUDGET_FIELD.match(field)
    if match:
        year, org, what = match.groups()
        if org and what in ("gov", "cash"):
            return f"sum-{year}-{org}", "budget"
        if org:
            return f"b-{year}-{org}-{what}", "budget"
        return f"y-{year}", "budget"
    match = _SUBJECT_FIELD.match(field)
    if match:
        kind, subject = match.groups()
        return (f"member-{subject}", "consortium") if kind == "institutions" else (f"researcher-{subject}", "team")
    for prefix, step in _STEP_BY_PREFIX:
        if field.startswith(prefix):
            return f"step-{step}", step
    return "step-review", "review"


def violation_for_display(violation: Violation) -> dict:
    """The violation in the active language, with the DOM anchor and form step of the field it names."""
    english = (translation.get_language() or "ko").startswith("en")
    anchor, step = violation_anchor(violation.field)
    return {
        "rule": violation.rule, "field": violation.field, "anchor": anchor, "step": step,
        "message": violation.message_en if english else violation.message_ko,
        "message_ko": violation.message_ko, "message_en": violation.message_en, "source": violation.source,
        "limit": violation.limit, "actual": violation.actual, "severity": violation.severity,
        # the sentence people read names the law; the rule key, field path and policy version stay data
        "sentence": rule_sentence(violation.message_en if english else violation.message_ko, violation.source),
        "citation": legal_citation(violation.source), "policies": policy_references(violation.source),
    }
