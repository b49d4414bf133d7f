"""The proposal rule engine's policy, read from the versioned policy records in force on a date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from doyak.engine.proposal_rules import OrgType, ProposalRulePolicy, RegionScope, Rule
from doyak.policies.services import policy_record, policy_value

_FOR_PROFIT = (OrgType.LARGE, OrgType.MID_SIZE, OrgType.EARLY_MID_SIZE, OrgType.SME, OrgType.PUBLIC)
_NON_PROFIT = (OrgType.UNIVERSITY, OrgType.GRI, OrgType.NONPROFIT)

# Which policy record each rule's cited source comes from.
_SOURCE_KEYS = {
    Rule.GOV_SHARE: "rnd_act.gov_share_max.sme",
    Rule.OWN_CASH_SHARE: "rnd_act.own_cash_min_share.sme",
    Rule.ALLOWANCE_CAP: "rnd_act.allowance_max_share_of_personnel",
    Rule.SUBCONTRACT_CAP: "rnd_act.subcontract_max_share_of_direct",
    Rule.INDIRECT_RATE: "rnd_act.indirect_rate_default.for_profit",
    Rule.RESEARCHER_TIME: "rnd_act.researcher_time_monthly_max_percent",
    Rule.SIMULTANEOUS_PROJECTS: "rnd_act.simultaneous_projects_max_total",
    Rule.SELECTION_PENALTY: "rnd_act.selection_penalty_window_years",
    Rule.REGIONAL_ELIGIBILITY: "track.regional_only.eligible_region_groups",
}


def proposal_rule_policy(*, on: dt.date, program=None) -> ProposalRulePolicy:
    """Every number of the budget rules as in force on ``on``; the program may switch the 3/5 rule on or off."""

    def v(key: str):
        return policy_value(key, on)

    def share(key: str) -> Decimal:
        return Decimal(v(key))

    gov_share = {t: share(f"rnd_act.gov_share_max.{t.value}") for t in
                 (OrgType.SME, OrgType.EARLY_MID_SIZE, OrgType.MID_SIZE, OrgType.LARGE)}
    gov_share[OrgType.PUBLIC] = gov_share[OrgType.LARGE]
    gov_share.update({t: share("rnd_act.gov_share_max.nonprofit") for t in _NON_PROFIT})
    own_cash = {t: share(f"rnd_act.own_cash_min_share.{t.value}") for t in
                (OrgType.SME, OrgType.EARLY_MID_SIZE, OrgType.MID_SIZE, OrgType.LARGE)}
    own_cash[OrgType.PUBLIC] = own_cash[OrgType.LARGE]
    indirect = {t: share("rnd_act.indirect_rate_default.for_profit") for t in _FOR_PROFIT}
    indirect[OrgType.UNIVERSITY] = share("rnd_act.indirect_rate_default.university")
    indirect[OrgType.GRI] = indirect[OrgType.NONPROFIT] = share("rnd_act.indirect_rate_default.nonprofit")
    enabled = getattr(program, "simultaneous_limit_enabled", None)
    if enabled is None:
        enabled = bool(v("rnd_act.simultaneous_projects_enabled"))
    sources = {}
    for rule, key in _SOURCE_KEYS.items():
        record = policy_record(key=key, on=on)
        sources[rule] = f"{record.source} [{record.key} v{record.version}]"
    sources[Rule.REGIONAL_ELIGIBILITY] = "공고문 신청자격 (지역 한정 과제); " + sources[Rule.REGIONAL_ELIGIBILITY]
    return ProposalRulePolicy(
        allowance_max_share_of_personnel=share("rnd_act.allowance_max_share_of_personnel"),
        allowance_base_includes_student_personnel=bool(v("rnd_act.allowance_base_includes_student_personnel")),
        subcontract_max_share_of_direct=share("rnd_act.subcontract_max_share_of_direct"),
        indirect_default_rate_by_org_type=indirect,
        gov_share_max_by_org_type=gov_share,
        own_cash_min_share_by_org_type=own_cash,
        researcher_monthly_max_percent=Decimal(v("rnd_act.researcher_time_monthly_max_percent")),
        gri_yearly_max_percent=Decimal(v("rnd_act.researcher_time_gri_yearly_max_percent")),
        simultaneous_limit_enabled=enabled,
        simultaneous_max_total=int(v("rnd_act.simultaneous_projects_max_total")),
        simultaneous_max_as_pi=int(v("rnd_act.simultaneous_projects_max_as_pi")),
        penalty_window_years=int(v("rnd_act.selection_penalty_window_years")),
        region_scope=RegionScope(v("track.regional_only.region_scope")),
        sources=sources,
    )
