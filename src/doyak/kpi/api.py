"""REST API of the KPI board, mounted at /api/v1/kpi. The contract (issue 13, deliverable 7): add freely, rename
nothing."""


import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Router, Schema
from ninja.pagination import paginate

from doyak.core.errors import AccessDenied, NotFound
from doyak.core.inputs import Date, Text
from doyak.core.pagination import BoundedPageNumberPagination

from .exports import export_response
from .rules import can_view_board
from .selectors import board, indicator_get_or_raise, indicator_state

router = Router(tags=["kpi"])


class IndicatorOut(Schema):
    key: str
    label: str
    pillar: str
    unit: str
    target: Decimal | None
    deadline: int | None
    actual: Decimal | None
    status: Literal["on_track", "behind", "at_risk", "no_data"]
    as_of: dt.date
    baseline: Decimal | None
    expected: Decimal | None
    forecast: Decimal | None
    cumulative: bool
    version: int
    no_data_reason: str


class RecordOut(Schema):
    ref: str
    kind: str
    id: int
    label: str
    organization: str
    region_group: str
    program: str
    year: int
    value: Decimal


def _out(state) -> dict:
    i = state.indicator
    return {"key": i.key, "label": i.label, "pillar": i.pillar, "unit": i.unit, "target": state.target,
            "deadline": state.deadline, "actual": state.actual, "status": state.status, "as_of": state.as_of,
            "baseline": state.baseline, "expected": state.expected, "forecast": state.forecast,
            "cumulative": i.cumulative, "version": i.version, "no_data_reason": state.no_data_reason}


def _allowed_or_raise(request) -> None:
    if not can_view_board(request.user):
        raise AccessDenied(code="kpi_forbidden")


@router.get("/indicators", response=list[IndicatorOut])
def indicator_list(request, as_of: Date | None = None):
    """Every indicator with its target, deadline, actual and status on ``as_of`` (today by default)."""
    _allowed_or_raise(request)
    return [_out(state) for state in board(as_of=as_of)]


@router.get("/indicators/{key}", response=IndicatorOut)
def indicator_detail(request, key: Text(100), as_of: Date | None = None):
    _allowed_or_raise(request)
    return _out(indicator_state(indicator=indicator_get_or_raise(key=key, on=as_of), as_of=as_of, detail=False))


@router.get("/indicators/{key}/records", response=list[RecordOut])
@paginate(BoundedPageNumberPagination, page_size=100)
def indicator_records(request, key: Text(100), as_of: Date | None = None):
    """The records behind ``actual``: each counted once, their values summing (or averaging) to it."""
    _allowed_or_raise(request)
    state = indicator_state(indicator=indicator_get_or_raise(key=key, on=as_of), as_of=as_of)
    rows = []
    for r in state.records:
        kind, _sep, pk = r.ref.partition(":")
        rows.append({"ref": r.ref, "kind": kind, "id": int(pk), "label": r.label, "organization": r.organization,
                     "region_group": r.region_group, "program": r.program, "year": r.year, "value": r.value})
    return rows


@router.get("/exports/{fmt}")
def export(request, fmt: Literal["ntis-csv", "360giving", "iati"], encoding: Literal["cp949", "utf-8"] = "cp949"):
    """Open data, public fields only: ``ntis-csv`` (project records), ``360giving`` (agreements), ``iati``
    (indicators' results)."""
    _allowed_or_raise(request)
    if fmt not in ("ntis-csv", "360giving", "iati"):
        raise NotFound(code="export_not_found")
    return export_response(fmt, encoding)
