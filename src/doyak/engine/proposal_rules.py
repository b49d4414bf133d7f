"""Proposal validation under the National R&D Innovation Act (국가연구개발혁신법).

Pure rules on plain typed data: the proposals app converts its rows into the input
dataclasses below, fills a :class:`ProposalRulePolicy` from the versioned policy record and
shows each returned :class:`Violation` next to the form field named by ``Violation.field``.

Arithmetic is exact: money is integer won, shares and percentages are ``Decimal`` and every
comparison is made on :class:`fractions.Fraction`, so a value exactly at a limit passes and one
won (or any fraction of a percent point of researcher time) over it fails.

Malformed input (unknown category, unknown institution, negative amount, bad month) raises
:class:`~doyak.engine.errors.EngineError` with a stable code; a rule that is broken is reported
as a :class:`Violation`, never raised.
"""

from __future__ import annotations

import datetime
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from doyak.engine.errors import EngineError

# --------------------------------------------------------------------------------------------
# Enumerations
# --------------------------------------------------------------------------------------------


class CostCategory(StrEnum):
    """Cost category (비목)."""

    PERSONNEL = "personnel"  # 인건비
    STUDENT_PERSONNEL = "student_personnel"  # 학생인건비
    EQUIPMENT = "equipment"  # 연구시설·장비비
    MATERIALS = "materials"  # 연구재료비
    ACTIVITIES = "activities"  # 연구활동비
    ALLOWANCE = "allowance"  # 연구수당
    SUBCONTRACT = "subcontract"  # 위탁연구개발비
    INTERNATIONAL = "international"  # 국제공동연구개발비
    BURDEN = "burden"  # 연구개발부담비
    INNOVATION = "innovation"  # 연구혁신비
    INDIRECT = "indirect"  # 간접비

    @property
    def is_direct(self) -> bool:
        return self is not CostCategory.INDIRECT


class OrgType(StrEnum):
    """Kind of research institution, which sets its government share and indirect rate."""

    LARGE = "large"  # 대기업
    MID_SIZE = "mid_size"  # 중견기업
    EARLY_MID_SIZE = "early_mid_size"  # 초기 중견기업
    SME = "sme"  # 중소기업
    UNIVERSITY = "university"  # 대학
    GRI = "gri"  # 정부출연연구기관
    NONPROFIT = "nonprofit"  # 비영리기관
    PUBLIC = "public"  # 공기업 (영리기관으로 분류)


class InstitutionRole(StrEnum):
    LEAD = "lead"  # 주관연구개발기관
    PARTICIPANT = "participant"  # 공동연구개발기관
    SUBCONTRACTOR = "subcontractor"  # 위탁연구개발기관


class PenaltyKind(StrEnum):
    SANCTION = "sanction"  # 제재처분
    ABANDONMENT = "abandonment"  # 과제 포기
    UNPAID_SURCHARGE = "unpaid_surcharge"  # 제재부가금·환수금 미납


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class RegionScope(StrEnum):
    """Which institutions must lie in one of the call's regions."""

    LEAD = "lead"
    ALL = "all"


class Rule(StrEnum):
    """Stable rule keys; they key ``ProposalRulePolicy.sources`` and ``Violation.rule``."""

    GOV_SHARE = "gov_share"
    OWN_CASH_SHARE = "own_cash_share"
    ALLOWANCE_CAP = "allowance_cap"
    SUBCONTRACT_CAP = "subcontract_cap"
    INDIRECT_RATE = "indirect_rate"
    EQUIPMENT_PLAN = "equipment_plan"
    RESEARCHER_TIME = "researcher_time"
    SIMULTANEOUS_PROJECTS = "simultaneous_projects"
    SELECTION_PENALTY = "selection_penalty"
    REGIONAL_ELIGIBILITY = "regional_eligibility"


# --------------------------------------------------------------------------------------------
# Input
# --------------------------------------------------------------------------------------------


def _coerce_enum(obj: object, name: str, enum: type[StrEnum], code: str) -> None:
    value = getattr(obj, name)
    try:
        object.__setattr__(obj, name, enum(value))
    except ValueError:
        allowed = ", ".join(member.value for member in enum)
        raise EngineError(f"{name} {value!r} is not one of: {allowed}", code=code) from None


def _check_share(value: Decimal, name: str) -> None:
    if not isinstance(value, Decimal) or not Decimal(0) <= value <= Decimal(1):
        raise EngineError(f"{name} must be a Decimal between 0 and 1, got {value!r}", code="invalid_share")


def _check_won(amount: object, what: str) -> None:
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
        raise EngineError(f"{what} must be a non-negative int of won, got {amount!r}", code="invalid_amount")


@dataclass(frozen=True, slots=True)
class BudgetItem:
    """One item listed in a budget line (a piece of equipment), with its amount in won."""

    description: str
    amount: int

    def __post_init__(self) -> None:
        if not isinstance(self.description, str) or not self.description.strip():
            raise EngineError("a budget item needs a description", code="invalid_item")
        _check_won(self.amount, f"amount of item {self.description!r}")


