"""The execution policies from the versioned policy records (``execution.*``, ``sanctions.*``, ``grades.*``,
``stop.*``; seeded by policies/migrations/policy_seed_0008_execution.toml and 0002)."""

from __future__ import annotations

import datetime as dt

from doyak.core.labels import policy_choices_register
from doyak.policies.services import policy_value

from .enums import PanelRule, StopReason

policy_choices_register({"execution.stop.no_penalty_reasons": StopReason, "execution.panel.result_rule": PanelRule})

GRADE_SWITCH_DATE = "execution.grades.switch_date"
SANCTION_GRADES = "grades.sanction_grades"
PANEL_SIZE_SPECIAL = "execution.panel_size.special"
PANEL_SIZE_RESULT = "execution.panel_size.result"
PANEL_MIN_EXPERTS = "execution.panel_min_economic_experts"
ANNUAL_DUE_DAYS = "execution.report.annual_due_days"
FINAL_DUE_DAYS = "execution.report.final_due_days"
REMINDER_DAYS = "execution.report.reminder_days_before"
NO_PENALTY_REASONS = "execution.stop.no_penalty_reasons"
EXPENSE_REPORT_MONTHS = "stop.expense_report_due_months"
GRADE_BAN_MONTHS = "sanctions.grade_ban_months"
MISUSE_BANDS = "sanctions.misuse_ban_bands"
BAN_MAX_YEARS = "sanctions.participation_ban_max_years"
SURCHARGE_MAX_MULTIPLE = "sanctions.surcharge_max_multiple"
HEARING_DAYS = "sanctions.hearing_days"
OBJECTION_DAYS = "sanctions.objection_window_days"
PANEL_RESULT_RULE = "execution.panel.result_rule"


def grade_switch_date(*, on: dt.date | None = None) -> dt.date:
    return dt.date.fromisoformat(str(policy_value(GRADE_SWITCH_DATE, on)))


def sanction_grades(*, on: dt.date | None = None) -> set[str]:
    return set(policy_value(SANCTION_GRADES, on))


def int_policy(key: str, *, on: dt.date | None = None) -> int:
    return int(policy_value(key, on))


def list_policy(key: str, *, on: dt.date | None = None) -> list:
    return list(policy_value(key, on))


def panel_result_rule(*, on: dt.date | None = None) -> str:
    return str(policy_value(PANEL_RESULT_RULE, on))


def grades_in_force(*, on: dt.date) -> tuple[str, ...]:
    """The grade scheme an evaluation uses on ``on`` (four grades before the switch date, two from it)."""
    from doyak.engine.execution import grades_allowed

    return grades_allowed(on=on, switch_date=grade_switch_date(on=on))
