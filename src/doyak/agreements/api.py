"""REST API of the agreements app, mounted at /api/v1/agreements (the contract of issue 10: add, never rename)."""

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from doyak.core.inputs import SMALLINT_MAX, Id, LongText, Number, Text, Won, Year
from doyak.core.pagination import BoundedPageNumberPagination

from .selectors import (
    agreement_get_for_user_or_raise,
    agreement_list_for_user,
    change_get_for_user_or_raise,
    change_list_for_user,
    version_list,
)
from .services import change_propose, change_transition, change_update

router = Router(tags=["agreements"])

AgreementStatusValue = Literal["draft", "signed", "active", "stopped", "closed"]
ChangeStatusValue = Literal["draft", "submitted", "returned", "approved", "rejected", "applied"]


class AgreementRecordOut(Schema):
    id: int
    number: str
    status: AgreementStatusValue
    version: int
    proposal_id: int
    title: str
    start_date: dt.date
    end_date: dt.date
    gov_funds_krw: int
    cash_funds_krw: int
    other_cash_funds_krw: int = 0


class VersionOut(Schema):
    number: int
    effective_from: dt.date
    frozen_at: dt.datetime | None
    change_request_id: int | None = None
    terms: dict[str, Any]


class ItemOut(Schema):
    field: str
    before: Any = None
    after: Any = None
    class_: Literal["major", "minor"] = Field(alias="class", serialization_alias="class")
    rule: str

    model_config = {"populate_by_name": True}


class ChangeOut(Schema):
    id: int
    agreement_id: int
    number: int
    status: ChangeStatusValue
    classification: Literal["major", "minor"] | None = None
    base_version: int
    reason: str
    items: list[ItemOut]
    submitted_at: dt.datetime | None = None
    due_date: dt.date | None = None
    effective_date: dt.date | None = None
    decided_at: dt.datetime | None = None
    decision_note: str
    applied_version: int | None = None

    @staticmethod
    def resolve_classification(obj) -> str | None:
        return obj.classification or None

    @staticmethod
    def resolve_applied_version(obj) -> int | None:
        version = getattr(obj, "applied_version", None) if obj.status == "applied" else None
        return version.number if version is not None else None


class BudgetLineIn(Schema):
    year: Year
    category: Text(20)
    organization_id: Id
    gov_krw: Won = 0
    cash_krw: Won = 0
    other_cash_krw: Won = 0
    in_kind_krw: Won = 0
    items: Annotated[list[dict[str, Text(200) | Won]], Field(max_length=100)] = []


class PartyIn(Schema):
    organization_id: Id
    role: Literal["participant", "subcontractor"]


class KpiIn(Schema):
    name: Text(200, min_length=1)
    unit: Text(40) = ""
    baseline: Number(max_digits=20, decimal_places=4) | None = None
    target: Number(max_digits=20, decimal_places=4)
    year: Year | None = None


class StageIn(Schema):
    start_date: Annotated[dt.date, Field(ge=dt.date(1900, 1, 1), le=dt.date(2100, 12, 31))]
    end_date: Annotated[dt.date, Field(ge=dt.date(1900, 1, 1), le=dt.date(2100, 12, 31))]


class EquipmentIn(Schema):
    """One piece of equipment in the plan, on its year's and institution's equipment budget line."""

    year: Year
    organization_id: Id
    description: Text(200, min_length=1)
    amount_krw: Won