@dataclass(frozen=True, slots=True)
class BudgetLine:
    """One cost category of one institution in one year; amounts in won. ``items``: what the line buys,
    item by item (the equipment plan), at most the line's total."""

    year: int
    institution_id: str
    category: CostCategory
    gov: int  # 정부지원연구개발비
    cash: int  # 기관부담 현금
    in_kind: int  # 기관부담 현물
    items: tuple[BudgetItem, ...] = ()

    def __post_init__(self) -> None:
        _coerce_enum(self, "category", CostCategory, "unknown_category")
        object.__setattr__(self, "items", tuple(self.items))
        for item in self.items:
            if not isinstance(item, BudgetItem):
                raise EngineError(f"items of {self.institution_id}/{self.year}/{self.category} must be "
                                  f"BudgetItem, got {item!r}", code="invalid_item")
        for name in ("gov", "cash", "in_kind"):
            amount = getattr(self, name)
            if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
                raise EngineError(
                    f"{name} of {self.institution_id}/{self.year}/{self.category} must be a "
                    f"non-negative int of won, got {amount!r}",
                    code="invalid_amount",
                )

    @property
    def total(self) -> int:
        return self.gov + self.cash + self.in_kind


@dataclass(frozen=True, slots=True)
class Institution:
    id: str
    name: str
    org_type: OrgType
    role: InstitutionRole
    notified_indirect_rate: Decimal | None = None  # 간접비 고시비율 as a share: Decimal("0.2345")
    region_code: str | None = None  # 2-digit province code, already mapped to the call's codes

    def __post_init__(self) -> None:
        _coerce_enum(self, "org_type", OrgType, "unknown_org_type")
        _coerce_enum(self, "role", InstitutionRole, "unknown_role")
        if self.notified_indirect_rate is not None:
            _check_share(self.notified_indirect_rate, "notified_indirect_rate")


_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
MONTHS_IN_YEAR = 12


@dataclass(frozen=True, slots=True)
class ResearcherLoad:
    """A researcher's charged time in one month, in percent points (Decimal("40") = 40%)."""

    researcher_id: str
    name: str
    month: str  # "YYYY-MM"
    this_project_percent: Decimal
    other_projects_percent: Decimal
    is_gri: bool  # 정부출연연구기관 소속: yearly limit instead of monthly

    def __post_init__(self) -> None:
        if not isinstance(self.month, str) or not _MONTH.match(self.month):
            raise EngineError(f"month must be 'YYYY-MM', got {self.month!r}", code="invalid_month")
        for name in ("this_project_percent", "other_projects_percent"):
            value = getattr(self, name)
            if not isinstance(value, Decimal) or value < 0:
                raise EngineError(
                    f"{name} of {self.researcher_id}/{self.month} must be a non-negative Decimal",
                    code="invalid_percent",
                )

    @property
    def year(self) -> int:
        return int(self.month[:4])

    @property
    def total_percent(self) -> Decimal:
        return self.this_project_percent + self.other_projects_percent


@dataclass(frozen=True, slots=True)
class ActiveProjects:
    """A researcher's simultaneous projects (3책5공), counting this proposal as if selected."""

    researcher_id: str
    name: str
    total_active: int
    as_pi: int


@dataclass(frozen=True, slots=True)
class Penalty:
    """A record that can bar selection; exactly one of institution_id and researcher_id is set."""

    kind: PenaltyKind
    date: datetime.date | None  # decision date; may be None only for an unpaid surcharge
    institution_id: str | None = None
    researcher_id: str | None = None

    def __post_init__(self) -> None:
        _coerce_enum(self, "kind", PenaltyKind, "unknown_penalty_kind")
        if (self.institution_id is None) == (self.researcher_id is None):
            raise EngineError(
                "a penalty names exactly one of institution_id and researcher_id", code="invalid_penalty"
            )
        if self.date is None and self.kind is not PenaltyKind.UNPAID_SURCHARGE:
            raise EngineError(f"a {self.kind} penalty needs a date", code="invalid_penalty")


# --------------------------------------------------------------------------------------------
# Policy
# --------------------------------------------------------------------------------------------

_D = Decimal

# Defaults: DOMAIN.md §3, from 국가연구개발혁신법 매뉴얼 26.7 (2026-06) and 「국가연구개발사업
# 연구개발비 사용 기준」; effective for proposals from 2026. The app seeds them into the versioned
# policy record; an administrator changes them there, not here.
_DEFAULT_SOURCES: dict[Rule, str] = {
    Rule.GOV_SHARE: "국가연구개발혁신법 시행령 제19조 (정부지원연구개발비 비율); 매뉴얼 26.7",
    Rule.OWN_CASH_SHARE: "국가연구개발혁신법 시행령 제19조 (기관부담연구개발비 중 현금 비율); 매뉴얼 26.7",
    Rule.ALLOWANCE_CAP: "「국가연구개발사업 연구개발비 사용 기준」 연구수당 (인건비의 20% 이내); 매뉴얼 26.7",
    Rule.SUBCONTRACT_CAP: "「국가연구개발사업 연구개발비 사용 기준」 위탁연구개발비 (직접비의 40% 이내); 매뉴얼 26.7",
    Rule.INDIRECT_RATE: "「국가연구개발사업 연구개발비 사용 기준」 제2조 (간접비비율·수정직접비); 매뉴얼 26.7",
    Rule.EQUIPMENT_PLAN: "국가연구개발혁신법 시행령 별표 2 (3천만원 이상 연구장비: 연구개발계획서 반영); 매뉴얼 26.7",
    Rule.RESEARCHER_TIME: "국가연구개발혁신법 매뉴얼 26.7 (연구자 참여율: 월 100%, 정부출연연구기관 연 130%)",
    Rule.SIMULTANEOUS_PROJECTS: "국가연구개발혁신법 시행령 (동시수행 연구개발과제 수 제한, 3책5공); 매뉴얼 26.7",
    Rule.SELECTION_PENALTY: "국가연구개발혁신법 제32조 (제재처분) 및 선정 제외 사유; 매뉴얼 26.7",
    Rule.REGIONAL_ELIGIBILITY: "공고문 신청자격 (지역 한정 과제)",
}


