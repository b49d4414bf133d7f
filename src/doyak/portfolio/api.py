"""REST endpoints for portfolio scenarios (/api/v1/portfolio/…): list, read, create, update, delete, solve,
submit, compare. Permissions and writes go through ``selectors`` and ``services``."""


import datetime as dt
from typing import Annotated, Any

from django.db import transaction
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from doyak.core.inputs import Id, JsonObject, Text, Year
from doyak.core.pagination import BoundedPageNumberPagination

from . import selectors, services
from .models import Scenario

router = Router(tags=["portfolio"])


class ScenarioOut(Schema):
    id: int
    name: str
    scope: str
    program_id: int
    year: int
    call_id: int | None
    status: str
    policy: dict[str, Any]
    prefill_notes: list[str]
    result: dict[str, Any]
    error: dict[str, Any]
    solved_at: dt.datetime | None
    submitted_at: dt.datetime | None
    created_at: dt.datetime


class ScenarioListOut(Schema):
    id: int
    name: str
    scope: str
    program_id: int
    year: int
    call_id: int | None
    status: str
    funded_count: int | None
    budget_used: int | None
    mean_score: float | None

    @staticmethod
    def resolve_funded_count(obj: Scenario):
        return (obj.result or {}).get("funded_count")

    @staticmethod
    def resolve_budget_used(obj: Scenario):
        return (obj.result or {}).get("budget_used")

    @staticmethod
    def resolve_mean_score(obj: Scenario):
        return (obj.result or {}).get("mean_score")


class ScenarioIn(Schema):
    name: Text(120, min_length=1)
    program_id: Id | None = None
    year: Year | None = None
    call_id: Id | None = None
    policy: JsonObject | None = None  # doyak select's POLICY.toml schema; empty: pre-filled from the plan


class ScenarioPatch(Schema):
    name: Text(120, min_length=1) | None = None
    policy: JsonObject | None = None


class CompareFilter(Schema):
    ids: Annotated[list[Id], Field(max_length=100)]


class CompareOut(Schema):
    scenarios: list[ScenarioOut]


@router.get("/scenarios", response=list[ScenarioListOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def scenario_list(request):
    return selectors.scenario_list_for_user(user=request.user)


@router.post("/scenarios", response={201: ScenarioOut})
def scenario_create(request, payload: ScenarioIn):
    scenario = services.scenario_create(actor=request.user, name=payload.name, program_id=payload.program_id,
                                        year=payload.year, call_id=payload.call_id, policy=payload.policy)
    return Status(201, scenario)


@router.get("/scenarios/compare", response=CompareOut)
def scenario_compare(request, filters: Query[CompareFilter]):
    return {"scenarios": selectors.scenarios_for_compare(user=request.user, scenario_ids=filters.ids)}


@router.get("/scenarios/{scenario_id}", response=ScenarioOut)
def scenario_get(request, scenario_id: Id):
    return selectors.scenario_get_or_raise(user=request.user, scenario_id=scenario_id)


@router.patch("/scenarios/{scenario_id}", response=ScenarioOut)
def scenario_update(request, scenario_id: Id, payload: ScenarioPatch):
    return services.scenario_update(actor=request.user, scenario_id=scenario_id, name=payload.name,
                                    policy=payload.policy)


@router.delete("/scenarios/{scenario_id}", response={204: None})
def scenario_delete(request, scenario_id: Id):
    services.scenario_delete(actor=request.user, scenario_id=scenario_id)
    return Status(204, None)


@router.post("/scenarios/{scenario_id}/solve", response={202: ScenarioOut})
def scenario_solve(request, scenario_id: Id):
    with transaction.atomic():
        services.scenario_solve_request(actor=request.user, scenario_id=scenario_id)
    # the task may already have run (immediate backend): read the row again
    return Status(202, Scenario.objects.get(pk=scenario_id))


@router.post("/scenarios/{scenario_id}/submit", response=ScenarioOut)
def scenario_submit(request, scenario_id: Id):
    return services.scenario_submit(actor=request.user, scenario_id=scenario_id)
