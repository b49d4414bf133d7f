"""Conflicts of interest (이해충돌) between proposals and evaluators (DOMAIN.md §3).

A pure function over plain records. Rules (reason codes):

* ``own_researcher`` — the evaluator is a researcher of the proposal (mandatory exclusion);
* ``same_organization`` — the evaluator's organisation is the lead or a participating one;
* ``same_corporate_group`` — the evaluator's organisation is in the same corporate group
  (기업집단) as one of them (and is not the same organisation);
* ``same_department`` — same organisation and same lowest department as the PI;
* ``co_research`` — the evaluator and a proposal researcher took part in the same project with
  overlapping participation that lasted into the window;
* ``advisor_student`` — advisor and student, either direction, with any proposal researcher;
* ``sanctioned`` — a sanction on the evaluator in force at some day of the window
  (mandatory exclusion);
* ``declared`` / ``challenged`` (기피, asked by the applicant) / ``recused`` (회피, by the
  evaluator) — records passed in as they are.

Windows (``co_research_years``, ``sanction_years``; 3 in the Act, passed in from policy): the
window of ``as_of`` is ``[as_of − N calendar years, as_of]``, both ends included; 29 February
maps to 28 February. A period ending exactly N years before ``as_of`` still conflicts; one
ending a day earlier does not. An open period (no end) lasts until ``as_of``. A period that
starts after ``as_of`` does not count.

Every rule that applies gives its own ``Conflict`` (a pair may have several); the result is
sorted by proposal, evaluator, reason code and has no repeats.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from doyak.engine.errors import EngineError

REASONS: dict[str, tuple[str, str]] = {
    # code: (Korean, English)
    "own_researcher": ("과제 참여연구자", "researcher of the proposal"),
    "same_organization": ("동일 기관", "same organization"),
    "same_corporate_group": ("동일 기업집단", "same corporate group"),
    "same_department": ("연구책임자와 동일 최하위 부서", "same lowest department as the PI"),
    "co_research": ("최근 공동연구", "recent joint research"),
    "advisor_student": ("사제 관계", "advisor and student"),
    "sanctioned": ("최근 제재 이력", "recently sanctioned"),
    "declared": ("이해충돌 신고", "declared conflict"),
    "challenged": ("기피 신청", "challenged by the applicant"),
    "recused": ("회피 신청", "recused by the evaluator"),
}

DeclarationKind = Literal["declared", "challenged", "recused"]


class ConflictInputError(EngineError):
    """Malformed conflict input (e.g. a negative window, an unknown declaration kind)."""

    code = "conflict_invalid_input"


@dataclass(frozen=True)
class Organization:
    """An organisation and the corporate group (기업집단) it belongs to, if any."""

    id: str
    group_id: str | None = None


@dataclass(frozen=True)
class ProposalParties:
    """Who is on a proposal: its organisations (lead first), PI and researchers (person ids)."""

    proposal_id: str
    lead_organization_id: str
    pi_person_id: str
    pi_department_id: str | None = None
    participant_organization_ids: tuple[str, ...] = ()
    researcher_person_ids: tuple[str, ...] = ()

    @property
    def organization_ids(self) -> tuple[str, ...]:
        return (self.lead_organization_id, *self.participant_organization_ids)

    @property
    def person_ids(self) -> tuple[str, ...]:
        return (self.pi_person_id, *self.researcher_person_ids)


@dataclass(frozen=True)
class EvaluatorProfile:
    evaluator_id: str
    person_id: str
    organization_id: str | None = None
    department_id: str | None = None


@dataclass(frozen=True)
class Participation:
    """A person's participation in a past or current project (ends_on None: still running)."""

    project_id: str
    person_id: str
    starts_on: date
    ends_on: date | None = None


@dataclass(frozen=True)
class AdvisorRelation:
    advisor_person_id: str
    student_person_id: str


@dataclass(frozen=True)
class Sanction:
    """A participation ban or other sanction on a person (ends_on None: open-ended)."""

    person_id: str
    starts_on: date
    ends_on: date | None = None


@dataclass(frozen=True)
class Declaration:
    """A declared conflict, a challenge (기피) or a recusal (회피) for one pair."""

    proposal_id: str
    evaluator_id: str
    kind: DeclarationKind
    note: str = ""


@dataclass(frozen=True, order=True)
class Conflict:
    proposal_id: str
    evaluator_id: str
    reason_code: str
    reason: str  # Korean, for people
    reason_en: str

    @property
    def pair(self) -> tuple[str, str]:
        return (self.proposal_id, self.evaluator_id)


