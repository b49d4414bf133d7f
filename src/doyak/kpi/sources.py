"""Every read the KPI board and the open-data exports make of other apps' records, in one module.

Agreements, their funds and their proposals are read here and nowhere else in this app, so that when the
``Agreement`` model moves (finance → agreements) one import changes. Each function returns plain records
(``engine.kpi.KpiRecord``) or plain rows of public fields, oldest first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from doyak.agreements.enums import AgreementStatus, ChangeClass
from doyak.agreements.models import (
    Agreement,  # the one import of Agreement in this app (see the module's note)
    ChangeRequest,
)
from doyak.engine.kpi import KpiRecord, YearTally
from doyak.finance.models import SettlementResult
from doyak.max.enums import AssetStatus
from doyak.max.models import Asset, AssetProject
from doyak.proposals.models import Proposal

CONCLUDED = (AgreementStatus.ACTIVE, AgreementStatus.STOPPED, AgreementStatus.CLOSED)


def _local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


# ---------------------------------------------------------------------------------------------- assets
def _english() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "ko").startswith("en")


def _asset_records(qs: QuerySet[Asset], *, year_of, detail: bool) -> list[KpiRecord]:
    """One record per asset, read as plain rows (a national registry holds thousands): the bare key, year and
    value for the board's cards; with ``detail`` also its name, institution, 5극3특 group and the programmes
    of the projects it is linked to (one more query for every link)."""
    qs = qs.order_by("achieved_date", "planned_date", "pk")
    if not detail:
        return [KpiRecord(ref=f"asset:{pk}", dedup_key=f"{kind}|{key}", year=year_of(achieved, planned))
                for pk, kind, key, achieved, planned in qs.values_list("pk", "kind", "dedup_key", "achieved_date",
                                                                        "planned_date")]
    rows = list(qs.values_list("pk", "kind", "dedup_key", "achieved_date", "planned_date", "name",
                               "organization__name", "region__group"))
    english = _english()
    programs: dict[int, set[str]] = {}
    links = (AssetProject.objects.filter(asset__in=qs.values("pk"))
             .values_list("asset_id", "proposal__call__program__name_ko", "proposal__call__program__name_en"))
    for asset_id, name_ko, name_en in links:
        programs.setdefault(asset_id, set()).add(name_en if english and name_en else name_ko)
    return [KpiRecord(ref=f"asset:{pk}", dedup_key=f"{kind}|{key}", year=year_of(achieved, planned), label=name,
                      organization=org, region_group=group, program=", ".join(sorted(programs.get(pk, ()))))
            for pk, kind, key, achieved, planned, name, org, group in rows]


def assets_verified(*, kind: str, as_of: dt.date, detail: bool = True) -> list[KpiRecord]:
    """Verified assets of ``kind`` achieved by ``as_of``, in the year they were achieved."""
    qs = Asset.objects.filter(kind=kind, status=AssetStatus.VERIFIED, achieved_date__lte=as_of)
    return _asset_records(qs, year_of=lambda achieved, planned: achieved.year, detail=detail)


def assets_planned(*, kind: str, as_of: dt.date, detail: bool = True) -> list[KpiRecord]:
    """Assets registered and awaiting verification, in the year they are planned for: the forecast's rows."""
    qs = Asset.objects.filter(kind=kind, status=AssetStatus.REGISTERED)
    return _asset_records(qs, year_of=lambda achieved, planned: max(planned.year, as_of.year), detail=detail)


# ---------------------------------------------------------------------------------------------- agreements
def _agreements() -> QuerySet[Agreement]:
    return (Agreement.objects.filter(status__in=CONCLUDED)
            .select_related("proposal__lead_organization__region", "proposal__call__program",
                            "proposal__call__sub_program")
            .order_by("start_date", "number"))


def _agreement_record(agreement: Agreement, *, value: Decimal, year: int) -> KpiRecord:
    proposal = agreement.proposal
    region = proposal.lead_organization.region
    return KpiRecord(ref=f"agreement:{agreement.pk}", dedup_key=agreement.number, year=year, value=value,
                     label=f"{agreement.number} {proposal.title}", organization=proposal.lead_organization.name,
                     region_group=region.group if region else "", program=proposal.call.program.name)


