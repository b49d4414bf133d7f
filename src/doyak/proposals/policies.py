"""The proposal rule engine's policy, read from the versioned policy records in force on a date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from doyak.core.labels import policy_choices_register
from doyak.engine.proposal_rules import OrgType, ProposalRulePolicy, RegionScope, Rule
from doyak.organizations.enums import OrganizationType
from doyak.policies.services import policy_record, policy_value, policy_values_in_force
from doyak.regions.enums import RegionGroup

from .enums import ProposalStatus

REGION_SCOPE_LABELS = {
    RegionScope.LEAD.value: _("The lead institution only"),
    RegionScope.ALL.value: _("Every institution of the consortium"),
}
policy_choices_register({
    "track.regional_only.eligible_region_groups": RegionGroup,
    "track.regional_only.region_scope": REGION_SCOPE_LABELS,
    "track.joint_lab.required_member_types": OrganizationType,
    "proposals.researcher_time_counted_statuses": ProposalStatus,
})

_FOR_PROFIT = (OrgType.LARGE, OrgType.MID_SIZE, OrgType.EARLY_MID_SIZE, OrgType.SME, OrgType.PUBLIC)
_NON_PROFIT = (OrgType.UNIVERSITY, OrgType.GRI, OrgType.NONPROFIT)

# Which policy record each rule's cited source comes from. Rules whose limit depends on the institution's
# type cite the record of that type (_SOURCE_KEYS_BY_ORG_TYPE); the key here is for a rule without one.
_SOURCE_KEYS = {
    Rule.ALLOWANCE_CAP: "rnd_act.allowance_max_share_of_personnel",
    Rule.SUBCONTRACT_CAP: "rnd_act.subcontract_max_share_of_direct",
    Rule.EQUIPMENT_PLAN: "rnd_act.equipment_plan_threshold_krw",
    Rule.RESEARCHER_TIME: "rnd_act.researcher_time_monthly_max_percent",
    Rule.SIMULTANEOUS_PROJECTS: "rnd_act.simultaneous_projects_max_total",
    Rule.SELECTION_PENALTY: "rnd_act.selection_penalty_window_years",
    Rule.REGIONAL_ELIGIBILITY: "track.regional_only.eligible_region_groups",
}
# Public companies count as large companies and institutes as non-profits, as in proposal_rule_policy.
_GOV_SHARE_KEY = {
    OrgType.SME: "sme", OrgType.EARLY_MID_SIZE: "early_mid_size", OrgType.MID_SIZE: "mid_size",
    OrgType.LARGE: "large", OrgType.PUBLIC: "large",
    OrgType.UNIVERSITY: "nonprofit", OrgType.GRI: "nonprofit", OrgType.NONPROFIT: "nonprofit",
}
_SOURCE_KEYS_BY_ORG_TYPE = {
    Rule.GOV_SHARE: {t: f"rnd_act.gov_share_max.{k}" for t, k in _GOV_SHARE_KEY.items()},
    Rule.OWN_CASH_SHARE: {t: f"rnd_act.own_cash_min_share.{k}" for t, k in _GOV_SHARE_KEY.items()
                          if k != "nonprofit"},
    Rule.INDIRECT_RATE: {
        **{t: "rnd_act.indirect_rate_default.for_profit" for t in _FOR_PROFIT},
        OrgType.UNIVERSITY: "rnd_act.indirect_rate_default.university",
        OrgType.GRI: "rnd_act.indirect_rate_default.nonprofit",
        OrgType.NONPROFIT: "rnd_act.indirect_rate_default.nonprofit",
    },
    Rule.RESEARCHER_TIME: {OrgType.GRI: "rnd_act.researcher_time_gri_yearly_max_percent"},
}


def proposal_rule_policy(*, on: dt.date, program=None) -> ProposalRulePolicy:
    """Every number of the budget rules as in force on ``on``; the program may switch the 3/5 rule on or off."""

    in_force = policy_values_in_force(on=on)  # one query for the thirty-odd numbers below

    def v(key: str):
        return in_force[key] if key in in_force else policy_value(key, on)  # the latter names a missing key

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
    cited: dict[str, str] = {}

    def cite(key: str) -> str:
        if key not in cited:
            record = policy_record(key=key, on=on)
            cited[key] = f"{record.source} [{record.key} v{record.version}]"
        return cited[key]

    # the engine's statute text stays the source of a rule broken without a type's record (a notified rate)
    sources = {**ProposalRulePolicy().sources, **{rule: cite(key) for rule, key in _SOURCE_KEYS.items()}}
    by_org_type = {rule: {t: cite(key) for t, key in keys.items()} for rule, keys in _SOURCE_KEYS_BY_ORG_TYPE.items()}
    sources[Rule.REGIONAL_ELIGIBILITY] = "공고문 신청자격 (지역 한정 과제); " + sources[Rule.REGIONAL_ELIGIBILITY]
    return ProposalRulePolicy(
        allowance_max_share_of_personnel=share("rnd_act.allowance_max_share_of_personnel"),
        allowance_base_includes_student_personnel=bool(v("rnd_act.allowance_base_includes_student_personnel")),
        subcontract_max_share_of_direct=share("rnd_act.subcontract_max_share_of_direct"),
        equipment_plan_threshold_krw=int(v("rnd_act.equipment_plan_threshold_krw")),
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
        sources_by_org_type=by_org_type,
    )
