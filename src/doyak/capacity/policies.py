"""The policy records innovation capacity reads (seeded in policies/migrations/policy_seed_0013_c12.toml):

- ``capacity.fund.leap_share_min`` — the share of a fund's investments the plan wants in industrial leap projects;
- ``capacity.graduate_schools.added_from_year`` — graduate schools designated from this year count as added;
- ``talent.early_career.years_after_doctorate_min`` / ``…_max``, ``talent.senior.years_after_doctorate_min``,
  ``talent.senior.pi_projects_min`` — the criteria of the next-stage suggestions;
- ``talent.star.panel_size_min``, ``talent.star.nominee_stages`` — the star-engineer designation.
"""

from __future__ import annotations

import datetime as dt

from doyak.core.labels import policy_choices_register
from doyak.engine.talent import StageCriteria
from doyak.policies.services import policy_value

from .enums import TalentStage

policy_choices_register({"talent.star.nominee_stages": TalentStage})

LEAP_SHARE_KEY = "capacity.fund.leap_share_min"
GRADUATE_SCHOOLS_FROM_KEY = "capacity.graduate_schools.added_from_year"
PANEL_SIZE_KEY = "talent.star.panel_size_min"
NOMINEE_STAGES_KEY = "talent.star.nominee_stages"


def stage_criteria(on: dt.date | None = None) -> StageCriteria:
    return StageCriteria(
        early_career_years_min=int(policy_value("talent.early_career.years_after_doctorate_min", on)),
        early_career_years_max=int(policy_value("talent.early_career.years_after_doctorate_max", on)),
        senior_years_min=int(policy_value("talent.senior.years_after_doctorate_min", on)),
        senior_pi_projects_min=int(policy_value("talent.senior.pi_projects_min", on)),
    )