def agreement_funds(*, as_of: dt.date, tracks: list[str] | None = None, region_groups: list[str] | None = None,
                    minimum_krw: int | None = None, value: str = "gov_funds_krw",
                    programs: list[str] | None = None) -> list[KpiRecord]:
    """Concluded agreements (of ``tracks``, of the programmes coded ``programs``, led from ``region_groups``,
    with government funds of at least ``minimum_krw``) that started by ``as_of``, in their start year, valued at
    their government funds (or 1)."""
    qs = _agreements().filter(start_date__lte=as_of)
    if tracks:
        qs = qs.filter(proposal__call__track__in=tracks)
    if programs:
        qs = qs.filter(proposal__call__program__code__in=programs)
    if region_groups:
        qs = qs.filter(proposal__lead_organization__region__group__in=region_groups)
    if minimum_krw is not None:
        qs = qs.filter(gov_funds_krw__gte=minimum_krw)
    return [_agreement_record(a, value=Decimal(a.gov_funds_krw) if value == "gov_funds_krw" else Decimal(1),
                              year=a.start_date.year) for a in qs]


def agreement_days_from_call_close(*, as_of: dt.date) -> list[KpiRecord]:
    """Concluded agreements, valued at the days from their call's close to the agreement, in that year."""
    rows = []
    for agreement in _agreements().filter(created_at__date__lte=as_of):
        concluded = _local_date(agreement.created_at)
        days = max(0, (concluded - _local_date(agreement.proposal.call.closes_at)).days)
        rows.append(_agreement_record(agreement, value=Decimal(days), year=concluded.year))
    return rows


def agreement_evidence_checks_per_100m(*, as_of: dt.date) -> list[KpiRecord]:
    """Concluded agreements with a settlement, valued at the transactions whose evidence a settler examined per
    ₩100M spent, in their latest settlement run (self-settlement projects: the audit sample only)."""
    results = (SettlementResult.objects.filter(run_id=F("agreement__current_run_id"), spent_krw__gt=0,
                                               agreement__status__in=CONCLUDED)
               .select_related("run", "agreement__proposal__lead_organization__region",
                               "agreement__proposal__call__program").order_by("agreement__start_date", "agreement__number"))
    rows = []
    for result in results:
        when = result.run.finished_at or result.run.created_at
        if _local_date(when) > as_of:
            continue
        per_100m = (Decimal(result.sampled) * 100_000_000 / Decimal(result.spent_krw)).quantize(Decimal("0.1"))
        rows.append(_agreement_record(result.agreement, value=per_100m, year=_local_date(when).year))
    return rows


@dataclass(frozen=True)
class _EvidenceRow:
    run_id: int
    agreement_id: int
    number: str
    year: int
    spent: int
    required: int
    exempted: int
    self_settled: int


def _evidence_rows(*, as_of: dt.date) -> list[_EvidenceRow]:
    """Per year and concluded agreement, its last finished settlement run of that year that recorded evidence
    items (a project settled twice in a year counts once, as last settled); oldest first. Plain rows: the
    board's card needs no more."""
    from doyak.finance.enums import RunStatus

    rows = (SettlementResult.objects.filter(run__status=RunStatus.DONE, run__finished_at__isnull=False,
                                            evidence_required__isnull=False, agreement__status__in=CONCLUDED)
            .order_by("run__finished_at", "run_id", "agreement_id")
            .values_list("run_id", "agreement_id", "agreement__number", "run__finished_at", "spent_krw",
                         "evidence_required", "evidence_exempted", "evidence_self_settled"))
    latest: dict[tuple[int, int], tuple[dt.datetime, _EvidenceRow]] = {}
    for run_id, agreement_id, number, finished_at, spent, required, exempted, spared in rows:
        finished = _local_date(finished_at)
        if finished <= as_of:
            latest[(finished.year, agreement_id)] = (finished_at, _EvidenceRow(
                run_id, agreement_id, number, finished.year, spent, required, exempted, spared))
    return [row for _at, row in sorted(latest.values(), key=lambda pair: (pair[1].year, pair[0], pair[1].run_id,
                                                                          pair[1].number))]


def _evidence_records(rows: list[tuple[_EvidenceRow, Decimal]], *, detail: bool) -> list[KpiRecord]:
    """The runs' records; with ``detail`` also each agreement's label, institution, group and programme, and the
    counts behind the value in the label (one more query for all the agreements)."""
    if not detail:
        return [KpiRecord(ref=f"settlement_run:{row.run_id}", dedup_key=f"{row.number}|{row.year}", year=row.year,
                          value=value) for row, value in rows]
    agreements = _agreements().in_bulk({row.agreement_id for row, _value in rows})
    records = []
    for row, value in rows:
        record = _agreement_record(agreements[row.agreement_id], value=value, year=row.year)
        items = row.required + row.exempted + row.self_settled
        label = _("%(agreement)s · settlement run #%(run)s: %(required)s of %(items)s evidence items required "
                  "(%(exempted)s exempted, %(self_settled)s spared by self-settlement)") % {
            "agreement": record.label, "run": row.run_id, "required": f"{row.required:,}", "items": f"{items:,}",
            "exempted": f"{row.exempted:,}", "self_settled": f"{row.self_settled:,}"}
        records.append(KpiRecord(ref=f"settlement_run:{row.run_id}", dedup_key=f"{row.number}|{row.year}",
                                 year=row.year, value=value, label=label, organization=record.organization,
                                 region_group=record.region_group, program=record.program))
    return records


