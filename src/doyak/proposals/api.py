"""Proposals API: the same services as the screens. Errors carry a stable ``code``; rule violations come
with their field, rule, source and messages in Korean and English."""


import datetime as dt
from typing import Annotated

from django.http import FileResponse
from ninja import Body, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import Field

from doyak.core.audit_api import AuditEventOut
from doyak.core.errors import NotFound, ValidationFailed
from doyak.core.inputs import Count, Date, Id, LongText, NotNull, Number, Tags, Text, Won, Year
from doyak.core.pagination import BoundedPageNumberPagination
from doyak.organizations.models import Organization, Researcher

from .imports import organizations_import, proposals_import
from .models import KPI_DECIMAL_PLACES, KPI_MAX_DIGITS
from .selectors import (
    proposal_get_for_user_or_raise,
    proposal_history_for_user_or_raise,
    proposal_list_for_user,
)
from .services import (
    budget_lines_parse,
    proposal_attachment_add,
    proposal_budget_set,
    proposal_create,
    proposal_investor_letter_add,
    proposal_kpi_add,
    proposal_member_add,
    proposal_part_remove,
    proposal_regulation_add,
    proposal_ripple_add,
    proposal_team_member_add,
    proposal_transition,
    proposal_update,
)
from .validation import proposal_check, violation_for_display

router = Router(tags=["proposals"])


class ProposalListOut(Schema):
    id: int
    reference: str
    title_ko: str
    title_en: str
    status: str
    call_id: int
    call_reference: str
    track: str
    lead_organization_id: int
    lead_organization_name: str
    region_code: str
    gov_total_krw: int
    cash_total_krw: int
    in_kind_total_krw: int
    submitted_at: dt.datetime | None = None

    @staticmethod
    def resolve_call_reference(obj):
        return obj.call.reference

    @staticmethod
    def resolve_track(obj):
        return obj.call.track

    @staticmethod
    def resolve_lead_organization_name(obj):
        return obj.lead_organization.name

    @staticmethod
    def resolve_region_code(obj):
        return obj.lead_organization.region.code


class MemberOut(Schema):
    id: int
    organization_id: int
    role: str


class TeamOut(Schema):
    id: int
    researcher_id: int
    is_pi: bool
    monthly_percent: dict


class BudgetItemSchema(Schema):
    description: Text(300)
    amount_krw: Won = 0


class BudgetLineSchema(Schema):
    year: Year
    organization_id: Id
    category: Text(20)
    gov_krw: Won = 0
    cash_krw: Won = 0
    in_kind_krw: Won = 0
    items: Annotated[list[BudgetItemSchema], Field(max_length=1_000)] = []  # equipment, item by item (every piece ≥ the plan threshold)


class RippleSchema(Schema):
    id: Id | None = None
    region_id: Id
    investment_krw: Won = 0
    jobs: Count = 0
    production_krw: Won = 0


KpiNumber = Number(max_digits=KPI_MAX_DIGITS, decimal_places=KPI_DECIMAL_PLACES)


class KpiSchema(Schema):
    id: Id | None = None
    name: Text(200)
    unit: Text(40) = ""
    baseline: KpiNumber | None = None
    target: KpiNumber
    year: Year | None = None


class RegulationSchema(Schema):
    id: Id | None = None
    regulation: Text(300)
    description: LongText = ""
    needed_by: Date | None = None


class LetterSchema(Schema):
    id: Id | None = None
    investor_name: Text(200)
    amount_krw: Won = 0
    note: LongText = ""


Budget = Annotated[list[BudgetLineSchema], Field(max_length=10_000)]


class AttachmentOut(Schema):
    id: int
    kind: str
    original_name: str
    size: int
    sha256: str


class ProposalDetailOut(ProposalListOut):
    abstract_ko: str
    abstract_en: str
    keywords: list[str]
    technology_codes: list[str]
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    pi_id: int | None = None
    decided_at: dt.datetime | None = None
    members: list[MemberOut]
    team: list[TeamOut]
    budget_lines: list[BudgetLineSchema]
    ripple_commitments: list[RippleSchema]
    kpi_targets: list[KpiSchema]
    regulations: list[RegulationSchema]
    investor_letters: list[LetterSchema]
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_members(obj):
        return list(obj.members.all())

    @staticmethod
    def resolve_team(obj):
        return list(obj.team.all())

    @staticmethod
    def resolve_budget_lines(obj):
        return list(obj.budget_lines.all())

    @staticmethod
    def resolve_ripple_commitments(obj):
        return list(obj.ripple_commitments.all())

    @staticmethod
    def resolve_kpi_targets(obj):
        return list(obj.kpi_targets.all())

    @staticmethod
    def resolve_regulations(obj):
        return list(obj.regulations.all())

    @staticmethod
    def resolve_investor_letters(obj):
        return list(obj.investor_letters.all())

    @staticmethod
    def resolve_attachments(obj):
        return list(obj.attachments.all())


