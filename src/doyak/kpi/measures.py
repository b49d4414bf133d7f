"""The registry of selector functions an indicator names in its ``selector`` field (data chooses the code).

A measure takes the indicator's ``selector_params``, the date and whether the records' detail is wanted, and
returns a ``Measurement``: the records behind the actual and, where the records carry planned dates, the planned
records the forecast adds; or ``None`` when the records it would count are not kept by doyak yet (the board shows
"no data", saying why). Without ``records`` (the board's cards need only yearly figures) a measure may return bare
records (key, year, value: no label, institution, group or programme) or, where the database can add them up,
the yearly tallies alone; the figures are the same either way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from doyak.engine.kpi import KpiRecord, YearTally
from doyak.policies.services import policy_value

from . import sources


@dataclass(frozen=True)
class Measurement:
    records: list[KpiRecord]
    planned: list[KpiRecord] | None = None          # None: no forecast
    forecast_basis: str = ""
    record_kind: str = ""                            # "asset", "agreement", "proposal"
    notes: list[str] = field(default_factory=list)
    tallies: dict[int, YearTally] | None = None     # the records already added up per year (``records`` empty)
    empty_reason: str = ""                           # why there is no figure when no record counts yet


Measure = Callable[..., Measurement | None]
MEASURES: dict[str, Measure] = {}
# Why a measure has no data: the records another issue will bring.
NOT_RECORDED_LABELS = {
    "joint_labs": _("Joint labs are not registered in doyak yet (the capacity issue adds them)."),
    "graduate_schools": _("Specialised graduate schools are not registered in doyak yet (the capacity issue adds them)."),
    "regulation_tasks": _("Regulation innovation tasks are not registered in doyak yet (the regulation issue adds them)."),
    "fund_commitments": _("Fund commitments and investments are not recorded in doyak yet (the capacity issue adds them)."),
    "chemical_projects": _("Projects of the K-chemical transition are not marked in doyak yet."),
    "evidence_exemptions": _("The settlement runs record per project the transactions whose evidence was checked, "
                             "not how many the small-amount exemption or self-settlement spared; the settlement's "
                             "evidence rules are being changed, so this is not estimated."),
}


def measure(name: str) -> Callable[[Measure], Measure]:
    def register(fn: Measure) -> Measure:
        MEASURES[name] = fn
        return fn
    return register


@measure("assets_verified")
def _assets_verified(*, params: dict, as_of: dt.date, records: bool = True) -> Measurement:
    kind = params["kind"]
    return Measurement(records=sources.assets_verified(kind=kind, as_of=as_of, detail=records),
                       planned=sources.assets_planned(kind=kind, as_of=as_of, detail=records), record_kind="asset",
                       forecast_basis=str(_("Verified assets plus the registered ones awaiting verification, "
                                            "in the year they are planned for.")))


@measure("agreement_funds")
def _agreement_funds(*, params: dict, as_of: dt.date, records: bool = True) -> Measurement:
    return Measurement(records=sources.agreement_funds(as_of=as_of, tracks=params.get("tracks"),
                                                       region_groups=params.get("region_groups"),
                                                       programs=params.get("programs")),
                       record_kind="agreement")


@measure("large_projects")
def _large_projects(*, params: dict, as_of: dt.date, records: bool = True) -> Measurement:
    threshold = policy_value(params.get("threshold_policy", "plan.fake_work.large_projects_increase.threshold_krw"),
                             as_of)
    return Measurement(records=sources.agreement_funds(as_of=as_of, minimum_krw=threshold, value="count"),
                       record_kind="agreement")


@measure("days_call_close_to_agreement")
def _days_to_agreement(*, params: dict, as_of: dt.date, records: bool = True) -> Measurement:
    return Measurement(records=sources.agreement_days_from_call_close(as_of=as_of), record_kind="agreement")


@measure("evidence_checks_per_100m")
def _evidence_checks(*, params: dict, as_of: dt.date, records: bool = True) -> Measurement:
    return Measurement(records=sources.agreement_evidence_checks_per_100m(as_of=as_of), record_kind="agreement")


NO_EVIDENCE_RUN = _("No settlement run this year has recorded its evidence items yet (runs record them since "
                    "this indicator's version 2).")


@measure("evidence_items_per_100m")
def _evidence_items(*, params: dict, as_of: dt.date, records: bool = True) -> Measurement:
    return Measurement(records=sources.settlement_evidence_per_100m(as_of=as_of, detail=records),
                       record_kind="settlement_run",
                       empty_reason=str(NO_EVIDENCE_RUN))


@measure("evidence_removed_share")
def _evidence_removed(*, params: dict, as_of: dt.date, records: bool = True) -> Measurement:
    return Measurement(records=sources.settlement_evidence_removed_share(as_of=as_of, detail=records),
                       record_kind="settlement_run",
                       empty_reason=str(NO_EVIDENCE_RUN))


@measure("change_answer_days")
def _change_answer_days(*, params: dict, as_of: dt.date, records: bool = True) -> Measurement:
    return Measurement(records=sources.change_answer_days(as_of=as_of), record_kind="change",
                       empty_reason=str(_("No request for prior approval has been answered by the program manager "
                                          "this year yet: the days are counted from answered requests only.")))


@measure("change_notice_share")
def _change_notice_share(*, params: dict, as_of: dt.date, records: bool = True) -> Measurement:
    return Measurement(records=sources.change_notice_share(as_of=as_of), record_kind="change")


@measure("documents_per_proposal")
def _documents(*, params: dict, as_of: dt.date, records: bool = True) -> Measurement:
    if not records:
        return Measurement(records=[], tallies=sources.proposals_documents_required_tallies(as_of=as_of),
                           record_kind="proposal")
    return Measurement(records=sources.proposals_documents_required(as_of=as_of), record_kind="proposal")


# Records another app keeps for an indicator seeded as "not_recorded" (its ``records`` parameter): the owning app
# registers a function (as_of -> Measurement) with ``records_register``; until one is registered, "no data".
RECORD_SOURCES: dict[str, Callable[..., Measurement]] = {}


def records_register(name: str, source: Callable[..., Measurement]) -> None:
    RECORD_SOURCES[name] = source


@measure("not_recorded")
def _not_recorded(*, params: dict, as_of: dt.date, records: bool = True) -> Measurement | None:
    source = RECORD_SOURCES.get(params.get("records", ""))
    return source(as_of=as_of) if source else None
