"""The talent growth cycle on plain rows (no Django): next-stage suggestions from policy criteria, and the people
per stage per year.

Stages, in order: postdoc → early_career → mid_career → senior; star_engineer comes only from a designation,
never from a suggestion. Years after the doctorate are whole years (a doctorate on 2019-02-20 makes seven years on
2026-02-20, six the day before).

Suggestions (criteria are policy data, passed in):

* postdoc → early_career: a first project as PI, or ``early_career_years_min`` years after the doctorate;
* early_career → mid_career: more than ``early_career_years_max`` years after the doctorate;
* mid_career → senior: ``senior_years_min`` years after the doctorate and ``senior_pi_projects_min`` projects as PI.

Counts: a person is at the stage of their latest change on or before 31 December of the year (the current year: of
the changes so far); people with no change by then are not counted. A transition is a change that is not the
person's first record. Where they work is the person's current affiliation; took part as PI / researcher: on the
team of a selected project whose period touches the year.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

STAGES = ("postdoc", "early_career", "mid_career", "senior", "star_engineer")


@dataclass(frozen=True)
class StageCriteria:
    early_career_years_min: int
    early_career_years_max: int
    senior_years_min: int
    senior_pi_projects_min: int


@dataclass(frozen=True)
class CareerFacts:
    person_id: str
    stage: str
    doctorate_on: dt.date | None = None
    first_pi_on: dt.date | None = None
    pi_projects: int = 0


@dataclass(frozen=True)
class Suggestion:
    person_id: str
    from_stage: str
    to_stage: str
    reason: str          # "first_pi_project", "years_after_doctorate", "years_and_pi_projects"
    years_after_doctorate: int | None


def whole_years(start: dt.date, end: dt.date) -> int:
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return years


def next_stage_suggestion(facts: CareerFacts, *, criteria: StageCriteria, as_of: dt.date) -> Suggestion | None:
    years = whole_years(facts.doctorate_on, as_of) if facts.doctorate_on and facts.doctorate_on <= as_of else None

    def make(to: str, reason: str) -> Suggestion:
        return Suggestion(facts.person_id, facts.stage, to, reason, years)

    if facts.stage == "postdoc":
        if facts.first_pi_on is not None and facts.first_pi_on <= as_of:
            return make("early_career", "first_pi_project")
        if years is not None and years >= criteria.early_career_years_min:
            return make("early_career", "years_after_doctorate")
    elif facts.stage == "early_career":
        if years is not None and years > criteria.early_career_years_max:
            return make("mid_career", "years_after_doctorate")
    elif facts.stage == "mid_career":
        if (years is not None and years >= criteria.senior_years_min
                and facts.pi_projects >= criteria.senior_pi_projects_min):
            return make("senior", "years_and_pi_projects")
    return None


@dataclass(frozen=True)
class StageChange:
    person_id: str
    stage: str
    on: dt.date
    order: int = 0       # ties on one day: the higher order is the later change


@dataclass(frozen=True)
class PersonPlace:
    person_id: str
    region_group: str = ""
    organization_type: str = ""
    pi_years: frozenset[int] = frozenset()
    researcher_years: frozenset[int] = frozenset()


@dataclass(frozen=True)
class YearStage:
    year: int
    stage: str
    people: int
    transitions: int                     # changes into the stage during the year (not a first record)
    as_pi: int                           # of the people: on a selected project's team as PI that year
    as_researcher: int                   # … as a researcher (not PI)
    by_region_group: dict[str, int] = field(default_factory=dict)
    by_organization_type: dict[str, int] = field(default_factory=dict)


def stage_counts(*, changes: Iterable[StageChange], places: Iterable[PersonPlace],
                 years: Sequence[int]) -> list[YearStage]:
    """People per stage per year (every stage of every year listed, zeros included), oldest year first."""
    by_person: dict[str, list[StageChange]] = defaultdict(list)
    for c in changes:
        by_person[c.person_id].append(c)
    for rows in by_person.values():
        rows.sort(key=lambda c: (c.on, c.order))
    place = {p.person_id: p for p in places}
    out = []
    for year in sorted(set(years)):
        end = dt.date(year, 12, 31)
        at: dict[str, list[str]] = defaultdict(list)
        moved: Counter[str] = Counter()
        for person, rows in by_person.items():
            upto = [c for c in rows if c.on <= end]
            if upto:
                at[upto[-1].stage].append(person)
            moved.update(c.stage for c in rows[1:] if c.on.year == year)
        for stage in STAGES:
            people = at.get(stage, [])
            known = [place[p] for p in people if p in place]
            out.append(YearStage(
                year=year, stage=stage, people=len(people), transitions=moved.get(stage, 0),
                as_pi=sum(1 for p in known if year in p.pi_years),
                as_researcher=sum(1 for p in known if year in p.researcher_years and year not in p.pi_years),
                by_region_group=dict(sorted(Counter(p.region_group for p in known).items())),
                by_organization_type=dict(sorted(Counter(p.organization_type for p in known).items()))))
    return out
