"""The regulation policies from the versioned policy records (``regulation.*``; seeded by
policies/migrations/policy_seed_0011_r11.toml)."""

from __future__ import annotations

import datetime as dt

from doyak.core.labels import policy_choices_register
from doyak.engine.regulation import StatusPolicy
from doyak.policies.services import policy_value
from doyak.programs.enums import Track

MILESTONE_WARNING_DAYS = "regulation.milestone_warning_days"
EXPIRY_WARNING_DAYS = "regulation.expiry_warning_days"
EXEMPTION_YEARS = "regulation.exemption_years"
EXTENSION_YEARS = "regulation.extension_years"
EXTENSION_MAX_COUNT = "regulation.extension_max_count"
AUTOMATIC_EXTENSION = "regulation.automatic_extension_pending_amendment"
QUICK_CONFIRMATION_DAYS = "regulation.quick_confirmation_answer_days"
AGREEMENT_REQUIRED_TRACKS = "regulation.agreement_required_tracks"
TASK_TARGET_COUNT = "regulation.task_target_count"

policy_choices_register({AGREEMENT_REQUIRED_TRACKS: Track})


def status_policy(*, on: dt.date | None = None) -> StatusPolicy:
    return StatusPolicy(milestone_warning_days=int(policy_value(MILESTONE_WARNING_DAYS, on)),
                        expiry_warning_days=int(policy_value(EXPIRY_WARNING_DAYS, on)))


def int_policy(key: str, *, on: dt.date | None = None) -> int:
    return int(policy_value(key, on))


def automatic_extension(*, on: dt.date | None = None) -> bool:
    return bool(policy_value(AUTOMATIC_EXTENSION, on))


def agreement_required_tracks(*, on: dt.date | None = None) -> set[str]:
    return {str(t) for t in policy_value(AGREEMENT_REQUIRED_TRACKS, on)}
