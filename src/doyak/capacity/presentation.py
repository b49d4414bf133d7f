"""What the capacity screens and downloads compute only for display: rows of the XLSX exports (Korean headers,
labels never codes), the talent table's grid."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.utils.translation import gettext_lazy as _

from doyak.core.labels import choice_label
from doyak.organizations.enums import OrganizationType
from doyak.regions.enums import RegionGroup

from .enums import DemandKind, ExitKind, Instrument, InvestmentStage, TalentStage

EXPORT_MAX_ROWS = 50_000  # a download's bound (an interface setting, not a policy)


def _share(value) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


def survey_rows(topics: Iterable, *, all_demand: bool) -> Iterator[list]:
    """One row per visible answer (and one per topic without an answer); the sums only for the ministry side."""
    head = ["수요조사", "후보 주제", "기술분류", "예상 예산(원)", "연계 공고"]
    head += ["수요 합계(원)", "응답 수", "기관", "관심", "금액(원)", "단계", "조건", "의견"] if all_demand else [
        "기관", "관심", "금액(원)", "단계", "조건", "의견"]
    yield head
    for survey, demand in topics:
        t = demand.topic
        base = [survey.title, t.title, " ".join(t.technology_codes), t.expected_budget_krw,
                t.call.reference if t.call_id else ""]
        if all_demand:
            base += [demand.total_krw, demand.count]
        answers = demand.responses or [None]
        for r in answers:
            yield base + ([r.organization.name, choice_label(DemandKind, r.kind), r.amount_krw,
                           choice_label(InvestmentStage, r.stage), r.condition, r.comment] if r else [""] * 6)


def fund_rows(funds: Iterable, figures: dict) -> Iterator[list]:
    groups = list(RegionGroup)
    yield (["펀드명", "운용사", "결성연도", "규모(원)", "약정(원)", "투자(원)", "산업도약 투자(원)", "산업도약 비중",
            "정책 최소 비중", "충족"] + [f"투자({g.label})" for g in groups])
    for f in funds:
        x = figures[f.pk]
        meets = "" if x.meets_policy is None else ("예" if x.meets_policy else "아니오")
        yield ([f.name, f.manager.name, f.vintage, f.size_krw, x.committed_krw, x.invested_krw, x.leap_invested_krw,
                _share(x.leap_share), _share(x.leap_share_min), meets]
               + [x.by_region_group.get(g.value, 0) for g in groups])


def investment_rows(investments: Iterable) -> Iterator[list]:
    yield ["펀드", "피투자기업", "권역", "과제", "투자일", "금액(원)", "투자방식", "단계", "후속투자", "회수", "회수일",
           "회수금액(원)"]
    for i in investments:
        ex = getattr(i, "exit", None) if hasattr(i, "exit") else None
        yield [i.fund.name, i.organization.name, choice_label(RegionGroup, i.organization.region.group),
               i.proposal.reference if i.proposal_id else "", i.invested_on, i.amount_krw,
               choice_label(Instrument, i.instrument), choice_label(InvestmentStage, i.stage),
               "예" if i.follows_id else "", choice_label(ExitKind, ex.kind) if ex else "",
               ex.exited_on if ex else "", ex.proceeds_krw if ex else ""]


def joint_lab_rows(labs: Iterable) -> Iterator[list]:
    yield ["공동연구실", "주관 연구기관", "참여기업", "지역", "권역", "분야", "개소일", "연계 과제"]
    for lab in labs:
        yield [lab.name, lab.host.name, ", ".join(p.name for p in lab.partners.all()), lab.region.name,
               choice_label(RegionGroup, lab.region.group), lab.field, lab.opened_on,
               ", ".join(p.reference for p in lab.projects.all())]


def graduate_school_rows(schools: Iterable) -> Iterator[list]:
    yield ["특성화 대학원", "대학", "분야", "지역", "권역", "지정연도", "재학생 수", "연계 과제"]
    for s in schools:
        yield [s.name, s.university.name, s.field, s.region.name, choice_label(RegionGroup, s.region.group),
               s.designation_year, s.students, ", ".join(p.reference for p in s.projects.all())]


def stage_grid(rows: list) -> dict:
    """The talent table: a row per stage, a column per year (people, and the transitions into it)."""
    years = sorted({r.year for r in rows})
    cell = {(r.year, r.stage): r for r in rows}
    return {"years": years, "rows": [
        {"stage": str(label), "cells": [cell.get((y, value)) for y in years]}
        for value, label in TalentStage.choices]}


def stage_rows(rows: list) -> Iterator[list]:
    groups, types = list(RegionGroup), list(OrganizationType)
    yield (["연도", "성장 단계", "인원", "전환", "연구책임자로 참여", "참여연구원으로 참여"]
           + [f"{g.label}" for g in groups] + [f"{t.label}" for t in types])
    for r in rows:
        yield ([r.year, choice_label(TalentStage, r.stage), r.people, r.transitions, r.as_pi, r.as_researcher]
               + [r.by_region_group.get(g.value, 0) for g in groups]
               + [r.by_organization_type.get(t.value, 0) for t in types])


REASONS = {
    "first_pi_project": _("led a first project as PI"),
    "years_after_doctorate": _("years after the doctorate"),
    "years_and_pi_projects": _("years after the doctorate and projects led as PI"),
}


def current_rows(rows: list, year: int) -> list[dict]:
    return [{"label": choice_label(TalentStage, r.stage), "people": r.people, "as_pi": r.as_pi,
             "as_researcher": r.as_researcher,
             "outside_capital": sum(n for g, n in r.by_region_group.items() if g and g != RegionGroup.CAPITAL)}
            for r in rows if r.year == year]


def suggestion_view(suggestion) -> dict | None:
    if suggestion is None:
        return None
    reason = str(REASONS.get(suggestion.reason, ""))
    if suggestion.years_after_doctorate is not None and suggestion.reason != "first_pi_project":
        reason = f"{reason} ({suggestion.years_after_doctorate})"
    return {"from_label": choice_label(TalentStage, suggestion.from_stage),
            "to_label": choice_label(TalentStage, suggestion.to_stage), "reason_label": reason}