class ChangeIn(Schema):
    """The proposed new version, as edits of the version in force (omitted fields stay as they are); ``submit``
    sends it at once (a notice is then applied, a major request waits for the PM)."""

    reason: LongText = ""
    lead_institution_id: Id | None = None
    pi_id: Id | None = None
    staff_ids: Annotated[list[Id], Field(max_length=500)] | None = None
    parties: Annotated[list[PartyIn], Field(max_length=200)] | None = None
    start_date: Annotated[dt.date, Field(ge=dt.date(1900, 1, 1), le=dt.date(2100, 12, 31))] | None = None
    end_date: Annotated[dt.date, Field(ge=dt.date(1900, 1, 1), le=dt.date(2100, 12, 31))] | None = None
    effective_date: Annotated[dt.date, Field(ge=dt.date(1900, 1, 1), le=dt.date(2100, 12, 31))] | None = None
    method: LongText | None = None
    goals: Annotated[list[Text(2000)], Field(max_length=50)] | None = None
    kpis: Annotated[list[KpiIn], Field(max_length=100)] | None = None
    stages: Annotated[list[StageIn], Field(max_length=20)] | None = None
    equipment: Annotated[list[EquipmentIn], Field(max_length=200)] | None = None
    budget: Annotated[list[BudgetLineIn], Field(max_length=SMALLINT_MAX)] | None = None
    submit: bool = False


class ChangeDecisionIn(Schema):
    action: Literal["approve", "return", "reject"]
    note: LongText = ""


def _edits(payload: ChangeIn) -> dict:
    data = payload.dict(exclude={"reason", "submit"}, exclude_none=True)
    return data


@router.get("", response=list[AgreementRecordOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def agreement_list(request, status: AgreementStatusValue | None = None, q: Text(100) = ""):
    return agreement_list_for_user(user=request.user, q=q, status=status or "")


@router.get("/{agreement_id}", response=AgreementRecordOut)
def agreement_detail(request, agreement_id: Id):
    return agreement_get_for_user_or_raise(user=request.user, agreement_id=agreement_id)


@router.get("/{agreement_id}/versions", response=list[VersionOut])
def agreement_versions(request, agreement_id: Id):
    return list(version_list(agreement=agreement_get_for_user_or_raise(user=request.user, agreement_id=agreement_id)))


@router.get("/{agreement_id}/changes", response=list[ChangeOut], by_alias=True)
def agreement_changes(request, agreement_id: Id):
    agreement = agreement_get_for_user_or_raise(user=request.user, agreement_id=agreement_id)
    return change_list_for_user(user=request.user, agreement=agreement)


@router.post("/{agreement_id}/changes", response={201: ChangeOut}, by_alias=True)
def agreement_change_propose(request, agreement_id: Id, payload: ChangeIn):
    agreement_get_for_user_or_raise(user=request.user, agreement_id=agreement_id)
    change = change_propose(actor=request.user, agreement_id=agreement_id, edits=_edits(payload),
                            reason=payload.reason)
    if payload.submit:
        change = change_transition(actor=request.user, change_id=change.pk, name="submit")
    return 201, change


@router.get("/changes/{change_id}", response=ChangeOut, by_alias=True)
def change_detail(request, change_id: Id):
    return change_get_for_user_or_raise(user=request.user, change_id=change_id)


@router.patch("/changes/{change_id}", response=ChangeOut, by_alias=True)
def change_edit(request, change_id: Id, payload: ChangeIn):
    change_get_for_user_or_raise(user=request.user, change_id=change_id)
    change = change_update(actor=request.user, change_id=change_id, edits=_edits(payload),
                           reason=payload.reason or None)
    if payload.submit:
        change = change_transition(actor=request.user, change_id=change.pk, name="submit")
    return change


@router.post("/changes/{change_id}/submit", response=ChangeOut, by_alias=True)
def change_submit(request, change_id: Id):
    change_get_for_user_or_raise(user=request.user, change_id=change_id)
    return change_transition(actor=request.user, change_id=change_id, name="submit")


@router.post("/changes/{change_id}/decision", response=ChangeOut, by_alias=True)
def change_decide(request, change_id: Id, payload: ChangeDecisionIn):
    change_get_for_user_or_raise(user=request.user, change_id=change_id)
    return change_transition(actor=request.user, change_id=change_id, name=payload.action, note=payload.note)