def settlement_evidence_per_100m(*, as_of: dt.date, detail: bool = True) -> list[KpiRecord]:
    """Each agreement's last settlement run of each year (by ``as_of``) with spending, valued at the evidence
    items it required (after the small-amount exemptions, and only the audit sample's under self-settlement)
    per ₩100M spent, to one decimal."""
    rows = [(row, (Decimal(row.required) * 100_000_000 / Decimal(row.spent)).quantize(Decimal("0.1"), ROUND_HALF_UP))
            for row in _evidence_rows(as_of=as_of) if row.spent > 0]
    return _evidence_records(rows, detail=detail)


def settlement_evidence_removed_share(*, as_of: dt.date, detail: bool = True) -> list[KpiRecord]:
    """Each agreement's last settlement run of each year (by ``as_of``) with evidence items, valued at the
    share in per cent (one decimal) of its items that the small-amount exemptions and self-settlement removed."""
    rows = []
    for row in _evidence_rows(as_of=as_of):
        removed = row.exempted + row.self_settled
        items = row.required + removed
        if items > 0:
            rows.append((row, (Decimal(removed) * 100 / Decimal(items)).quantize(Decimal("0.1"), ROUND_HALF_UP)))
    return _evidence_records(rows, detail=detail)


# ---------------------------------------------------------------------------------------------- change requests
def _changes() -> QuerySet[ChangeRequest]:
    return (ChangeRequest.objects.filter(submitted_at__isnull=False)
            .select_related("agreement__proposal__lead_organization__region", "agreement__proposal__call__program")
            .order_by("submitted_at", "pk"))


def _change_record(change: ChangeRequest, *, value: Decimal, year: int) -> KpiRecord:
    agreement = change.agreement
    record = _agreement_record(agreement, value=value, year=year)
    return KpiRecord(ref=f"change:{change.pk}", dedup_key=f"{agreement.number}#{change.number}", year=year,
                     value=value, label=f"{record.label} #{change.number}", organization=record.organization,
                     region_group=record.region_group, program=record.program)


def change_answer_days(*, as_of: dt.date) -> list[KpiRecord]:
    """Requests for prior approval (major) that the PM answered by ``as_of`` (approved, rejected or returned),
    valued at the days in Seoul from the request's submission to the answer, in the year answered. A returned
    request submitted again counts from its last submission (the request keeps only its latest)."""
    rows = []
    for change in _changes().filter(classification=ChangeClass.MAJOR, decided_at__isnull=False):
        answered = _local_date(change.decided_at)
        if answered > as_of:
            continue
        days = max(0, (answered - _local_date(change.submitted_at)).days)
        rows.append(_change_record(change, value=Decimal(days), year=answered.year))
    return rows


NOTICE_SHARE = Decimal(100)  # a notice counts 100, a request for approval 0: their mean is the share in per cent


def change_notice_share(*, as_of: dt.date) -> list[KpiRecord]:
    """Change requests submitted by ``as_of``, in the year submitted, valued 100 when the Act's rules made it a
    notice (in force on submission, no approval) and 0 when it needed the PM's prior approval."""
    rows = []
    for change in _changes():
        submitted = _local_date(change.submitted_at)
        if submitted > as_of:
            continue
        value = NOTICE_SHARE if change.classification == ChangeClass.MINOR else Decimal(0)
        rows.append(_change_record(change, value=value, year=submitted.year))
    return rows


# ---------------------------------------------------------------------------------------------- proposals
def proposals_documents_required(*, as_of: dt.date) -> list[KpiRecord]:
    """Submitted proposals, valued at the number of documents their call required, in the year submitted.

    Read as plain rows (the year in Seoul time from the database; no model objects): the national seed has some
    fifty thousand submitted proposals and this indicator sits on the home page of the ministry side."""
    from django.db.models.functions import ExtractYear
    from django.utils.translation import get_language

    english = (get_language() or "ko").startswith("en")
    rows = (Proposal.objects.filter(submitted_at__isnull=False, submitted_at__date__lte=as_of)
            .annotate(year=ExtractYear("submitted_at")).order_by("submitted_at", "pk")
            .values_list("pk", "reference", "year", "call_id", "title_ko", "title_en",
                         "lead_organization__name", "lead_organization__region__group", "call__program__name_ko",
                         "call__program__name_en"))
    rows = list(rows)
    documents = _documents_required_by_call({row[3] for row in rows})  # each call's list decoded once, not per row
    return [KpiRecord(ref=f"proposal:{pk}", dedup_key=reference, year=year, value=documents[call],
                      label=f"{reference} {(title_en if english and title_en else title_ko)}", organization=org,
                      region_group=group or "", program=(program_en if english and program_en else program_ko))
            for pk, reference, year, call, title_ko, title_en, org, group, program_ko, program_en in rows]