class ProposalFilter(Schema):
    q: Text(200) = ""
    call_id: Id | None = None
    status: Text(14) = ""
    track: Text(24) = ""
    region_group: Text(20) = ""
    region_code: Text(20) = ""
    org_type: Text(20) = ""
    program_id: Id | None = None
    min_gov_krw: Won | None = None
    max_gov_krw: Won | None = None
    order: Text(40) = ""


class ProposalIn(Schema):
    call_id: Id
    title_ko: Text(300)
    title_en: Text(300) = ""


class ProposalPatch(Schema):
    """Only the fields sent change; ``null`` only for the dates."""

    title_ko: NotNull[Text(300)] = None
    title_en: NotNull[Text(300)] = None
    abstract_ko: NotNull[LongText] = None
    abstract_en: NotNull[LongText] = None
    keywords: NotNull[Tags] = None
    technology_codes: NotNull[Tags] = None
    start_date: Date | None = None
    end_date: Date | None = None


class MemberIn(Schema):
    organization_id: Id | None = None
    business_registration_number: Text(20) | None = None
    role: Text(16)


class TeamIn(Schema):
    researcher_id: Id | None = None
    national_researcher_number: Text(20) | None = None
    is_pi: bool = False
    monthly_percent: Annotated[dict[Text(7), Number(max_digits=5, decimal_places=2, ge=0, le=100)],
                               Field(max_length=240)]


class ViolationOut(Schema):
    rule: str
    field: str
    message: str
    message_ko: str
    message_en: str
    source: str
    limit: str
    actual: str
    severity: str


class CheckOut(Schema):
    ok: bool
    violations: list[ViolationOut]


class ImportOut(Schema):
    kind: str
    created: int
    ids: list[int]


def _detail(request, proposal_id: Id):
    return proposal_get_for_user_or_raise(user=request.user, proposal_id=proposal_id)


def _check(violations) -> dict:
    shown = [violation_for_display(v) for v in violations]
    return {"ok": not any(v["severity"] == "error" for v in shown), "violations": shown}


