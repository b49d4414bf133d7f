"""REST API of the finance app, mounted at /api/v1/finance."""


import datetime as dt
from typing import Annotated

from ninja import Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from doyak.core.inputs import Id, LongText, Text
from doyak.core.pagination import BoundedPageNumberPagination

from .selectors import (
    agreement_get_for_user_or_raise,
    agreement_list_for_user,
    flag_get_for_user_or_raise,
    flag_list_current,
    run_get_for_user_or_raise,
    run_list_for_user_or_raise,
)
from .services import flag_decide, flag_explain, settlement_run_resume, settlement_run_start

router = Router(tags=["finance"])


class AgreementOut(Schema):
    id: int
    number: str
    proposal_id: int
    start_date: dt.date
    end_date: dt.date
    gov_funds_krw: int
    cash_funds_krw: int
    other_cash_funds_krw: int = 0
    self_settlement: bool
    status: str
    current_run_id: int | None = None


class TransactionOut(Schema):
    id: int
    txn_id: str
    category: str
    amount_krw: int
    occurred_at: dt.datetime
    merchant_id: str
    merchant_type: str
    evidence: str
    description: str
    source: str


class FlagOut(Schema):
    id: int
    run_id: int
    agreement_id: int
    txn_ref: str
    code: str
    severity: str
    amount_at_risk_krw: int
    status: str
    explanation: str
    decision_note: str


class ExplanationIn(Schema):
    explanation: LongText


class DecisionIn(Schema):
    accept: bool
    note: LongText = ""


class SettlementRunIn(Schema):
    call_id: Id | None = None
    program_id: Id | None = None
    agreement_ids: Annotated[list[Id], Field(max_length=100_000)] | None = None


class SettlementRunPartOut(Schema):
    """One part (project range) of a partitioned run: which worker holds it, since when, and how it ended."""

    index: int
    agreement_ids: list[int]
    status: str
    worker: str = Field("", validation_alias="lease_owner")
    attempts: int
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    error: str


class SettlementRunOut(Schema):
    id: int
    scope: str
    purpose: str
    status: str
    progress: int
    chunks_done: int
    chunks_total: int
    agreement_ids: list[int]
    error: str
    partitioned: bool = False
    parts: list[SettlementRunPartOut] = []

    @staticmethod
    def resolve_parts(obj) -> list:
        return list(obj.parts.all()) if getattr(obj, "partitioned", False) else []  # Meta orders by index


@router.get("/agreements", response=list[AgreementOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def agreement_list(request, call_id: Id | None = None, program_id: Id | None = None):
    return agreement_list_for_user(user=request.user, call_id=call_id, program_id=program_id)


@router.get("/agreements/{agreement_id}", response=AgreementOut)
def agreement_detail(request, agreement_id: Id):
    return agreement_get_for_user_or_raise(user=request.user, agreement_id=agreement_id)


@router.get("/agreements/{agreement_id}/transactions", response=list[TransactionOut])
@paginate(BoundedPageNumberPagination, page_size=100)
def transaction_list(request, agreement_id: Id):
    agreement = agreement_get_for_user_or_raise(user=request.user, agreement_id=agreement_id)
    return agreement.transactions.order_by("-occurred_at", "-id")


@router.get("/agreements/{agreement_id}/flags", response=list[FlagOut])
@paginate(BoundedPageNumberPagination, page_size=100)
def flag_list(request, agreement_id: Id, status: Text(10) = ""):
    """The current run's flags of one agreement, a page at a time (an agreement can hold many thousands)."""
    agreement = agreement_get_for_user_or_raise(user=request.user, agreement_id=agreement_id)
    return flag_list_current(agreement=agreement, status=status)


@router.post("/flags/{flag_id}/explanation", response=FlagOut)
def flag_explanation(request, flag_id: Id, payload: ExplanationIn):
    flag_get_for_user_or_raise(user=request.user, flag_id=flag_id)
    return flag_explain(actor=request.user, flag_id=flag_id, explanation=payload.explanation)


@router.post("/flags/{flag_id}/decision", response=FlagOut)
def flag_decision(request, flag_id: Id, payload: DecisionIn):
    flag_get_for_user_or_raise(user=request.user, flag_id=flag_id)
    return flag_decide(actor=request.user, flag_id=flag_id, accept=payload.accept, note=payload.note)


@router.post("/runs", response={201: SettlementRunOut})
def run_create(request, payload: SettlementRunIn):
    return 201, settlement_run_start(actor=request.user, call_id=payload.call_id, program_id=payload.program_id,
                                     agreement_ids=payload.agreement_ids)


@router.get("/runs", response=list[SettlementRunOut])
@paginate(BoundedPageNumberPagination, page_size=20)
def run_list_api(request):
    """The latest settlement runs, newest first, each with its parts (only those who see the dashboard)."""
    return run_list_for_user_or_raise(user=request.user)


@router.get("/runs/{run_id}", response=SettlementRunOut)
def run_detail(request, run_id: Id):
    return run_get_for_user_or_raise(user=request.user, run_id=run_id)


@router.post("/runs/{run_id}/resume", response=SettlementRunOut)
def run_resume(request, run_id: Id):
    return settlement_run_resume(actor=request.user, run_id=run_id)