def _documents_required_by_call(call_ids: set[int]) -> dict[int, Decimal]:
    from doyak.calls.models import Call

    return {pk: Decimal(len(documents or [])) for pk, documents in
            Call.objects.filter(pk__in=call_ids).values_list("pk", "required_documents")}


def proposals_documents_required_tallies(*, as_of: dt.date) -> dict[int, YearTally]:
    """``proposals_documents_required`` added up per year by the database: per year and call, how many
    proposals were submitted, times the documents that call required (a proposal's reference is unique, so
    there is nothing to de-duplicate). The board's card needs only these; the drill-down reads the rows."""
    from django.db.models import Count
    from django.db.models.functions import ExtractYear

    rows = list(Proposal.objects.filter(submitted_at__isnull=False, submitted_at__date__lte=as_of)
                .annotate(year=ExtractYear("submitted_at")).values("year", "call_id").order_by()
                .annotate(n=Count("pk")).values_list("year", "call_id", "n"))
    documents = _documents_required_by_call({call for _year, call, _n in rows})
    counts: dict[int, int] = {}
    totals: dict[int, Decimal] = {}
    for year, call, n in rows:
        counts[year] = counts.get(year, 0) + n
        totals[year] = totals.get(year, Decimal(0)) + n * documents[call]
    return {year: YearTally(counts[year], totals[year]) for year in sorted(counts)}


# ---------------------------------------------------------------------------------------------- open data
def agreements_public(*, as_of: dt.date | None = None) -> Iterator[dict]:
    """The public fields of every concluded agreement (NTIS-like project records; no person's data)."""
    qs = _agreements()
    if as_of is not None:
        qs = qs.filter(start_date__lte=as_of)
    for a in qs.iterator(chunk_size=500):
        p = a.proposal
        org = p.lead_organization
        yield {
            "number": a.number, "program": p.call.program.name_ko, "program_code": p.call.program.code,
            "sub_program": p.call.sub_program.name_ko if p.call.sub_program else "",
            "title_ko": p.title_ko, "title_en": p.title_en, "lead_organization": org.name,
            "lead_organization_en": org.name_en, "business_registration_number": org.business_registration_number,
            "region_code": org.region.code if org.region else "", "region_group": org.region.group if org.region else "",
            "track": p.call.track, "gov_funds_krw": a.gov_funds_krw, "cash_funds_krw": a.cash_funds_krw,
            "other_cash_funds_krw": a.other_cash_funds_krw, "in_kind_krw": p.in_kind_total_krw,
            "total_krw": a.gov_funds_krw + a.cash_funds_krw + a.other_cash_funds_krw + p.in_kind_total_krw,
            "start_date": a.start_date, "end_date": a.end_date, "award_date": _local_date(a.created_at),
            "status": a.status,
        }


# ---------------------------------------------------------------------------------------------- regulation
@dataclass(frozen=True)
class RegulationTaskProgress:
    """One regulation innovation task as the meeting pack shows it (labels, not codes)."""

    title: str
    owner: str
    status: str
    progress: str


def regulation_tasks_progress(*, as_of: dt.date) -> list[RegulationTaskProgress]:
    """The regulation innovation tasks (규제혁신 과제) for the council's meeting pack, by task number: title,
    regulating ministry, status as of ``as_of`` (a task resolved after that date still shows as open), and
    how many projects depend on it."""
    from django.db.models import Count

    from doyak.regulation.enums import TaskStatus
    from doyak.regulation.models import RegulationTask

    rows = []
    for task in RegulationTask.objects.annotate(projects=Count("dependencies", distinct=True)).order_by("code"):
        status = task.status
        if status == TaskStatus.RESOLVED and (task.resolved_on is None or task.resolved_on > as_of):
            status = TaskStatus.IN_CONSULTATION
        progress = str(_("%(n)s projects depend on it") % {"n": task.projects})
        rows.append(RegulationTaskProgress(title=f"{task.code} {task.title}", owner=task.ministry,
                                           status=str(TaskStatus(status).label), progress=progress))
    return rows