@router.get("", response=list[ProposalListOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def proposal_list(request, filters: Query[ProposalFilter]):
    return proposal_list_for_user(user=request.user, **filters.dict())


@router.post("", response={201: ProposalDetailOut})
def proposal_post(request, payload: ProposalIn):
    proposal = proposal_create(actor=request.user, call_id=payload.call_id,
                               data={"title_ko": payload.title_ko, "title_en": payload.title_en})
    return Status(201, _detail(request, proposal.pk))


@router.post("/import", response={201: ImportOut})
def proposal_import(request, kind: Form[Text(20)] = "proposals", file: File[UploadedFile] = None):
    if file is None:
        raise ValidationFailed("file", code="required", field="file")
    service = organizations_import if kind == "organizations" else proposals_import
    result = service(actor=request.user, name=file.name, content=file.read())
    return Status(201, {"kind": result.kind, "created": result.created, "ids": result.ids})


@router.get("/{proposal_id}", response=ProposalDetailOut)
def proposal_detail(request, proposal_id: Id):
    return _detail(request, proposal_id)


@router.patch("/{proposal_id}", response=ProposalDetailOut)
def proposal_patch(request, proposal_id: Id, payload: ProposalPatch):
    proposal_update(actor=request.user, proposal_id=proposal_id, data=payload.dict(exclude_unset=True))
    return _detail(request, proposal_id)


@router.get("/{proposal_id}/history", response=list[AuditEventOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def proposal_history(request, proposal_id: Id):
    """The proposal's audit events, to whom the detail page shows them (proposals.rules.can_view_history)."""
    return proposal_history_for_user_or_raise(user=request.user, proposal_id=proposal_id)


@router.get("/{proposal_id}/violations", response=CheckOut)
def proposal_violations(request, proposal_id: Id, at_submission: bool = True):
    return _check(proposal_check(proposal=_detail(request, proposal_id), at_submission=at_submission))


@router.put("/{proposal_id}/budget", response=CheckOut)
def proposal_budget_put(request, proposal_id: Id, payload: Body[Budget]):
    proposal = proposal_budget_set(actor=request.user, proposal_id=proposal_id,
                                   lines=budget_lines_parse([line.dict() for line in payload]))
    return _check(proposal_check(proposal=proposal, scope="budget"))


@router.post("/{proposal_id}/budget/check", response=CheckOut)
def proposal_budget_check(request, proposal_id: Id, payload: Body[Budget]):
    """Check a budget without saving it (the form's "as you type" check)."""
    proposal = _detail(request, proposal_id)
    lines = budget_lines_parse([line.dict() for line in payload])
    return _check(proposal_check(proposal=proposal, budget=lines, scope="budget"))


@router.post("/{proposal_id}/members", response={201: MemberOut})
def proposal_member_post(request, proposal_id: Id, payload: MemberIn):
    organization_id = payload.organization_id
    if organization_id is None and payload.business_registration_number:
        org = Organization.objects.filter(
            business_registration_number=payload.business_registration_number.replace("-", "")).first()
        organization_id = org.pk if org else 0
    return Status(201, proposal_member_add(actor=request.user, proposal_id=proposal_id, organization_id=organization_id or 0,
                                    role=payload.role))


@router.post("/{proposal_id}/team", response={201: TeamOut})
def proposal_team_post(request, proposal_id: Id, payload: TeamIn):
    researcher_id = payload.researcher_id
    if researcher_id is None and payload.national_researcher_number:
        researcher = Researcher.objects.filter(national_researcher_number=payload.national_researcher_number).first()
        researcher_id = researcher.pk if researcher else 0
    return Status(201, proposal_team_member_add(actor=request.user, proposal_id=proposal_id, researcher_id=researcher_id or 0,
                                         is_pi=payload.is_pi, monthly_percent=payload.monthly_percent))


@router.post("/{proposal_id}/ripple", response={201: RippleSchema})
def proposal_ripple_post(request, proposal_id: Id, payload: RippleSchema):
    return Status(201, proposal_ripple_add(actor=request.user, proposal_id=proposal_id, region_id=payload.region_id,
                                    investment_krw=payload.investment_krw, jobs=payload.jobs,
                                    production_krw=payload.production_krw))


@router.post("/{proposal_id}/kpis", response={201: KpiSchema})
def proposal_kpi_post(request, proposal_id: Id, payload: KpiSchema):
    return Status(201, proposal_kpi_add(actor=request.user, proposal_id=proposal_id, name=payload.name, unit=payload.unit,
                                 baseline=payload.baseline, target=payload.target, year=payload.year))


@router.post("/{proposal_id}/regulations", response={201: RegulationSchema})
def proposal_regulation_post(request, proposal_id: Id, payload: RegulationSchema):
    return Status(201, proposal_regulation_add(actor=request.user, proposal_id=proposal_id, regulation=payload.regulation,
                                        description=payload.description, needed_by=payload.needed_by))


@router.post("/{proposal_id}/investor-letters", response={201: LetterSchema})
def proposal_letter_post(request, proposal_id: Id, payload: LetterSchema):
    return Status(201, proposal_investor_letter_add(actor=request.user, proposal_id=proposal_id,
                                             investor_name=payload.investor_name, amount_krw=payload.amount_krw,
                                             note=payload.note))


@router.post("/{proposal_id}/attachments", response={201: AttachmentOut})
def proposal_attachment_post(request, proposal_id: Id, kind: Form[Text(16)], file: File[UploadedFile]):
    return Status(201, proposal_attachment_add(actor=request.user, proposal_id=proposal_id, kind=kind, name=file.name,
                                        content=file.read()))


@router.get("/{proposal_id}/attachments/{attachment_id}")
def proposal_attachment_get(request, proposal_id: Id, attachment_id: Id):
    attachment = _detail(request, proposal_id).attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound("attachment", code="attachment_not_found")
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name,
                        content_type="application/pdf")


@router.delete("/{proposal_id}/parts/{part}/{item_id}", response={204: None})
def proposal_part_delete(request, proposal_id: Id, part: Text(30), item_id: Id):
    proposal_part_remove(actor=request.user, proposal_id=proposal_id, part=part.replace("-", "_"), item_id=item_id)
    return Status(204, None)


@router.post("/{proposal_id}/transitions/{name}", response=ProposalDetailOut)
def proposal_transition_post(request, proposal_id: Id, name: Text(40)):
    proposal_transition(actor=request.user, proposal_id=proposal_id, name=name)
    return _detail(request, proposal_id)