def years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier (29 February -> 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _in_window(starts_on: date, ends_on: date | None, *, window_start: date, as_of: date) -> bool:
    end = as_of if ends_on is None else min(ends_on, as_of)
    return starts_on <= as_of and end >= window_start and end >= starts_on


def _conflict(proposal_id: str, evaluator_id: str, code: str, detail: str = "") -> Conflict:
    ko, en = REASONS[code]
    suffix = f": {detail}" if detail else ""
    return Conflict(proposal_id, evaluator_id, code, ko + suffix, en + suffix)


def conflicts_compute(
    *,
    proposals: Sequence[ProposalParties],
    evaluators: Sequence[EvaluatorProfile],
    as_of: date,
    co_research_years: int,
    sanction_years: int,
    organizations: Iterable[Organization] = (),
    participations: Iterable[Participation] = (),
    advisor_relations: Iterable[AdvisorRelation] = (),
    sanctions: Iterable[Sanction] = (),
    declarations: Iterable[Declaration] = (),
) -> list[Conflict]:
    """All conflicts between the proposals and the evaluators, each with its reason.

    Work is proportional to the records and the conflicts found, not to proposals × evaluators
    (except sanctions, which exclude an evaluator from every proposal).
    """
    if co_research_years < 0 or sanction_years < 0:
        raise ConflictInputError("windows must not be negative")
    group_of: Mapping[str, str | None] = {o.id: o.group_id for o in organizations}
    evaluators_by_person: dict[str, list[EvaluatorProfile]] = defaultdict(list)
    evaluators_by_org: dict[str, list[EvaluatorProfile]] = defaultdict(list)
    evaluators_by_group: dict[str, list[EvaluatorProfile]] = defaultdict(list)
    for ev in evaluators:
        evaluators_by_person[ev.person_id].append(ev)
        if ev.organization_id is not None:
            evaluators_by_org[ev.organization_id].append(ev)
            group = group_of.get(ev.organization_id)
            if group is not None:
                evaluators_by_group[group].append(ev)
    known_proposals = {p.proposal_id for p in proposals}
    known_evaluators = {ev.evaluator_id for ev in evaluators}

    # co-research: person -> persons sharing a project, with participation in the window
    co_start = years_before(as_of, co_research_years)
    by_project: dict[str, list[Participation]] = defaultdict(list)
    for part in participations:
        if _in_window(part.starts_on, part.ends_on, window_start=co_start, as_of=as_of):
            by_project[part.project_id].append(part)
    evaluator_persons = set(evaluators_by_person)
    co_partners: dict[str, dict[str, str]] = defaultdict(dict)  # researcher -> evaluator person -> project
    for project_id, parts in by_project.items():
        for a in parts:
            if a.person_id not in evaluator_persons:
                continue
            for b in parts:
                if b.person_id == a.person_id:
                    continue
                overlap_start = max(a.starts_on, b.starts_on)
                a_end = as_of if a.ends_on is None else a.ends_on
                b_end = as_of if b.ends_on is None else b.ends_on
                overlap_end = min(a_end, b_end, as_of)
                if overlap_start <= overlap_end and overlap_end >= co_start:
                    co_partners[b.person_id].setdefault(a.person_id, project_id)

    advisors: dict[str, set[str]] = defaultdict(set)
    for rel in advisor_relations:
        advisors[rel.advisor_person_id].add(rel.student_person_id)
        advisors[rel.student_person_id].add(rel.advisor_person_id)

    sanction_start = years_before(as_of, sanction_years)
    sanctioned = sorted(
        {
            ev.evaluator_id
            for s in sanctions
            if _in_window(s.starts_on, s.ends_on, window_start=sanction_start, as_of=as_of)
            for ev in evaluators_by_person.get(s.person_id, ())
        }
    )

    found: set[Conflict] = set()
    for prop in proposals:
        pid = prop.proposal_id
        for person in prop.person_ids:
            for ev in evaluators_by_person.get(person, ()):
                found.add(_conflict(pid, ev.evaluator_id, "own_researcher"))
        proposal_groups: dict[str, str] = {}
        for org in prop.organization_ids:
            for ev in evaluators_by_org.get(org, ()):
                found.add(_conflict(pid, ev.evaluator_id, "same_organization", org))
            group = group_of.get(org)
            if group is not None:
                proposal_groups.setdefault(group, org)
        own_orgs = set(prop.organization_ids)
        for group in proposal_groups:
            for ev in evaluators_by_group.get(group, ()):
                if ev.organization_id not in own_orgs:
                    found.add(_conflict(pid, ev.evaluator_id, "same_corporate_group", group))
        if prop.pi_department_id is not None:
            for ev in evaluators_by_org.get(prop.lead_organization_id, ()):
                if ev.department_id == prop.pi_department_id:
                    found.add(_conflict(pid, ev.evaluator_id, "same_department", prop.pi_department_id))
        for person in prop.person_ids:
            for partner, project_id in co_partners.get(person, {}).items():
                for ev in evaluators_by_person[partner]:
                    found.add(_conflict(pid, ev.evaluator_id, "co_research", project_id))
            for other in advisors.get(person, ()):
                for ev in evaluators_by_person.get(other, ()):
                    found.add(_conflict(pid, ev.evaluator_id, "advisor_student"))
        for eid in sanctioned:
            found.add(_conflict(pid, eid, "sanctioned"))
    for dec in declarations:
        if dec.kind not in ("declared", "challenged", "recused"):
            raise ConflictInputError(f"unknown declaration kind {dec.kind!r}")
        if dec.proposal_id in known_proposals and dec.evaluator_id in known_evaluators:
            found.add(_conflict(dec.proposal_id, dec.evaluator_id, dec.kind, dec.note))

    # one conflict per (pair, reason): keep the first detail in sort order
    unique: dict[tuple[str, str, str], Conflict] = {}
    for c in sorted(found):
        unique.setdefault((c.proposal_id, c.evaluator_id, c.reason_code), c)
    return list(unique.values())
