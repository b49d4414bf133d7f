"""The agreement change rules from the versioned policy records (``agreement_change.*``).

Each rule of ``engine.agreement_changes.RULES`` is the policy ``agreement_change.class.<rule>`` (``major`` or
``minor``, with its legal source); unplanned equipment uses ``rnd_act.equipment_plan_threshold_krw``; the PM
answers a request that needs approval within ``agreement_change.answer_days``.
"""

from __future__ import annotations

import datetime as dt

from doyak.engine.agreement_changes import RULES, ChangeRules
from doyak.policies.models import PolicySetting
from doyak.policies.services import policy_record, policy_value, policy_values

RULE_PREFIX = "agreement_change.class."
ANSWER_DAYS = "agreement_change.answer_days"
EQUIPMENT_THRESHOLD = "rnd_act.equipment_plan_threshold_krw"


def rule_key(rule: str) -> str:
    """The policy key of an engine rule (what the API's ``rule`` says)."""
    return RULE_PREFIX + rule


def change_rules_current(*, on: dt.date | None = None) -> ChangeRules:
    values = policy_values(prefix=RULE_PREFIX, on=on)
    return ChangeRules(classes={rule: values.get(rule_key(rule)) for rule in RULES},
                       equipment_threshold_krw=int(policy_value(EQUIPMENT_THRESHOLD, on)))


def answer_days(*, on: dt.date | None = None) -> int:
    return int(policy_value(ANSWER_DAYS, on))


def rule_records(*, keys: set[str], on: dt.date | None = None) -> dict[str, PolicySetting]:
    """The policy record in force of each rule key (its label and source for the request page)."""
    return {key: policy_record(key=key, on=on) for key in sorted(keys)}