def _default_gov_share_max() -> dict[OrgType, Decimal]:
    return {
        OrgType.SME: _D("0.75"),
        OrgType.EARLY_MID_SIZE: _D("0.75"),
        OrgType.MID_SIZE: _D("0.70"),
        OrgType.LARGE: _D("0.50"),
        OrgType.PUBLIC: _D("0.50"),
        OrgType.UNIVERSITY: _D("1.00"),
        OrgType.GRI: _D("1.00"),
        OrgType.NONPROFIT: _D("1.00"),
    }


def _default_own_cash_min() -> dict[OrgType, Decimal]:
    # early_mid_size is absent on purpose: it follows sme unless set (see own_cash_min_share_for).
    return {
        OrgType.SME: _D("0.10"),
        OrgType.MID_SIZE: _D("0.13"),
        OrgType.LARGE: _D("0.15"),
        OrgType.PUBLIC: _D("0.15"),
    }


def _default_indirect_rate() -> dict[OrgType, Decimal]:
    # 영리기관 10% (공기업 included: 사용 기준 제2조 counts it as 영리기관);
    # university without a notified rate 5%; any other non-profit without one 17%.
    return {
        OrgType.LARGE: _D("0.10"),
        OrgType.MID_SIZE: _D("0.10"),
        OrgType.EARLY_MID_SIZE: _D("0.10"),
        OrgType.SME: _D("0.10"),
        OrgType.PUBLIC: _D("0.10"),
        OrgType.UNIVERSITY: _D("0.05"),
        OrgType.GRI: _D("0.17"),
        OrgType.NONPROFIT: _D("0.17"),
    }


