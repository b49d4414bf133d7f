"""Evaluation API (/api/v1/evaluation): the same rules as the screens, errors with stable codes."""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from doyak.core.inputs import SMALLINT_MAX, Date, Id, LongText, NotNull, Number, SmallCount, Tags, Text
from doyak.core.pagination import BoundedPageNumberPagination

from . import selectors, services
from .aggregation import rounded

router = Router(tags=["evaluation"])


class ProfileOut(Schema):
    id: int
    name: str
    researcher_id: int | None
    affiliation: str
    keywords: list[str]
    technology_codes: list[str]
    expertise_text: str
    is_economic_expert: bool
    max_load: int
    available_from: dt.date | None
    available_to: dt.date | None
    active: bool


class ProfileIn(Schema):
    keywords: NotNull[Tags] = None
    technology_codes: NotNull[Tags] = None
    expertise_text: NotNull[LongText] = None
    is_economic_expert: NotNull[bool] = None
    max_load: NotNull[SmallCount] = None
    available_from: Date | None = None
    available_to: Date | None = None
    active: NotNull[bool] = None


class PoolFilter(Schema):
    q: Text(200) = ""
    economic: bool | None = None
    active: bool | None = None


class ConflictOut(Schema):
    profile_id: int
    code: str
    reason: str


class EvaluationRunIn(Schema):
    objective: Text(8) = "total"
    top_n: Annotated[int, Field(ge=1, le=SMALLINT_MAX)] | None = None


class EvaluationRunOut(Schema):
    id: int
    panel_id: int
    status: str
    progress: int
    message: str
    problems: list[str]
    objective: str
    per_proposal: int
    proposal_count: int
    evaluator_count: int
    conflict_count: int
    assigned_count: int
    total_affinity: float | None
    min_proposal_affinity: float | None


class AssignmentOut(Schema):
    id: int
    proposal_id: int
    proposal_reference: str
    panel_id: int
    status: str
    pledge_signed_at: dt.datetime | None
    submitted_at: dt.datetime | None

    @staticmethod
    def resolve_proposal_reference(obj) -> str:
        return obj.proposal.reference


class ScoreIn(Schema):
    criterion_id: Id
    score: Number(max_digits=6, decimal_places=2) | None = None
    comment: LongText = ""


class ScoresIn(Schema):
    entries: Annotated[list[ScoreIn], Field(max_length=100)]
    submit: bool = False


class ResultOut(Schema):
    proposal_id: int
    reference: str
    rank: int | None
    score: Decimal | None
    core_score: Decimal | None
    ripple_score: Decimal | None
    totals: list[Decimal]
    spread: Decimal
    spread_alert: bool
    passed: bool


class ResultsOut(Schema):
    panel_id: int
    rule: str
    cutoff: Decimal
    submitted: int
    expected: int
    rows: list[ResultOut]


@router.get("/pool", response=list[ProfileOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def pool_list(request, filters: Query[PoolFilter]):
    return selectors.profile_list_for_user(user=request.user, **filters.dict())


@router.put("/pool/me", response=ProfileOut)
def pool_opt_in(request, payload: ProfileIn):
    services.profile_opt_in(actor=request.user, data=payload.dict(exclude_unset=True))
    return selectors.own_profile(user=request.user)


@router.get("/proposals/{proposal_id}/conflicts", response=list[ConflictOut])
@paginate(BoundedPageNumberPagination, page_size=100)
def proposal_conflicts(request, proposal_id: Id):
    _proposal, grouped = selectors.proposal_conflicts(user=request.user, proposal_id=proposal_id)
    return [{"profile_id": row.profile_id, "code": row.code, "reason": row.reason}
            for rows in grouped.values() for row in rows]


@router.post("/panels/{panel_id}/runs", response={202: EvaluationRunOut})
def run_start(request, panel_id: Id, payload: EvaluationRunIn):
    run = services.assignment_run_start(actor=request.user, panel_id=panel_id, objective=payload.objective,
                                        top_n=payload.top_n)
    return Status(202, selectors.run_get_or_raise(user=request.user, run_id=run.pk))


@router.get("/runs/{run_id}", response=EvaluationRunOut)
def run_progress(request, run_id: Id):
    return selectors.run_get_or_raise(user=request.user, run_id=run_id)


@router.get("/assignments", response=list[AssignmentOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def assignment_list(request):
    """The caller's own assignments only."""
    return selectors.assignment_list_for_evaluator(user=request.user)


@router.post("/assignments/{proposal_id}/pledge", response=AssignmentOut)
def pledge(request, proposal_id: Id):
    return services.pledge_sign(actor=request.user, proposal_id=proposal_id)


@router.put("/assignments/{proposal_id}/scores", response=AssignmentOut)
def scores(request, proposal_id: Id, payload: ScoresIn):
    entries = [{"criterion_id": e.criterion_id, "score": "" if e.score is None else str(e.score), "comment": e.comment}
               for e in payload.entries]
    return services.scores_save(actor=request.user, proposal_id=proposal_id, entries=entries, submit=payload.submit)


@router.get("/panels/{panel_id}/results", response=ResultsOut)
def results(request, panel_id: Id):
    panel = selectors.panel_get_or_raise(user=request.user, panel_id=panel_id)
    data = selectors.panel_results(panel=panel)
    return {"panel_id": panel.pk, "rule": data.rule, "cutoff": data.cutoff, "submitted": data.submitted,
            "expected": data.expected,
            "rows": [{"proposal_id": r.proposal_id, "reference": r.reference, "rank": r.rank, "score": rounded(r.score),
                      "core_score": rounded(r.core_score), "ripple_score": rounded(r.ripple_score),
                      "totals": [rounded(t) for t in r.totals], "spread": rounded(r.spread),
                      "spread_alert": r.spread_alert, "passed": r.passed} for r in data.rows]}
