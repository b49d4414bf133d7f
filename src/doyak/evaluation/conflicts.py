"""Conflicts of interest from the database: rows → ``engine.conflicts`` records → reasons.

Person ids: ``r<researcher id>`` for registered researchers, ``x<profile id>`` for outside experts.
Evaluator ids are profile ids, proposal ids proposal ids (as text). Departments are compared within
one organisation (``<organization id>:<department>``), so "same lowest department as the PI" only
holds for an evaluator of the PI's organisation.

* organisations and corporate groups: every consortium member of the proposal (lead first);
* researchers: the proposal's team (the PI included);
* co-research: proposals in a selected state (``SELECTED_STATES``; agreements will add to it) in
  which the evaluator and a proposal researcher were both on the team, over the proposal's period;
* advisor–student: ``Researcher.advisor`` either way;
* sanctions: ``proposals.Sanction`` of kind *sanction* on the evaluator's researcher record, counted
  on its decision date;
* declared conflicts, challenges (기피) and recusals (회피): ``DeclaredConflict`` rows.

Windows come from the policy ``evaluation.conflict_window_years`` in force on ``as_of``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language

from doyak.engine import conflicts as engine
from doyak.organizations.models import Organization, Researcher
from doyak.policies.services import policy_value
from doyak.proposals.enums import ProposalStatus, SanctionKind
from doyak.proposals.models import ConsortiumMember, Proposal, Sanction, TeamMember

from .models import DeclaredConflict, EvaluatorProfile

SELECTED_STATES = (ProposalStatus.SELECTED,)
_CHUNK = 500


def person_id_of(profile: EvaluatorProfile) -> str:
    return f"r{profile.researcher_id}" if profile.researcher_id else f"x{profile.pk}"


def _department_id(organization_id: int | None, department: str) -> str | None:
    department = (department or "").strip()
    return f"{organization_id}:{department}" if organization_id and department else None


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    ids = list(ids)
    for i in range(0, len(ids), _CHUNK):
        yield ids[i:i + _CHUNK]


@dataclass(frozen=True)
class ConflictInput:
    """Everything ``engine.conflicts.conflicts_compute`` needs, built from rows."""

    proposals: list[engine.ProposalParties]
    evaluators: list[engine.EvaluatorProfile]
    organizations: list[engine.Organization]
    participations: list[engine.Participation]
    advisor_relations: list[engine.AdvisorRelation]
    sanctions: list[engine.Sanction]
    declarations: list[engine.Declaration]


def conflict_input_build(*, proposal_ids: Sequence[int], profiles: Sequence[EvaluatorProfile]) -> ConflictInput:
    """Load the parties of ``proposal_ids`` and the records that link them to ``profiles``."""
    proposal_ids = list(proposal_ids)
    proposals = {p.pk: p for p in Proposal.objects.filter(pk__in=proposal_ids).select_related("pi")}
    members: dict[int, list[int]] = {pk: [] for pk in proposals}
    for m in ConsortiumMember.objects.filter(proposal_id__in=proposal_ids).order_by("id"):
        members[m.proposal_id].append(m.organization_id)
    team: dict[int, list[int]] = {pk: [] for pk in proposals}
    pi_of: dict[int, int] = {}
    for t in TeamMember.objects.filter(proposal_id__in=proposal_ids).order_by("-is_pi", "id"):
        team[t.proposal_id].append(t.researcher_id)
        if t.is_pi:
            pi_of.setdefault(t.proposal_id, t.researcher_id)

    # researchers whose department matters (PIs) and everyone's organisations
    pi_ids = {p.pi_id or pi_of.get(pk) for pk, p in proposals.items()} - {None}
    pi_rows = {r.pk: r for r in Researcher.objects.filter(pk__in=pi_ids).only("id", "organization_id", "department")}

    parties = []
    for pk, p in proposals.items():
        pi_id = p.pi_id or pi_of.get(pk)
        pi = pi_rows.get(pi_id) if pi_id else None
        orgs = [p.lead_organization_id] + [o for o in members[pk] if o != p.lead_organization_id]
        parties.append(engine.ProposalParties(
            proposal_id=str(pk),
            lead_organization_id=str(p.lead_organization_id),
            pi_person_id=f"r{pi_id}" if pi_id else f"none-{pk}",
            pi_department_id=_department_id(pi.organization_id, pi.department) if pi else None,
            participant_organization_ids=tuple(str(o) for o in dict.fromkeys(orgs[1:])),
            researcher_person_ids=tuple(f"r{r}" for r in dict.fromkeys(team[pk]) if r != pi_id),
        ))

    evaluators = []
    for prof in profiles:
        org_id = prof.organization_id_effective
        evaluators.append(engine.EvaluatorProfile(
            evaluator_id=str(prof.pk), person_id=person_id_of(prof),
            organization_id=str(org_id) if org_id else None,
            department_id=_department_id(org_id, prof.department_effective),
        ))

    org_ids = {o for orgs in members.values() for o in orgs} | {p.lead_organization_id for p in proposals.values()}
    org_ids |= {prof.organization_id_effective for prof in profiles} - {None}
    organizations = [engine.Organization(id=str(pk), group_id=group.strip() or None)
                     for pk, group in Organization.objects.filter(pk__in=org_ids).values_list("id", "corporate_group")]

    evaluator_researchers = [prof.researcher_id for prof in profiles if prof.researcher_id]
    proposal_researchers = {r for rs in team.values() for r in rs} | pi_ids
    participations = _participations(evaluator_researchers)
    advisor_relations = _advisor_relations(set(evaluator_researchers) | proposal_researchers)
    sanctions = []
    for chunk in _chunks(evaluator_researchers):
        for researcher_id, date in (Sanction.objects.filter(researcher_id__in=chunk, kind=SanctionKind.SANCTION)
                                    .exclude(date=None).values_list("researcher_id", "date")):
            sanctions.append(engine.Sanction(person_id=f"r{researcher_id}", starts_on=date, ends_on=date))

    profile_ids = [prof.pk for prof in profiles]
    declarations = []
    for chunk in _chunks(profile_ids):
        for d in DeclaredConflict.objects.filter(proposal_id__in=proposal_ids, profile_id__in=chunk):
            declarations.append(engine.Declaration(proposal_id=str(d.proposal_id), evaluator_id=str(d.profile_id),
                                                   kind=d.kind, note=d.reason))
    return ConflictInput(parties, evaluators, organizations, participations, advisor_relations, sanctions,
                         declarations)


def _participations(evaluator_researchers: Sequence[int]) -> list[engine.Participation]:
    """Team memberships in selected projects that include one of the evaluators."""
    project_ids: set[int] = set()
    for chunk in _chunks(evaluator_researchers):
        project_ids |= set(TeamMember.objects.filter(researcher_id__in=chunk, proposal__status__in=SELECTED_STATES)
                           .values_list("proposal_id", flat=True))
    out = []
    for chunk in _chunks(sorted(project_ids)):
        rows = (TeamMember.objects.filter(proposal_id__in=chunk)
                .values_list("proposal_id", "researcher_id", "proposal__start_date", "proposal__end_date",
                             "proposal__decided_at"))
        for proposal_id, researcher_id, start, end, decided_at in rows:
            start = start or (timezone.localdate(decided_at) if decided_at else None)
            if start is None:
                continue
            out.append(engine.Participation(project_id=f"p{proposal_id}", person_id=f"r{researcher_id}",
                                            starts_on=start, ends_on=end))
    return out


def _advisor_relations(researcher_ids: Iterable[int]) -> list[engine.AdvisorRelation]:
    ids = sorted(researcher_ids)
    pairs: set[tuple[int, int]] = set()
    for chunk in _chunks(ids):
        pairs |= set(Researcher.objects.filter(Q(pk__in=chunk, advisor__isnull=False) | Q(advisor_id__in=chunk))
                     .values_list("advisor_id", "id"))
    return [engine.AdvisorRelation(advisor_person_id=f"r{a}", student_person_id=f"r{s}") for a, s in sorted(pairs)]


def conflicts_find(
    *, proposal_ids: Sequence[int], profiles: Sequence[EvaluatorProfile], as_of: dt.date | None = None,
) -> list[engine.Conflict]:
    """Every conflict between the proposals and the profiles, each with its reason (ko and en)."""
    as_of = as_of or timezone.localdate()
    years = int(policy_value("evaluation.conflict_window_years", as_of))
    data = conflict_input_build(proposal_ids=proposal_ids, profiles=profiles)
    return engine.conflicts_compute(
        proposals=data.proposals, evaluators=data.evaluators, as_of=as_of, co_research_years=years,
        sanction_years=years, organizations=data.organizations, participations=data.participations,
        advisor_relations=data.advisor_relations, sanctions=data.sanctions, declarations=data.declarations,
    )


def conflicts_for_pair(*, proposal: Proposal, profile: EvaluatorProfile,
                       as_of: dt.date | None = None) -> list[engine.Conflict]:
    return conflicts_find(proposal_ids=[proposal.pk], profiles=[profile], as_of=as_of)


def reason_text(conflict: engine.Conflict, lang: str | None = None) -> str:
    """The reason in the reader's language (Korean unless English is active)."""
    lang = lang or get_language() or "ko"
    return conflict.reason_en if lang.startswith("en") else conflict.reason
