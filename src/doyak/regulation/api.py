"""REST API of regulation innovation at /api/v1/regulation (issue 11's contract, add freely, rename nothing):
``GET /tasks`` (paginated: ``id``, ``title``, ``status``), ``GET /dependencies?status=`` (``project``, ``route``,
``granted_on``, ``expires_on``, ``next_milestone_on``, ``status``), a dependency's timeline, and the writes the
screens make (record an exemption, add a milestone, log a note). The same rules as the screens."""


import datetime as dt
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from doyak.core.errors import AccessDenied
from doyak.core.inputs import Date, Id, LongText, Text
from doyak.core.pagination import BoundedPageNumberPagination

from .rules import can_edit_tasks
from .selectors import (
    dependency_get_or_raise,
    dependency_list,
    dependency_next_milestone,
    task_get_or_raise,
    task_list,
)
from .services import dependency_record, milestone_add, note_log

router = Router(tags=["regulation"])

TaskStatusValue = Literal["identified", "in_consultation", "resolved", "dropped"]
RouteValue = Literal["quick_confirmation", "demonstration_exemption", "temporary_permit", "law_change"]
StatusValue = Literal["on_track", "at_risk", "blocked", "expiring"]


class TaskOut(Schema):
    id: int
    code: str
    title: str
    status: TaskStatusValue
    industry: str
    ministry: str
    law: str
    article: str
    change_kind: Literal["law_amendment", "enforcement_decree", "notice", "interpretation"]
    resolution: str
    resolved_on: dt.date | None = None
    projects: int
    is_demo: bool


class ProjectOut(Schema):
    id: int
    reference: str
    title: str


class MilestoneOut(Schema):
    id: int
    kind: Literal["field_demonstration", "pilot_sale", "other"]
    title: str
    due_on: dt.date
    done: bool


class DependencyOut(Schema):
    id: int
    project: ProjectOut
    regulation: str
    task_id: int | None = None
    route: RouteValue
    applied_on: dt.date | None = None
    granted_on: dt.date | None = None
    effective_on: dt.date | None = None
    expires_on: dt.date | None = None
    next_milestone_on: dt.date | None = None
    status: StatusValue
    law_amendment_pending: bool
    extensions_used: int

    @staticmethod
    def resolve_project(obj):
        return {"id": obj.proposal_id, "reference": obj.proposal.reference, "title": obj.proposal.title}

    @staticmethod
    def resolve_next_milestone_on(obj):
        return dependency_next_milestone(obj)


class TimelineOut(DependencyOut):
    milestones: list[MilestoneOut]

    @staticmethod
    def resolve_milestones(obj):
        return list(obj.milestones.all())


class RecordIn(Schema):
    applied_on: Date | None = None
    granted_on: Date | None = None
    effective_on: Date | None = None
    expires_on: Date | None = None
    conditions: LongText | None = None
    law_amendment_pending: bool | None = None


class MilestoneIn(Schema):
    kind: Literal["field_demonstration", "pilot_sale", "other"]
    title: Text(200, min_length=1)
    due_on: Date


class NoteIn(Schema):
    kind: Literal["note", "contact"] = "note"
    text: Text(20000, min_length=1)
    contact_name: Text(100) = ""
    contact_organization: Text(100) = ""


@router.get("/tasks", response=list[TaskOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def task_index(request, status: TaskStatusValue | None = None):
    return task_list(user=request.user, status=status)


@router.get("/tasks/{task_id}", response=TaskOut)
def task_detail(request, task_id: Id):
    return task_get_or_raise(user=request.user, task_id=task_id)


@router.get("/dependencies", response=list[DependencyOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def dependency_index(request, status: StatusValue | None = None):
    return dependency_list(user=request.user, status=status)


@router.get("/dependencies/{dependency_id}", response=TimelineOut)
def dependency_detail(request, dependency_id: Id):
    """The dependency with its milestones: the timeline's data."""
    return dependency_get_or_raise(user=request.user, dependency_id=dependency_id)


def _editor_or_raise(user) -> None:
    if not can_edit_tasks(user):  # permission before state: the same 403 for every role that may not
        raise AccessDenied(_("Only the ministry side and the regulation liaison record exemptions."),
                           code="regulation_forbidden")


@router.post("/dependencies/{dependency_id}/record", response=TimelineOut)
def dependency_record_post(request, dependency_id: Id, payload: RecordIn):
    _editor_or_raise(request.user)
    dependency_get_or_raise(user=request.user, dependency_id=dependency_id)
    dependency_record(actor=request.user, dependency_id=dependency_id, data=payload.dict(exclude_unset=True,
                                                                                          exclude_none=False))
    return dependency_get_or_raise(user=request.user, dependency_id=dependency_id)


@router.post("/dependencies/{dependency_id}/milestones", response={201: MilestoneOut})
def milestone_post(request, dependency_id: Id, payload: MilestoneIn):
    dependency_get_or_raise(user=request.user, dependency_id=dependency_id)
    return Status(201, milestone_add(actor=request.user, dependency_id=dependency_id, kind=payload.kind,
                              title=payload.title, due_on=payload.due_on))


@router.post("/dependencies/{dependency_id}/notes", response={201: dict})
def note_post(request, dependency_id: Id, payload: NoteIn):
    _editor_or_raise(request.user)
    dependency_get_or_raise(user=request.user, dependency_id=dependency_id)
    note = note_log(actor=request.user, dependency_id=dependency_id, kind=payload.kind, text=payload.text,
                    contact_name=payload.contact_name, contact_organization=payload.contact_organization)
    return Status(201, {"id": note.pk})