@dataclass(frozen=True, slots=True)
class ProposalRulePolicy:
    """Every number the rules use; shares are Decimal fractions, time limits percent points."""

    allowance_max_share_of_personnel: Decimal = _D("0.20")
    allowance_base_includes_student_personnel: bool = True
    subcontract_max_share_of_direct: Decimal = _D("0.40")
    indirect_default_rate_by_org_type: Mapping[OrgType, Decimal] = field(
        default_factory=_default_indirect_rate
    )
    # 수정직접비: the indirect base leaves out in-kind and these categories.
    indirect_base_excluded_categories: frozenset[CostCategory] = frozenset(
        {CostCategory.SUBCONTRACT, CostCategory.INTERNATIONAL, CostCategory.BURDEN}
    )
    indirect_base_excludes_in_kind: bool = True
    # a piece of equipment of this amount or more must be listed item by item in the plan
    equipment_plan_threshold_krw: int = 30_000_000
    gov_share_max_by_org_type: Mapping[OrgType, Decimal] = field(default_factory=_default_gov_share_max)
    own_cash_min_share_by_org_type: Mapping[OrgType, Decimal] = field(default_factory=_default_own_cash_min)
    researcher_monthly_max_percent: Decimal = _D("100")
    gri_yearly_max_percent: Decimal = _D("130")
    simultaneous_limit_enabled: bool = True
    simultaneous_max_total: int = 5
    simultaneous_max_as_pi: int = 3
    penalty_window_years: int = 3
    region_scope: RegionScope = RegionScope.LEAD
    warning_rules: frozenset[Rule] = frozenset()  # reported as warnings instead of errors
    sources: Mapping[Rule, str] = field(default_factory=lambda: dict(_DEFAULT_SOURCES))
    # The source a violation cites when the limit depends on the institution's type (the policy record
    # of that type's limit); a rule or type missing here cites ``sources``.
    sources_by_org_type: Mapping[Rule, Mapping[OrgType, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_share(self.allowance_max_share_of_personnel, "allowance_max_share_of_personnel")
        _check_share(self.subcontract_max_share_of_direct, "subcontract_max_share_of_direct")
        for mapping_name in (
            "indirect_default_rate_by_org_type",
            "gov_share_max_by_org_type",
            "own_cash_min_share_by_org_type",
        ):
            for org_type, share in getattr(self, mapping_name).items():
                _check_share(share, f"{mapping_name}[{org_type}]")
        _coerce_enum(self, "region_scope", RegionScope, "invalid_policy")
        for name in ("simultaneous_max_total", "simultaneous_max_as_pi", "penalty_window_years",
                     "equipment_plan_threshold_krw"):
            if getattr(self, name) < 0:
                raise EngineError(f"{name} must not be negative", code="invalid_policy")

    def source_for(self, rule: Rule, org_type: OrgType | None = None) -> str:
        """The source of ``rule``'s limit; for ``org_type``'s own limit when the policy names one."""
        if org_type is not None:
            by_type = self.sources_by_org_type.get(rule, {})
            if org_type in by_type:
                return by_type[org_type]
        return self.sources.get(rule, "")

    def severity_for(self, rule: Rule) -> Severity:
        return Severity.WARNING if rule in self.warning_rules else Severity.ERROR

    def gov_share_max_for(self, org_type: OrgType) -> Decimal:
        try:
            return self.gov_share_max_by_org_type[org_type]
        except KeyError:
            raise EngineError(
                f"policy has no government share limit for {org_type}", code="policy_incomplete"
            ) from None

    def own_cash_min_share_for(self, org_type: OrgType) -> Decimal | None:
        """None when the org type has no minimum (universities, institutes, non-profits)."""
        shares = self.own_cash_min_share_by_org_type
        if org_type in shares:
            return shares[org_type]
        if org_type is OrgType.EARLY_MID_SIZE:
            return shares.get(OrgType.SME)
        return None

    def indirect_rate_for(self, institution: Institution) -> Decimal:
        """The notified rate when the institution has one, else the default for its org type."""
        if institution.notified_indirect_rate is not None:
            return institution.notified_indirect_rate
        try:
            return self.indirect_default_rate_by_org_type[institution.org_type]
        except KeyError:
            raise EngineError(
                f"policy has no default indirect rate for {institution.org_type}", code="policy_incomplete"
            ) from None


# --------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Violation:
    rule: str  # a Rule value
    field: str  # stable form path, e.g. "budget[2026][INST1].allowance"
    message_ko: str
    message_en: str
    source: str
    limit: str
    actual: str
    severity: str  # a Severity value


# --------------------------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------------------------


def _won(amount: int) -> str:
    return f"{amount:,}원"


def _won_en(amount: int) -> str:
    return f"KRW {amount:,}"


def _percent_exact(share: Decimal) -> str:
    """A limit share as percent, exact, at least one decimal: 0.75 -> '75.0%', 0.1333 -> '13.33%'."""
    return _percent_points_exact(share * 100)


def _percent_points_exact(points: Decimal) -> str:
    text = format(points.normalize(), "f")
    if "." not in text:
        text += ".0"
    return f"{text}%"


def _percent_over(share: Fraction) -> str:
    """An actual share above a maximum, rounded up to one decimal so it never reads as the limit."""
    return _tenths(math.ceil(share * 1000))


def _percent_under(share: Fraction) -> str:
    """An actual share below a minimum, rounded down to one decimal so it never reads as the limit."""
    return _tenths(math.floor(share * 1000))


def _tenths(tenths: int) -> str:
    return f"{tenths // 10}.{tenths % 10}%"


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _institutions_by_id(institutions: Iterable[Institution]) -> dict[str, Institution]:
    by_id: dict[str, Institution] = {}
    for institution in institutions:
        if institution.id in by_id:
            raise EngineError(f"institution {institution.id} is listed twice", code="duplicate_institution")
        by_id[institution.id] = institution
    return by_id


def _institution_years(
    lines: Iterable[BudgetLine], institutions: Mapping[str, Institution]
) -> dict[tuple[int, str], list[BudgetLine]]:
    grouped: dict[tuple[int, str], list[BudgetLine]] = defaultdict(list)
    for line in lines:
        if line.institution_id not in institutions:
            raise EngineError(
                f"budget line names unknown institution {line.institution_id}", code="unknown_institution"
            )
        grouped[(line.year, line.institution_id)].append(line)
    return dict(sorted(grouped.items()))


def _sum(lines: Iterable[BudgetLine], *, categories: Iterable[CostCategory]) -> int:
    wanted = frozenset(categories)
    return sum(line.total for line in lines if line.category in wanted)


_DIRECT = frozenset(category for category in CostCategory if category.is_direct)


def _where_ko(year: int, institution: Institution) -> str:
    return f"{year}년 {institution.name}({institution.id})"


def _where_en(year: int, institution: Institution) -> str:
    return f"{year}, {institution.name} ({institution.id})"


def _violation(
    *,
    rule: Rule,
    field: str,
    ko: str,
    en: str,
    limit: str,
    actual: str,
    policy: ProposalRulePolicy,
    org_type: OrgType | None = None,
) -> Violation:
    """``org_type``: the type whose own limit was broken, so the violation cites that type's source."""
    return Violation(
        rule=rule.value,
        field=field,
        message_ko=ko,
        message_en=en,
        source=policy.source_for(rule, org_type),
        limit=limit,
        actual=actual,
        severity=policy.severity_for(rule).value,
    )


# --------------------------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------------------------


def gov_share_check(
    *, lines: Sequence[BudgetLine], institutions: Sequence[Institution], policy: ProposalRulePolicy
) -> list[Violation]:
    """Per institution-year: gov / (gov + cash + in-kind) over all categories ≤ the org type's max."""
    by_id = _institutions_by_id(institutions)
    violations = []
    for (year, institution_id), group in _institution_years(lines, by_id).items():
        institution = by_id[institution_id]
        gov = sum(line.gov for line in group)
        total = sum(line.total for line in group)
        max_share = policy.gov_share_max_for(institution.org_type)
        if total == 0 or gov <= Fraction(max_share) * total:
            continue
        share = Fraction(gov, total)
        limit_won = math.floor(Fraction(max_share) * total)
        violations.append(
            _violation(
                rule=Rule.GOV_SHARE,
                field=f"budget[{year}][{institution_id}].gov",
                ko=(
                    f"정부지원연구개발비 비율 한도 초과({_where_ko(year, institution)}): 정부지원 "
                    f"{_won(gov)}은 연구개발비 {_won(total)}의 {_percent_over(share)}로, "
                    f"한도 {_percent_exact(max_share)}({_won(limit_won)})를 넘습니다."
                ),
                en=(
                    f"Government share limit exceeded ({_where_en(year, institution)}): government funds "
                    f"{_won_en(gov)} are {_percent_over(share)} of the {_won_en(total)} budget, above the "
                    f"{_percent_exact(max_share)} limit ({_won_en(limit_won)})."
                ),
                limit=_percent_exact(max_share),
                actual=_percent_over(share),
                policy=policy,
                org_type=institution.org_type,
            )
        )
    return violations


def own_cash_share_check(
    *, lines: Sequence[BudgetLine], institutions: Sequence[Institution], policy: ProposalRulePolicy
) -> list[Violation]:
    """Per institution-year: own cash / (own cash + in-kind) ≥ the org type's minimum.

    Skipped when the institution contributes nothing of its own or its org type has no minimum.
    """
    by_id = _institutions_by_id(institutions)
    violations = []
    for (year, institution_id), group in _institution_years(lines, by_id).items():
        institution = by_id[institution_id]
        min_share = policy.own_cash_min_share_for(institution.org_type)
        cash = sum(line.cash for line in group)
        own = cash + sum(line.in_kind for line in group)
        if min_share is None or own == 0 or cash >= Fraction(min_share) * own:
            continue
        share = Fraction(cash, own)
        minimum_won = math.ceil(Fraction(min_share) * own)
        violations.append(
            _violation(
                rule=Rule.OWN_CASH_SHARE,
                field=f"budget[{year}][{institution_id}].cash",
                ko=(
                    f"기관부담금 현금 비율 미달({_where_ko(year, institution)}): 현금 {_won(cash)}은 "
                    f"기관부담금 {_won(own)}의 {_percent_under(share)}로, 최소 "
                    f"{_percent_exact(min_share)}({_won(minimum_won)})에 못 미칩니다."
                ),
                en=(
                    f"Own cash share too low ({_where_en(year, institution)}): cash {_won_en(cash)} is "
                    f"{_percent_under(share)} of the {_won_en(own)} own contribution, below the "
                    f"{_percent_exact(min_share)} minimum ({_won_en(minimum_won)})."
                ),
                limit=_percent_exact(min_share),
                actual=_percent_under(share),
                policy=policy,
                org_type=institution.org_type,
            )
        )
    return violations


def allowance_cap_check(
    *, lines: Sequence[BudgetLine], institutions: Sequence[Institution], policy: ProposalRulePolicy
) -> list[Violation]:
    """Per institution-year: allowance ≤ share × personnel (+ student personnel when the policy says)."""
    by_id = _institutions_by_id(institutions)
    base_categories = [CostCategory.PERSONNEL]
    if policy.allowance_base_includes_student_personnel:
        base_categories.append(CostCategory.STUDENT_PERSONNEL)
    base_ko = "인건비(학생인건비 포함)" if policy.allowance_base_includes_student_personnel else "인건비"
    base_en = (
        "personnel cost incl. student personnel"
        if policy.allowance_base_includes_student_personnel
        else "personnel cost"
    )
    share = policy.allowance_max_share_of_personnel
    violations = []
    for (year, institution_id), group in _institution_years(lines, by_id).items():
        institution = by_id[institution_id]
        allowance = _sum(group, categories=[CostCategory.ALLOWANCE])
        base = _sum(group, categories=base_categories)
        limit_won = math.floor(Fraction(share) * base)
        if allowance <= limit_won:
            continue
        violations.append(
            _violation(
                rule=Rule.ALLOWANCE_CAP,
                field=f"budget[{year}][{institution_id}].allowance",
                ko=(
                    f"연구수당 한도 초과({_where_ko(year, institution)}): 연구수당 {_won(allowance)}이 "
                    f"{base_ko} {_won(base)}의 {_percent_exact(share)}인 한도 {_won(limit_won)}을 넘습니다."
                ),
                en=(
                    f"Research allowance limit exceeded ({_where_en(year, institution)}): allowance "
                    f"{_won_en(allowance)} is above the limit of {_won_en(limit_won)}, "
                    f"{_percent_exact(share)} of {base_en} {_won_en(base)}."
                ),
                limit=_won(limit_won),
                actual=_won(allowance),
                policy=policy,
            )
        )
    return violations


def subcontract_cap_check(*, lines: Sequence[BudgetLine], policy: ProposalRulePolicy) -> list[Violation]:
    """Per proposal-year: subcontracted R&D of all institutions ≤ share × their direct cost."""
    by_year: dict[int, list[BudgetLine]] = defaultdict(list)
    for line in lines:
        by_year[line.year].append(line)
    share = policy.subcontract_max_share_of_direct
    violations = []
    for year, group in sorted(by_year.items()):
        subcontract = _sum(group, categories=[CostCategory.SUBCONTRACT])
        direct = _sum(group, categories=_DIRECT)
        limit_won = math.floor(Fraction(share) * direct)
        if subcontract <= limit_won:
            continue
        violations.append(
            _violation(
                rule=Rule.SUBCONTRACT_CAP,
                field=f"budget[{year}].subcontract",
                ko=(
                    f"위탁연구개발비 한도 초과({year}년): 위탁연구개발비 {_won(subcontract)}이 직접비 "
                    f"{_won(direct)}의 {_percent_exact(share)}인 한도 {_won(limit_won)}을 넘습니다."
                ),
                en=(
                    f"Subcontracted R&D limit exceeded ({year}): subcontracting {_won_en(subcontract)} is "
                    f"above the limit of {_won_en(limit_won)}, {_percent_exact(share)} of direct cost "
                    f"{_won_en(direct)}."
                ),
                limit=_won(limit_won),
                actual=_won(subcontract),
                policy=policy,
            )
        )
    return violations


def indirect_base(*, lines: Iterable[BudgetLine], policy: ProposalRulePolicy) -> int:
    """수정직접비: direct cost less the excluded categories and, by default, less in-kind."""
    base = 0
    for line in lines:
        if not line.category.is_direct or line.category in policy.indirect_base_excluded_categories:
            continue
        base += line.gov + line.cash + (0 if policy.indirect_base_excludes_in_kind else line.in_kind)
    return base


def indirect_rate_check(
    *, lines: Sequence[BudgetLine], institutions: Sequence[Institution], policy: ProposalRulePolicy
) -> list[Violation]:
    """Per institution-year: indirect (gov + cash + in-kind) ≤ ⌊rate × 수정직접비⌋ won."""
    by_id = _institutions_by_id(institutions)
    violations = []
    for (year, institution_id), group in _institution_years(lines, by_id).items():
        institution = by_id[institution_id]
        rate = policy.indirect_rate_for(institution)
        indirect = _sum(group, categories=[CostCategory.INDIRECT])
        base = indirect_base(lines=group, policy=policy)
        limit_won = math.floor(Fraction(rate) * base)
        if indirect <= limit_won:
            continue
        rate_ko = "고시비율" if institution.notified_indirect_rate is not None else "기본비율"
        rate_en = "notified rate" if institution.notified_indirect_rate is not None else "default rate"
        violations.append(
            _violation(
                rule=Rule.INDIRECT_RATE,
                field=f"budget[{year}][{institution_id}].indirect",
                ko=(
                    f"간접비 한도 초과({_where_ko(year, institution)}): 간접비 {_won(indirect)}이 "
                    f"직접비(현물·제외 비목 제외) {_won(base)}에 {rate_ko} {_percent_exact(rate)}를 곱한 "
                    f"한도 {_won(limit_won)}을 넘습니다."
                ),
                en=(
                    f"Indirect cost limit exceeded ({_where_en(year, institution)}): indirect cost "
                    f"{_won_en(indirect)} is above the limit of {_won_en(limit_won)}, the {rate_en} "
                    f"{_percent_exact(rate)} of adjusted direct cost {_won_en(base)}."
                ),
                limit=_won(limit_won),
                actual=_won(indirect),
                policy=policy,
                # a notified rate is the institution's own: the rule's general source, not a type's default
                org_type=None if institution.notified_indirect_rate is not None else institution.org_type,
            )
        )
    return violations


def equipment_plan_check(
    *, lines: Sequence[BudgetLine], institutions: Sequence[Institution], policy: ProposalRulePolicy
) -> list[Violation]:
    """Per equipment line: every piece of ≥ ``equipment_plan_threshold_krw`` is listed item by item.

    The listed items may not add up to more than the line; what the line leaves unlisted must stay
    below the threshold (otherwise an unlisted piece could reach it). A line at exactly the threshold
    and nothing listed fails; one won less passes.
    """
    by_id = _institutions_by_id(institutions)
    threshold = policy.equipment_plan_threshold_krw
    violations = []
    for (year, institution_id), group in _institution_years(lines, by_id).items():
        institution = by_id[institution_id]
        for line in group:
            if line.category is not CostCategory.EQUIPMENT:
                continue
            listed = sum(item.amount for item in line.items)
            unlisted = line.total - listed
            field_path = f"budget[{year}][{institution_id}].equipment"
            if listed > line.total:
                violations.append(
                    _violation(
                        rule=Rule.EQUIPMENT_PLAN,
                        field=field_path,
                        ko=(
                            f"연구장비 목록 오류({_where_ko(year, institution)}): 목록의 장비 합계 {_won(listed)}이 "
                            f"연구시설·장비비 {_won(line.total)}을 넘습니다."
                        ),
                        en=(
                            f"Equipment list inconsistent ({_where_en(year, institution)}): the listed items add "
                            f"up to {_won_en(listed)}, more than the equipment line's {_won_en(line.total)}."
                        ),
                        limit=_won(line.total),
                        actual=_won(listed),
                        policy=policy,
                    )
                )
            elif unlisted >= threshold:
                violations.append(
                    _violation(
                        rule=Rule.EQUIPMENT_PLAN,
                        field=field_path,
                        ko=(
                            f"연구장비 개별 기재 필요({_where_ko(year, institution)}): 연구시설·장비비 "
                            f"{_won(line.total)} 중 {_won(unlisted)}이 장비별로 기재되지 않았습니다. "
                            f"{_won(threshold)} 이상 장비는 계획서에 품목별로 기재해야 합니다."
                        ),
                        en=(
                            f"Equipment must be listed item by item ({_where_en(year, institution)}): "
                            f"{_won_en(unlisted)} of the {_won_en(line.total)} equipment line is not listed; "
                            f"every piece of {_won_en(threshold)} or more must be in the plan item by item."
                        ),
                        limit=f"< {_won(threshold)}",
                        actual=_won(unlisted),
                        policy=policy,
                    )
                )
    return violations


def researcher_time_check(*, loads: Sequence[ResearcherLoad], policy: ProposalRulePolicy) -> list[Violation]:
    """Monthly total ≤ 100% per researcher; researchers of a government institute (is_gri) instead
    have their calendar-year average ≤ 130%: the year's monthly totals summed and divided by twelve
    (a month not supplied is a month without participation, 0%). Give a government-institute
    researcher's months on other projects too (this_project_percent 0) so the year is complete."""
    seen: set[tuple[str, str]] = set()
    monthly: list[ResearcherLoad] = []
    gri_years: dict[tuple[str, int], list[ResearcherLoad]] = defaultdict(list)
    for load in loads:
        key = (load.researcher_id, load.month)
        if key in seen:
            raise EngineError(
                f"researcher {load.researcher_id} has two loads for {load.month}", code="duplicate_load"
            )
        seen.add(key)
        if load.is_gri:
            gri_years[(load.researcher_id, load.year)].append(load)
        else:
            monthly.append(load)

    violations = []
    monthly_max = policy.researcher_monthly_max_percent
    for load in sorted(monthly, key=lambda item: (item.researcher_id, item.month)):
        total = load.total_percent
        if total <= monthly_max:
            continue
        actual = _percent_points_exact(total)
        violations.append(
            _violation(
                rule=Rule.RESEARCHER_TIME,
                field=f"researchers[{load.researcher_id}][{load.month}].percent",
                ko=(
                    f"연구자 참여율 초과: {load.name}({load.researcher_id})의 {load.month} 참여율 합계 "
                    f"{actual}(이 과제 {_percent_points_exact(load.this_project_percent)}, 다른 과제 "
                    f"{_percent_points_exact(load.other_projects_percent)})가 월 한도 "
                    f"{_percent_points_exact(monthly_max)}를 넘습니다."
                ),
                en=(
                    f"Researcher time over the limit: {load.name} ({load.researcher_id}) is charged "
                    f"{actual} in {load.month} (this project "
                    f"{_percent_points_exact(load.this_project_percent)}, other projects "
                    f"{_percent_points_exact(load.other_projects_percent)}), above the monthly limit of "
                    f"{_percent_points_exact(monthly_max)}."
                ),
                limit=_percent_points_exact(monthly_max),
                actual=actual,
                policy=policy,
            )
        )

    yearly_max = policy.gri_yearly_max_percent
    for (researcher_id, year), group in sorted(gri_years.items()):
        # over the calendar year: a month without participation counts as 0%, so the average is the
        # year's sum over twelve months, not over the months supplied
        total = sum((load.total_percent for load in group), Decimal(0))
        average = Fraction(total) / MONTHS_IN_YEAR
        if average <= Fraction(yearly_max):
            continue
        actual = _percent_over(average / 100)
        total_text = _percent_points_exact(total)
        name = group[0].name
        violations.append(
            _violation(
                rule=Rule.RESEARCHER_TIME,
                field=f"researchers[{researcher_id}][{year}].percent",
                ko=(
                    f"연구자 참여율 초과: 정부출연연구기관 연구자 {name}({researcher_id})의 {year}년 "
                    f"연간 참여율 {actual}(월 참여율 합계 {total_text}를 12개월로 나눈 값, 참여하지 않은 "
                    f"달은 0%)가 연 한도 {_percent_points_exact(yearly_max)}를 넘습니다."
                ),
                en=(
                    f"Researcher time over the limit: government-institute researcher {name} "
                    f"({researcher_id}) is charged {actual} over the calendar year {year} (monthly totals of "
                    f"{total_text} over twelve months, months without participation counting as 0%), above "
                    f"the yearly limit of {_percent_points_exact(yearly_max)}."
                ),
                limit=_percent_points_exact(yearly_max),
                actual=actual,
                policy=policy,
                org_type=OrgType.GRI,
            )
        )
    return violations


def simultaneous_projects_check(
    *, active_projects: Sequence[ActiveProjects], policy: ProposalRulePolicy
) -> list[Violation]:
    """3책5공: at most 5 active projects, at most 3 as PI (counts include this proposal).

    Returns nothing when the program has switched the limit off.
    """
    if not policy.simultaneous_limit_enabled:
        return []
    violations = []
    for record in sorted(active_projects, key=lambda item: item.researcher_id):
        who_ko = f"{record.name}({record.researcher_id})"
        who_en = f"{record.name} ({record.researcher_id})"
        if record.total_active > policy.simultaneous_max_total:
            violations.append(
                _violation(
                    rule=Rule.SIMULTANEOUS_PROJECTS,
                    field=f"researchers[{record.researcher_id}].active_projects",
                    ko=(
                        f"동시수행 과제 수 초과: {who_ko}의 수행 과제 {record.total_active}개(이 과제 포함)가 "
                        f"한도 {policy.simultaneous_max_total}개를 넘습니다."
                    ),
                    en=(
                        f"Too many simultaneous projects: {who_en} would run {record.total_active} "
                        f"projects including this one, above the limit of {policy.simultaneous_max_total}."
                    ),
                    limit=str(policy.simultaneous_max_total),
                    actual=str(record.total_active),
                    policy=policy,
                )
            )
        if record.as_pi > policy.simultaneous_max_as_pi:
            violations.append(
                _violation(
                    rule=Rule.SIMULTANEOUS_PROJECTS,
                    field=f"researchers[{record.researcher_id}].active_projects_as_pi",
                    ko=(
                        f"연구책임자 동시수행 과제 수 초과: {who_ko}의 연구책임자 과제 {record.as_pi}개"
                        f"(이 과제 포함)가 한도 {policy.simultaneous_max_as_pi}개를 넘습니다."
                    ),
                    en=(
                        f"Too many projects as PI: {who_en} would lead {record.as_pi} projects including "
                        f"this one, above the limit of {policy.simultaneous_max_as_pi}."
                    ),
                    limit=str(policy.simultaneous_max_as_pi),
                    actual=str(record.as_pi),
                    policy=policy,
                )
            )
    return violations


def penalty_window_start(*, today: datetime.date, years: int) -> datetime.date:
    """The same calendar day ``years`` before ``today`` (29 February falls back to the 28th)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


_PENALTY_KO = {
    PenaltyKind.SANCTION: "제재처분",
    PenaltyKind.ABANDONMENT: "연구개발과제 포기",
    PenaltyKind.UNPAID_SURCHARGE: "제재부가금·환수금 미납",
}
_PENALTY_EN = {
    PenaltyKind.SANCTION: "a sanction",
    PenaltyKind.ABANDONMENT: "an abandoned project",
    PenaltyKind.UNPAID_SURCHARGE: "an unpaid surcharge or clawback",
}


def selection_penalty_check(
    *,
    penalties: Sequence[Penalty],
    institutions: Sequence[Institution],
    today: datetime.date,
    policy: ProposalRulePolicy,
) -> list[Violation]:
    """A sanction or abandonment dated on or after the day ``penalty_window_years`` before today
    (that day included) bars selection; an unpaid surcharge always does.

    The caller passes the penalties of this proposal's institutions and researchers.
    """
    names = {institution.id: institution.name for institution in institutions}
    start = penalty_window_start(today=today, years=policy.penalty_window_years)
    violations = []

    def sort_key(penalty: Penalty) -> tuple[str, str, str, str]:
        subject = penalty.institution_id or penalty.researcher_id or ""
        return (
            "i" if penalty.institution_id else "r",
            subject,
            penalty.kind.value,
            penalty.date.isoformat() if penalty.date else "",
        )

    for penalty in sorted(penalties, key=sort_key):
        dated = penalty.date
        if penalty.kind is not PenaltyKind.UNPAID_SURCHARGE and dated is not None and dated < start:
            continue
        if penalty.institution_id is not None:
            subject_id = penalty.institution_id
            field_path = f"institutions[{subject_id}]"
            name = names.get(subject_id)
            who_ko = f"기관 {name}({subject_id})" if name else f"기관 {subject_id}"
            who_en = f"institution {name} ({subject_id})" if name else f"institution {subject_id}"
        else:
            subject_id = penalty.researcher_id or ""
            field_path = f"researchers[{subject_id}]"
            who_ko = f"연구자 {subject_id}"
            who_en = f"researcher {subject_id}"
        if penalty.kind is PenaltyKind.UNPAID_SURCHARGE or dated is None:
            limit = "미납 없음"
            actual = "미납"
            ko = f"선정 제외 사유: {who_ko}에게 {_PENALTY_KO[penalty.kind]} 이력이 있습니다."
            en = f"Selection bar: {who_en} has {_PENALTY_EN[penalty.kind]}."
        else:
            years = policy.penalty_window_years
            limit = f"{start.isoformat()} 이전"
            actual = dated.isoformat()
            ko = (
                f"선정 제외 사유: {who_ko}의 {_PENALTY_KO[penalty.kind]}({actual})가 최근 {years}년 "
                f"({start.isoformat()} 이후) 이내입니다."
            )
            en = (
                f"Selection bar: {who_en} has {_PENALTY_EN[penalty.kind]} dated {actual}, within the "
                f"last {years} years (on or after {start.isoformat()})."
            )
        violations.append(
            _violation(
                rule=Rule.SELECTION_PENALTY,
                field=field_path,
                ko=ko,
                en=en,
                limit=limit,
                actual=actual,
                policy=policy,
            )
        )
    return violations


def regional_eligibility_check(
    *, institutions: Sequence[Institution], call_regions: Iterable[str], policy: ProposalRulePolicy
) -> list[Violation]:
    """When the call names regions, the lead (or every institution, by policy) must lie in one.

    An institution without a region code fails: eligibility cannot be shown.
    """
    allowed = frozenset(call_regions)
    if not allowed:
        return []
    checked = (
        list(institutions)
        if policy.region_scope is RegionScope.ALL
        else [institution for institution in institutions if institution.role is InstitutionRole.LEAD]
    )
    allowed_text = ", ".join(sorted(allowed))
    violations = []
    for institution in sorted(checked, key=lambda item: item.id):
        if institution.region_code in allowed:
            continue
        actual = institution.region_code or "-"
        violations.append(
            _violation(
                rule=Rule.REGIONAL_ELIGIBILITY,
                field=f"institutions[{institution.id}].region",
                ko=(
                    f"지역 신청자격 미충족: {institution.name}({institution.id})의 지역 {actual}은 "
                    f"공고의 대상 지역({allowed_text})이 아닙니다."
                ),
                en=(
                    f"Regional eligibility not met: {institution.name} ({institution.id}) is in region "
                    f"{actual}, not one of the call's regions ({allowed_text})."
                ),
                limit=allowed_text,
                actual=actual,
                policy=policy,
            )
        )
    return violations


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def proposal_validate(
    *,
    lines: Sequence[BudgetLine],
    institutions: Sequence[Institution],
    loads: Sequence[ResearcherLoad],
    active_projects: Sequence[ActiveProjects],
    penalties: Sequence[Penalty],
    today: datetime.date,
    call_regions: Iterable[str],
    policy: ProposalRulePolicy,
) -> list[Violation]:
    """Every rule on one proposal; violations in rule order, then by year / institution / researcher."""
    _institutions_by_id(institutions)  # fail fast on duplicates
    return [
        *gov_share_check(lines=lines, institutions=institutions, policy=policy),
        *own_cash_share_check(lines=lines, institutions=institutions, policy=policy),
        *allowance_cap_check(lines=lines, institutions=institutions, policy=policy),
        *subcontract_cap_check(lines=lines, policy=policy),
        *indirect_rate_check(lines=lines, institutions=institutions, policy=policy),
        *equipment_plan_check(lines=lines, institutions=institutions, policy=policy),
        *researcher_time_check(loads=loads, policy=policy),
        *simultaneous_projects_check(active_projects=active_projects, policy=policy),
        *selection_penalty_check(penalties=penalties, institutions=institutions, today=today, policy=policy),
        *regional_eligibility_check(institutions=institutions, call_regions=call_regions, policy=policy),
    ]
