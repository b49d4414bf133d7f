"""Research-fund settlement (정산): the rules of issue #6 over a whole ledger, columnar.

Input is a validated :class:`Ledger` (Polars frames with a fixed schema, see
``TRANSACTION_SCHEMA`` …) and a :class:`~doyak.engine.settlement_policy.SettlementPolicy`;
output is a :class:`SettlementResult` (flags, per-project summary, audit sample, totals).
Nothing here imports Django; the CLI (``doyak settle``) and the finance app both call
:func:`ledger_settle` / :func:`ledger_settle_projects`.

Rules (severity; amount at risk is the transaction amount unless said otherwise). Local dates
are Asia/Seoul; transactions with amount ≤ 0 are never flagged but count in every total.

* ``OUT_OF_PERIOD`` (ineligible): local date before ``start_date`` or after the period's end plus
  the category's grace days; the period ends at ``end_date``, or at the optional ``stopped_on``
  (the stop notice) when that is earlier.
* ``INELIGIBLE_MERCHANT`` (ineligible): merchant type in the policy's list.
* ``MISSING_EVIDENCE`` (ineligible): evidence ``none`` (no payment record) and amount above the
  category's ``[evidence_exemption]``.
* ``MISSING_DOCUMENTS`` (ineligible; only when transactions carry the optional ``documents``
  column): ``documents = 0`` (no supporting document: quotation, inspection record, minutes) and
  amount above the category's ``[documents_exemption]``. An item at or under it needs its payment
  record only (the research innovation cost's ₩3M / ₩500k items).
* ``SPLIT_PURCHASE`` (ineligible): positive transactions of one project, merchant and category that
  each qualify (evidence ``none`` at or under ``[evidence_exemption]``; or, a separate test,
  ``documents = 0`` at or under ``[documents_exemption]``) form one group when their local dates
  differ by less than ``split_window_days`` (default 1: the same day), chained from one to the
  next; a group of two or more summing above that threshold flags every member.
* ``UNPLANNED_EQUIPMENT`` (review; only when the policy sets ``equipment_plan_threshold``): an
  ``equipment`` transaction of at least that amount whose optional ``equipment_item`` is empty or
  not among the project's planned items (``Ledger.equipment``).
* ``DUPLICATE`` (review): same project, merchant and amount as the previous such transaction
  (time order, ties by ``txn_id``) at most the window after it: every one after the first.
* ``HOLIDAY_USE`` (review): category in the policy's list on a Saturday, Sunday or Korean public
  holiday (``holidays.KR`` for the years present).
* ``OVER_BUDGET`` (ineligible): per project and category, in time order (ties by ``txn_id``),
  the running total of the transactions no per-transaction rule made ineligible (negative
  amounts included: a refund lowers the running total) above ⌊approved × (1 + transfer
  share)⌋; amount at risk = the part above the limit. A category with no budget line has
  approved = 0. Budgets may carry a ``valid_from`` date (the agreement version they belong to): each
  transaction is then judged against the limit of the version in force on its local date (the latest
  ``valid_from`` on or before it, the earliest version before that); the running total goes on across
  versions, and a category the version in force has no line for has approved = 0.
* ``ALLOWANCE_CAP`` (ineligible, project level, empty ``txn_id``): recognised research
  allowance above ⌊share × recognised (personnel + student personnel)⌋; amount at risk = the
  excess. "Recognised" = not made ineligible by a per-transaction rule, minus the OVER_BUDGET
  amount at risk of that category, so the same won is never counted twice.

Summary per project: ``spent`` = sum of all amounts; ``ineligible`` = each transaction with a
per-transaction ineligible flag once at its amount, plus OVER_BUDGET amounts at risk, plus the
ALLOWANCE_CAP excess; ``eligible`` = spent − ineligible; ``review`` = amounts of transactions
with a review flag and no ineligible flag; ``clawback`` = ⌊ineligible × g⌋ with
g = ⌊1000 × gov / (gov + cash + other cash)⌋ / 1000 (the share truncated to one decimal of a percent;
other cash is the optional ``other_cash_funds`` column, 0 when absent);
``sampled`` = size of the audit sample for self-settlement projects, all transactions otherwise.

Audit sample of a self-settlement project: every flagged transaction plus the
⌈share × n⌉ unflagged transactions (n = all of the project's transactions) with the lowest
``audit_rank`` = splitmix64(FNV-1a-64(UTF-8 txn_id) seeded with ``seed``), ties by ``txn_id``.
It depends only on the seed and the project's transactions, never on row order or platform.

Every rule is per project, so settling a subset of projects gives exactly the full run's
rows for those projects (:func:`ledger_settle_projects`, for chunked background jobs).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import holidays
import numpy as np
import polars as pl
import pyarrow as pa

from doyak.engine.errors import EngineError
from doyak.engine.settlement_policy import CATEGORIES, EVIDENCE_KINDS, SettlementPolicy, share_fraction

OUT_OF_PERIOD = "OUT_OF_PERIOD"
INELIGIBLE_MERCHANT = "INELIGIBLE_MERCHANT"
MISSING_EVIDENCE = "MISSING_EVIDENCE"
MISSING_DOCUMENTS = "MISSING_DOCUMENTS"
UNPLANNED_EQUIPMENT = "UNPLANNED_EQUIPMENT"
SPLIT_PURCHASE = "SPLIT_PURCHASE"
DUPLICATE = "DUPLICATE"
HOLIDAY_USE = "HOLIDAY_USE"
OVER_BUDGET = "OVER_BUDGET"
ALLOWANCE_CAP = "ALLOWANCE_CAP"

INELIGIBLE = "ineligible"
REVIEW = "review"
SEVERITY: dict[str, str] = {
    OUT_OF_PERIOD: INELIGIBLE,
    INELIGIBLE_MERCHANT: INELIGIBLE,
    MISSING_EVIDENCE: INELIGIBLE,
    MISSING_DOCUMENTS: INELIGIBLE,
    SPLIT_PURCHASE: INELIGIBLE,
    UNPLANNED_EQUIPMENT: REVIEW,
    DUPLICATE: REVIEW,
    HOLIDAY_USE: REVIEW,
    OVER_BUDGET: INELIGIBLE,
    ALLOWANCE_CAP: INELIGIBLE,
}
FLAGS: tuple[str, ...] = tuple(SEVERITY)
# The legal source of each rule (Korean, English): shown in the app and, with ``--with-sources``, in FLAGS.csv.
FLAG_SOURCES: dict[str, tuple[str, str]] = {
    OUT_OF_PERIOD: ("국가연구개발혁신법 제13조, 같은 법 시행령 제20조 (연구개발기간 내 사용)",
                    "National R&D Innovation Act art. 13; Enforcement Decree art. 20 (spend within the period)"),
    INELIGIBLE_MERCHANT: ("국가연구개발혁신법 시행령 제20조, KAIA 부적정집행 사례집 2025-05 (사용 제한 업종)",
                          "Enforcement Decree art. 20; KAIA misuse casebook 2025-05 (restricted merchants)"),
    MISSING_EVIDENCE: ("국가연구개발혁신법 시행령 제20조 (증빙자료 구비), 연구개발비 사용 기준",
                       "Enforcement Decree art. 20 (evidence kept); research-fund usage standard"),
    MISSING_DOCUMENTS: ("국가연구개발혁신법 시행령 개정 2026-06-11 (연구혁신비 소액 증빙 면제), 연구개발비 사용 기준",
                        "Enforcement Decree as amended 2026-06-11 (innovation cost small-amount exemption); "
                        "research-fund usage standard"),
    SPLIT_PURCHASE: ("KAIA 부적정집행 사례집 2025-05 (기준 회피 분할 결제), 연구개발비 사용 기준",
                     "KAIA misuse casebook 2025-05 (splitting to stay under a threshold); usage standard"),
    UNPLANNED_EQUIPMENT: ("국가연구개발혁신법 시행령 제34조 (3천만원 이상 연구장비 계획 반영, 중요 변경)",
                          "Enforcement Decree art. 34 (equipment of ₩30M or more in the plan; a major change)"),
    DUPLICATE: ("KAIA 부적정집행 사례집 2025-05 (중복 집행)", "KAIA misuse casebook 2025-05 (double payment)"),
    HOLIDAY_USE: ("KAIA 부적정집행 사례집 2025-05 (휴일·주말 사용 사유 확인)",
                  "KAIA misuse casebook 2025-05 (holiday and weekend spending needs a reason)"),
    OVER_BUDGET: ("국가연구개발혁신법 시행령 제20조, 협약 변경 기준 (비목 간 전용)",
                  "Enforcement Decree art. 20; agreement change rules (moves between categories)"),
    ALLOWANCE_CAP: ("국가연구개발혁신법 시행령 별표 2 (연구수당 인건비의 20% 이내)",
                    "Enforcement Decree annex 2 (research allowance ≤ 20% of personnel cost)"),
}

CATEGORY_ENUM = pl.Enum(list(CATEGORIES))
EVIDENCE_ENUM = pl.Enum(list(EVIDENCE_KINDS))
TIMESTAMP = pl.Datetime("us", "UTC")

TRANSACTION_SCHEMA: dict[str, pl.DataType] = {
    "txn_id": pl.String(),
    "project_id": pl.String(),
    "category": CATEGORY_ENUM,
    "amount": pl.Int64(),
    "occurred_at": TIMESTAMP,
    "merchant_id": pl.String(),
    "merchant_type": pl.String(),
    "evidence": EVIDENCE_ENUM,
}
PROJECT_SCHEMA: dict[str, pl.DataType] = {
    "project_id": pl.String(),
    "start_date": pl.Date(),
    "end_date": pl.Date(),
    "self_settlement": pl.Boolean(),
    "gov_funds": pl.Int64(),
    "cash_funds": pl.Int64(),
}
# Optional columns (issue #15): absent, each rule that reads them is as it was before.
# ``documents``: supporting documents attached (≥ 0); ``equipment_item``: the planned item bought (may be empty).
TRANSACTION_OPTIONAL_SCHEMA: dict[str, pl.DataType] = {"documents": pl.Int64(), "equipment_item": pl.String()}
TRANSACTION_NULLABLE: tuple[str, ...] = ("equipment_item",)
# Text columns of few distinct values that may also come as a ``pl.Enum`` (4 bytes a row instead of a string's 16):
# the file reader gives ``project_id`` as the Enum of the sorted project ids and ``merchant_type`` as the Enum of
# its values; the app gives text. The engine reads both alike.
TRANSACTION_COMPACT: tuple[str, ...] = ("project_id", "merchant_type")
# ``stopped_on``: the stop notice date; ``other_cash_funds``: other cash besides the institution's;
# ``report_due_on`` / ``report_submitted_on``: the expense report, for the self-settlement sample.
PROJECT_OPTIONAL_SCHEMA: dict[str, pl.DataType] = {
    "stopped_on": pl.Date(),
    "other_cash_funds": pl.Int64(),
    "report_due_on": pl.Date(),
    "report_submitted_on": pl.Date(),
}
PROJECT_NULLABLE: tuple[str, ...] = ("stopped_on", "report_due_on", "report_submitted_on")
EQUIPMENT_SCHEMA: dict[str, pl.DataType] = {
    "project_id": pl.String(),
    "equipment_item": pl.String(),
    "planned_amount": pl.Int64(),
}
BUDGET_SCHEMA: dict[str, pl.DataType] = {
    "project_id": pl.String(),
    "category": CATEGORY_ENUM,
    "approved": pl.Int64(),
}
FLAG_COLUMNS: tuple[str, ...] = ("txn_id", "project_id", "flag", "severity", "amount_at_risk")
SUMMARY_COLUMNS: tuple[str, ...] = (
    "project_id",
    "spent",
    "eligible",
    "ineligible",
    "review",
    "clawback",
    "sampled",
)
SAMPLE_COLUMNS: tuple[str, ...] = ("project_id", "txn_id", "reason")

_CAT = {name: index for index, name in enumerate(CATEGORIES)}
_EVIDENCE_NONE = EVIDENCE_KINDS.index("none")
_US_PER_DAY = 86_400_000_000
_US_PER_MINUTE = 60_000_000
_SEOUL_OFFSET_US = 9 * 3_600_000_000
# Asia/Seoul has been a fixed UTC+09:00 since the end of summer time on 1988-10-09 (03:00 KDT).
_SEOUL_FIXED_SINCE_US = int(dt.datetime(1988, 10, 8, 18, tzinfo=dt.UTC).timestamp()) * 1_000_000
_EPOCH = dt.date(1970, 1, 1)
_AUDIT_RANK_BITS = 40  # so that (project, rank) packs into one int64 sort key


class LedgerError(EngineError):
    """The ledger handed to the engine breaks its contract (schema, references, nulls)."""

    code = "invalid_ledger"


@dataclass(frozen=True, kw_only=True)
class Ledger:
    """Validated input: transactions, projects and budget lines as Polars frames.

    Columns and types are ``TRANSACTION_SCHEMA``, ``PROJECT_SCHEMA`` and ``BUDGET_SCHEMA``
    (extra columns are ignored; the ``TRANSACTION_COMPACT`` columns may be an Enum instead of text).
    ``txn_id`` must be unique: the file readers check it with
    row numbers; database rows have it as a constraint.
    """

    transactions: pl.DataFrame
    projects: pl.DataFrame
    budgets: pl.DataFrame
    equipment: pl.DataFrame | None = None  # planned equipment items (EQUIPMENT_SCHEMA), for UNPLANNED_EQUIPMENT
    # each transaction's position among the project ids, sorted (int32, or the u16/u32 physical values of a read
    # Enum), when the reader already found it
    # (:func:`ledger_with_project_codes`); a copy made with ``dataclasses.replace`` does not keep it
    project_codes: np.ndarray | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_frame("transactions", self.transactions, TRANSACTION_SCHEMA, compact=TRANSACTION_COMPACT)
        _check_frame("projects", self.projects, PROJECT_SCHEMA)
        _check_frame("budgets", self.budgets, BUDGET_SCHEMA)
        _check_frame("transactions", self.transactions, TRANSACTION_OPTIONAL_SCHEMA, optional=True,
                     nullable=TRANSACTION_NULLABLE)
        _check_frame("projects", self.projects, PROJECT_OPTIONAL_SCHEMA, optional=True, nullable=PROJECT_NULLABLE)
        if "documents" in self.transactions.columns and (self.transactions["documents"] < 0).any():
            raise LedgerError("transactions: documents must not be negative", code="ledger_schema")
        if self.equipment is not None:
            _check_frame("equipment", self.equipment, EQUIPMENT_SCHEMA)
            if not self.equipment["project_id"].is_in(self.projects["project_id"].implode()).all():
                raise LedgerError("equipment: project_id not in projects", code="unknown_project")
        if self.projects["project_id"].is_duplicated().any():
            raise LedgerError("projects: duplicate project_id", code="duplicate_project")
        keys = ("project_id", "category", "valid_from") if "valid_from" in self.budgets.columns else (
            "project_id", "category")
        if "valid_from" in self.budgets.columns and self.budgets["valid_from"].dtype != pl.Date():
            raise LedgerError("budgets: valid_from must be a date", code="invalid_schema")
        if self.budgets.select(pl.struct(*keys).is_duplicated().any()).item():
            raise LedgerError("budgets: duplicate (project_id, category)", code="duplicate_budget")
        if not self.budgets["project_id"].is_in(self.projects["project_id"].implode()).all():
            raise LedgerError("budgets: project_id not in projects", code="unknown_project")

    def restrict(self, *, project_ids: Iterable[str]) -> Ledger:
        """The ledger of some projects only; every id must be a known project."""
        wanted = pl.Series("project_id", sorted(set(project_ids)), dtype=pl.String)
        known = wanted.is_in(self.projects["project_id"].implode())
        if not known.all():
            missing = wanted.filter(~known)[0]
            raise LedgerError(f"project {missing!r} is not in the ledger", code="unknown_project")
        return Ledger(
            transactions=self.transactions.filter(pl.col("project_id").cast(pl.String).is_in(wanted.implode())),
            projects=self.projects.filter(pl.col("project_id").is_in(wanted.implode())),
            budgets=self.budgets.filter(pl.col("project_id").is_in(wanted.implode())),
            equipment=None if self.equipment is None else self.equipment.filter(
                pl.col("project_id").is_in(wanted.implode())),
        )


def ledger_with_project_codes(ledger: Ledger, codes: np.ndarray) -> Ledger:
    """``ledger`` carrying ``codes`` (what :func:`project_codes` gives for it), so the engine does not look the
    projects up again."""
    if codes.shape != (ledger.transactions.height,):
        raise ValueError("one project code per transaction")
    object.__setattr__(ledger, "project_codes", codes)
    return ledger


@dataclass(frozen=True, kw_only=True)
class SettlementTotals:
    """Whole-run figures, also the before/after of a policy what-if.

    ``checked_*``: transactions whose evidence a settler examines (all transactions of
    ordinary projects, the audit sample of self-settlement projects). ``sampled_spend``: spend
    of self-settlement projects (settled on the report, audited by sample).
    ``evidence_documents``: checked transactions above their category's exemption (they need
    a document); ``evidence_exempt``: positive transactions at or under it.
    """

    projects: int
    transactions: int
    spend: int
    checked_transactions: int
    checked_spend: int
    sampled_spend: int
    evidence_documents: int
    evidence_exempt: int
    flagged_transactions: int
    flags: int
    ineligible: int
    clawback: int


@dataclass(frozen=True, kw_only=True)
class SettlementResult:
    """Engine output. ``flags`` columns are ``FLAG_COLUMNS`` ordered by project_id, txn_id,
    flag; ``summary`` has ``SUMMARY_COLUMNS`` then ``transactions``, ``self_settlement``,
    ``government_share_permille``, one row per project ordered by project_id; ``sample``
    (``SAMPLE_COLUMNS``) lists the audit sample of self-settlement projects, ``reason``
    ``flagged`` or ``random``."""

    flags: pl.DataFrame
    summary: pl.DataFrame
    sample: pl.DataFrame
    totals: SettlementTotals


def ledger_settle(*, ledger: Ledger, policy: SettlementPolicy) -> SettlementResult:
    """Settle every project of the ledger."""
    return _settle(ledger=ledger, policy=policy)


def ledger_settle_projects(
    *, ledger: Ledger, policy: SettlementPolicy, project_ids: Sequence[str]
) -> SettlementResult:
    """Settle only ``project_ids`` (a chunk of a background job).

    Equal to :func:`ledger_settle` on the whole ledger restricted to those projects, because
    every rule, cap, sample and clawback is per project.
    """
    return _settle(ledger=ledger.restrict(project_ids=project_ids), policy=policy)


def government_share_permille(*, gov_funds: int, cash_funds: int, other_cash_funds: int = 0) -> int:
    """Government share gov / (gov + institution cash + other cash) in tenths of a percent, truncated
    (66.66…% → 666)."""
    return int(government_shares_permille(
        gov_funds=np.array([gov_funds], dtype=object), cash_funds=np.array([cash_funds], dtype=object),
        other_cash_funds=np.array([other_cash_funds], dtype=object))[0])


def government_shares_permille(
    *, gov_funds: np.ndarray, cash_funds: np.ndarray, other_cash_funds: np.ndarray
) -> np.ndarray:
    """:func:`government_share_permille` of many projects at once: int64 when every product fits, exact Python
    ints otherwise. The one place the share is computed."""
    arrays = (gov_funds, cash_funds, other_cash_funds)
    if _fits(arrays, factor=1000, bound=2**60):
        total = gov_funds + cash_funds + other_cash_funds
        return np.where(total > 0, gov_funds * 1000 // np.where(total > 0, total, 1), 0)
    return np.array([gov * 1000 // (gov + cash + other) if gov + cash + other > 0 else 0 for gov, cash, other in zip(
        *(array.tolist() for array in arrays), strict=True)], dtype=object)


def clawback_from_share(*, ineligible: int, government_share_permille: int) -> int:
    """Clawback of ``ineligible`` won at a government share already in ‰: rounded down to the won.
    The one place the clawback is computed: the engine's summary and the app's closing both call it."""
    return int(clawbacks_from_shares(ineligible=np.array([ineligible], dtype=object),
                                     government_share_permille=np.array([government_share_permille], dtype=object))[0])


def clawbacks_from_shares(*, ineligible: np.ndarray, government_share_permille: np.ndarray) -> np.ndarray:
    """:func:`clawback_from_share` of many projects at once: int64 when every product fits, exact Python ints
    otherwise."""
    if _fits((ineligible,), factor=max(_largest(government_share_permille), 1), bound=2**62) and _fits(
            (government_share_permille,), factor=1, bound=2**62):
        return ineligible * government_share_permille // 1000
    return np.array([amount * share // 1000 for amount, share in zip(
        ineligible.tolist(), government_share_permille.tolist(), strict=True)], dtype=object)


def _largest(array: np.ndarray) -> int:
    """The largest magnitude in ``array`` (0 when empty), as an exact int."""
    return max(abs(int(array.max())), abs(int(array.min()))) if array.size else 0


def _fits(arrays: Sequence[np.ndarray], *, factor: int, bound: int) -> bool:
    """True when every array is int64 and its largest magnitude times ``factor`` stays under ``bound``."""
    return all(array.dtype == np.int64 and _largest(array) * factor < bound for array in arrays)


def clawback_amount(*, ineligible: int, gov_funds: int, cash_funds: int, other_cash_funds: int = 0) -> int:
    """Ineligible won × truncated government share, rounded down to the won."""
    return clawback_from_share(ineligible=ineligible, government_share_permille=government_share_permille(
        gov_funds=gov_funds, cash_funds=cash_funds, other_cash_funds=other_cash_funds))


def budget_limit(*, approved: int, transfer_share: Decimal) -> int:
    """⌊approved × (1 + transfer share)⌋ in exact arithmetic (the OVER_BUDGET limit of one budget line)."""
    return int(budget_limits(approved=np.array([approved], dtype=object), transfer_share=transfer_share)[0])


def budget_limits(*, approved: np.ndarray, transfer_share: Decimal) -> np.ndarray:
    """:func:`budget_limit` of many lines at once: int64 when every product fits, exact Python ints otherwise.
    The one place the limit is computed; both OVER_BUDGET paths call it."""
    share = share_fraction(transfer_share)
    numerator, denominator = share.denominator + share.numerator, share.denominator
    if approved.size and approved.dtype != object and int(approved.max()) * numerator < 2**62:
        return approved.astype(np.int64) * numerator // denominator
    return np.array([int(value) * numerator // denominator for value in approved.tolist()], dtype=object)


# Flag statuses after the institution answered and the manager decided (the app's FlagStatus values).
ACCEPTED = "accepted"
REJECTED = "rejected"


def ineligible_after_decisions(*, flags: Iterable[tuple[str, str, str, str, int]]) -> int:
    """Ineligible won once decisions count, from ``(txn_id, flag, severity, status, amount_at_risk)`` rows of
    one project (project-level flags have an empty ``txn_id``). Per transaction (each project-level flag on its
    own): an ineligible finding whose every ineligible flag was accepted is recognised, otherwise it counts
    once at its largest amount at risk; a transaction with only review flags counts when one was rejected."""
    per_txn: dict[str, list[tuple[str, str, int]]] = {}
    for txn_id, flag, severity, status, amount in flags:
        per_txn.setdefault(txn_id or f"#project:{flag}", []).append((severity, status, amount))
    total = 0
    for found in per_txn.values():
        ineligible = [f for f in found if f[0] == INELIGIBLE]
        if ineligible and not all(f[1] == ACCEPTED for f in ineligible):
            total += max(f[2] for f in ineligible)
        elif not ineligible and any(f[1] == REJECTED for f in found):
            total += max(f[2] for f in found)
    return total


def audit_rank(*, txn_ids: pl.Series, seed: int) -> np.ndarray:
    """Audit rank of each ``txn_id``: the top 40 bits of splitmix64(FNV-1a-64(UTF-8 bytes))
    with the FNV basis mixed with ``seed``. Same on every platform and Python version; the
    sample takes the lowest ranks, ties by ``txn_id``."""
    arrow = txn_ids.cast(pl.String).rechunk().to_arrow(compat_level=pl.CompatLevel.oldest())
    if isinstance(arrow, pa.ChunkedArray):
        arrow = arrow.combine_chunks()
    count = len(arrow)
    if count == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.frombuffer(arrow.buffers()[1], dtype=np.int64)[arrow.offset : arrow.offset + count + 1]
    data = np.frombuffer(arrow.buffers()[2], dtype=np.uint8)
    starts = offsets[:-1]
    lengths = offsets[1:] - starts
    basis = np.uint64(0xCBF29CE484222325) ^ _splitmix64(np.array([seed & 0xFFFFFFFFFFFFFFFF], np.uint64))[0]
    hashes = np.full(count, basis, dtype=np.uint64)
    prime = np.uint64(0x100000001B3)
    width = int(lengths[0])
    if width and (lengths == width).all():
        # ids of one length (the usual case) are a count × width byte matrix: one strided column per byte
        matrix = data[int(offsets[0]) : int(offsets[0]) + count * width].reshape(count, width)
        for position in range(width):
            hashes ^= matrix[:, position]
            hashes *= prime
        return (_splitmix64(hashes) >> np.uint64(64 - _AUDIT_RANK_BITS)).astype(np.int64)
    for position in range(int(lengths.max())):
        if lengths.min() > position:
            hashes ^= data[starts + position]
            hashes *= prime
        else:
            live = lengths > position
            hashes[live] = (hashes[live] ^ data[starts[live] + position]) * prime
    return (_splitmix64(hashes) >> np.uint64(64 - _AUDIT_RANK_BITS)).astype(np.int64)


def _splitmix64(values: np.ndarray) -> np.ndarray:
    z = values.astype(np.uint64, copy=True)
    z ^= z >> np.uint64(30)
    z *= np.uint64(0xBF58476D1CE4E5B9)
    z ^= z >> np.uint64(27)
    z *= np.uint64(0x94D049BB133111EB)
    z ^= z >> np.uint64(31)
    return z


def _check_frame(name: str, frame: pl.DataFrame, schema: dict[str, pl.DataType], *, optional: bool = False,
                 nullable: tuple[str, ...] = (), compact: tuple[str, ...] = ()) -> None:
    for column, dtype in schema.items():
        if column not in frame.columns:
            if optional:
                continue
            raise LedgerError(f"{name}: missing column {column!r}", code="ledger_schema")
        if frame.schema[column] != dtype and not (
                column in compact and dtype == pl.String and isinstance(frame.schema[column], pl.Enum)):
            raise LedgerError(
                f"{name}: column {column!r} is {frame.schema[column]}, expected {dtype}",
                code="ledger_schema",
            )
        if column not in nullable and frame[column].null_count():
            raise LedgerError(f"{name}: column {column!r} has empty values", code="ledger_schema")


def _sorted_rows(
    *, rows: np.ndarray, keys: Sequence[np.ndarray], txn_ids: pl.Series | _Text, packable: bool = True
) -> np.ndarray:
    """``rows`` ordered by ``keys`` (integers, most significant first), ties by ``txn_id``."""
    if rows.size <= 1:
        return rows
    key_values = [np.asarray(key, dtype=np.int64) for key in keys]
    packed = _pack(key_values) if packable else None
    if packed is not None:
        # not a stable sort: rows tied on every key are put in txn_id order below, so the order is the
        # same whatever the sort does with ties (numpy's SIMD quicksort is about 3.5× its stable sort)
        order = np.argsort(packed)
        ordered = [packed[order]]
    else:
        frame = pl.DataFrame({f"k{i}": key for i, key in enumerate(key_values)})
        order = frame.with_row_index("_i").sort([f"k{i}" for i in range(len(key_values))])["_i"].to_numpy()
        ordered = [key[order] for key in key_values]
    result = rows[order]
    same = np.ones(rows.size - 1, dtype=bool)
    for key in ordered:
        same &= key[1:] == key[:-1]
    if same.any():
        in_tie = np.zeros(rows.size, dtype=bool)
        in_tie[1:] |= same
        in_tie[:-1] |= same
        positions = np.flatnonzero(in_tie)
        tied = pl.DataFrame(
            {
                "_pos": positions,
                **{f"k{i}": key[positions] for i, key in enumerate(ordered)},
                "_txn": txn_ids.gather(result[positions]),
            }
        ).sort([*(f"k{i}" for i in range(len(ordered))), "_txn"])
        result[positions] = result[tied["_pos"].to_numpy()]
    return result


def _pack(keys: Sequence[np.ndarray]) -> np.ndarray | None:
    """Pack several non-negative-ranged integer keys into one int64 when it fits."""
    if len(keys) == 1:
        return keys[0]
    packed = np.zeros(keys[0].size, dtype=np.int64)
    span = 1
    for key in reversed(keys):
        low, high = int(key.min()), int(key.max())
        width = high - low + 1
        if span * width >= 2**62:
            return None
        packed += (key - low) * span
        span *= width
    return packed


def _local_days(ts_us: np.ndarray, occurred_at: _Text) -> np.ndarray:
    """Asia/Seoul calendar day (days since 1970-01-01) of each UTC timestamp."""
    if ts_us.size == 0 or int(ts_us.min()) >= _SEOUL_FIXED_SINCE_US:
        return (ts_us + _SEOUL_OFFSET_US) // _US_PER_DAY
    local = occurred_at.all().dt.convert_time_zone("Asia/Seoul").dt.date()
    return local.to_physical().to_numpy().astype(np.int64)


def _holiday_days(days: np.ndarray) -> np.ndarray:
    """Korean public holidays (days since 1970-01-01, sorted) of the years ``days`` fall in."""
    if days.size == 0:
        return np.zeros(0, dtype=np.int64)
    first, last = (
        int(year) + 1970
        for year in np.array([days.min(), days.max()])
        .astype("datetime64[D]")
        .astype("datetime64[Y]")
        .astype(int)
    )
    if last - first > 50:  # a few stray dates far apart: only the years actually present
        years = [
            int(y) + 1970 for y in np.unique(days.astype("datetime64[D]").astype("datetime64[Y]").astype(int))
        ]
    else:
        years = list(range(first, last + 1))
    return _holidays_of(tuple(years))


@functools.lru_cache(maxsize=64)
def _holidays_of(years: tuple[int, ...]) -> np.ndarray:
    # cached: the calendar takes ~40 ms to build, and a ledger settled range by range asks for it per range
    calendar = holidays.country_holidays("KR", years=list(years))
    days = np.array(sorted((day - _EPOCH).days for day in calendar), dtype=np.int64)
    days.flags.writeable = False
    return days


def _group_starts(group: np.ndarray) -> np.ndarray:
    """For rows sorted by ``group``: index of the first row of each row's group."""
    first = np.ones(group.size, dtype=bool)
    first[1:] = group[1:] != group[:-1]
    return np.maximum.accumulate(np.where(first, np.arange(group.size), 0))


class _Text:
    """One text column of the transactions a run settles, read only at the rows asked for."""

    def __init__(self, series: pl.Series, rows: np.ndarray | None) -> None:
        self.series = series
        self.rows = rows

    def gather(self, indices: np.ndarray) -> pl.Series:
        return _gathered(self.series, indices if self.rows is None else self.rows[indices])

    def all(self) -> pl.Series:
        return self.series if self.rows is None else _gathered(self.series, self.rows)


_CHUNKED_GATHER_MIN = 4096


def _gathered(series: pl.Series, indices: np.ndarray) -> pl.Series:
    """``series.gather(indices)``, chunk by chunk when the series has several (a column read from Parquet has one
    a row group): Polars' gather across chunks costs about three times the gathers within each chunk (measured on
    the bench's 10M ledger, 280,000 ids of 10 chunks: 18 ms against 6.5 ms)."""
    chunks = series.n_chunks()
    if chunks == 1 or indices.size < _CHUNKED_GATHER_MIN:
        return series.gather(indices)
    starts = np.cumsum([0, *series.chunk_lengths()])
    order = None
    if (indices[1:] >= indices[:-1]).all():
        cuts = np.searchsorted(indices, starts)
    else:  # put in chunk order (a stable radix sort), then back
        chunk = np.searchsorted(starts, indices, side="right") - 1
        order = np.argsort(chunk.astype(np.uint8) if chunks < 256 else chunk, kind="stable")
        indices = indices[order]
        cuts = np.searchsorted(chunk[order], np.arange(chunks + 1))
    gathered = pl.concat([piece.gather(indices[cuts[k]:cuts[k + 1]] - starts[k])
                          for k, piece in enumerate(series.get_chunks()) if cuts[k + 1] > cuts[k]], rechunk=True)
    if order is None:
        return gathered
    inverse = np.empty_like(order)
    inverse[order] = np.arange(order.size)
    return gathered.gather(inverse)


@dataclass(frozen=True, kw_only=True)
class _Columns:
    """The transactions a run settles as numpy arrays, one entry a transaction. A range of a ledger takes
    its entries from the whole ledger's (:meth:`take`): numbers are gathered, text is read through
    :meth:`text` only at the rows a rule or the output needs."""

    frame: pl.DataFrame  # the ledger's transactions (all of them, for a range)
    rows: np.ndarray | None  # the rows of ``frame`` these entries are; None: every row, in order
    p: np.ndarray  # project code: position of the transaction's project among the run's ids, sorted
    cat: np.ndarray
    evidence: np.ndarray
    amount: np.ndarray
    ts: np.ndarray
    merchant: np.ndarray  # 64-bit hash of merchant_id: groups candidates, matches are checked on the text
    bad_merchant: np.ndarray  # merchant type in the policy's list
    documents: np.ndarray | None

    @property
    def size(self) -> int:
        return int(self.p.size)

    def text(self, column: str) -> _Text:
        return _Text(self.frame[column], self.rows)

    def take(self, rows: np.ndarray, *, first_project: int) -> _Columns:
        """The entries ``rows``, whose projects are the run's from ``first_project`` on."""
        # np.take, not fancy indexing: the same entries at about half the cost (a range's nine gathers from the
        # bench's 10M ledger: 29 -> 17 ms)
        p = np.take(self.p, rows).astype(np.int64)
        p -= first_project
        return _Columns(
            frame=self.frame, rows=rows if self.rows is None else np.take(self.rows, rows),
            p=p, cat=np.take(self.cat, rows), evidence=np.take(self.evidence, rows),
            amount=np.take(self.amount, rows), ts=np.take(self.ts, rows), merchant=np.take(self.merchant, rows),
            bad_merchant=np.take(self.bad_merchant, rows),
            documents=None if self.documents is None else np.take(self.documents, rows))


_MERCHANT_HASH_SEED = 0x5E77


def _columns(*, transactions: pl.DataFrame, project_codes: np.ndarray, policy: SettlementPolicy) -> _Columns:
    """The numeric view of ``transactions`` (``project_codes``: each row's position among the ids, sorted)."""
    tx = transactions
    return _Columns(
        frame=tx, rows=None, p=project_codes,
        cat=tx["category"].to_physical().to_numpy(), evidence=tx["evidence"].to_physical().to_numpy(),
        amount=tx["amount"].to_numpy(), ts=tx["occurred_at"].to_physical().to_numpy(),
        merchant=tx["merchant_id"].hash(seed=_MERCHANT_HASH_SEED).to_numpy(),
        bad_merchant=_merchant_type_in(tx["merchant_type"], policy.ineligible_merchant_types),
        documents=tx["documents"].to_numpy() if "documents" in tx.columns else None,
    )


def _merchant_type_in(types: pl.Series, listed: Iterable[str]) -> np.ndarray:
    keys = pl.Series(sorted(set(listed)), dtype=pl.String)
    if isinstance(types.dtype, pl.Enum) and not types.null_count():  # each category looked up once
        listed_category = value_codes(values=pl.Series(types.dtype.categories, dtype=pl.String), keys=keys) >= 0
        return np.take(listed_category, types.to_physical().to_numpy())
    return value_codes(values=types, keys=keys) >= 0


def project_codes(*, transactions: pl.DataFrame, project_ids: pl.Series) -> np.ndarray:
    """Each transaction's position among ``project_ids`` in sorted order (int32); raises on an unknown project."""
    code = value_codes(values=transactions["project_id"], keys=project_ids.sort())
    if (code < 0).any():
        unknown = transactions["project_id"][int(np.argmax(code < 0))]
        raise LedgerError(f"transactions: project {unknown!r} is not in projects", code="unknown_project")
    return code


_LOOKUP_SEED = 0x10C4


def value_codes(*, values: pl.Series, keys: pl.Series) -> np.ndarray:
    """Position of each of ``values`` among ``keys`` (distinct text), -1 for a value not among them or empty.

    Values may be text or an Enum (a compact ledger's ``project_id`` and ``merchant_type``: each category is
    looked up once). Exact, and cheaper than a cast to an Enum of the keys: one 64-bit hash a value, a numpy
    table of the keys' hashes (16–32 slots a key; the values of a slot two keys share are found by binary
    search), and every hit confirmed on the text (a hash shared by two different texts sends the lookup to the
    cast). Values are looked up by slices of a million, so the working arrays stay small."""
    count = values.len()
    code = np.full(count, -1, dtype=np.int32 if keys.len() < 2**31 else np.int64)
    if count == 0 or keys.len() == 0:
        return code
    if isinstance(values.dtype, pl.Enum):  # each category looked up once, each row by its category's position
        physical = values.to_physical()
        if physical.null_count() == count:
            return code
        entry = value_codes(values=pl.Series(values.dtype.categories, dtype=pl.String), keys=keys)
        code = entry[physical.fill_null(0).to_numpy()].astype(code.dtype, copy=False)
        if physical.null_count():
            code[physical.is_null().to_numpy()] = -1
        return code
    texts = keys.cast(pl.String)
    key_hash = texts.hash(seed=_LOOKUP_SEED).to_numpy()
    bits = max(16, keys.len().bit_length() + 4)
    shift = np.uint64(64 - bits)
    slot = (key_hash >> shift).astype(np.int64)
    table = np.full(1 << bits, -1, dtype=np.int64)
    table[slot] = np.arange(keys.len())
    table[np.bincount(slot, minlength=1 << bits) > 1] = -2
    order = np.argsort(key_hash)
    for start in range(0, count, _CONFIRM_SLICE):
        part = values.slice(start, _CONFIRM_SLICE).cast(pl.String)
        value_hash = part.hash(seed=_LOOKUP_SEED).to_numpy()
        found = table[value_hash >> shift]
        shared = np.flatnonzero(found == -2)
        if shared.size:
            position = np.minimum(np.searchsorted(key_hash[order], value_hash[shared]), keys.len() - 1)
            found[shared] = np.where(key_hash[order][position] == value_hash[shared], order[position], -1)
        found[key_hash[found] != value_hash] = -1  # (-1, not found, reads the last key's hash: never this value's)
        if part.null_count():
            found[part.is_null().to_numpy()] = -1
        hit = found >= 0
        if hit.any() and not pl.select(
                (pl.lit(texts).gather(pl.Series(found[hit])) == pl.lit(part.filter(pl.Series(hit)))).all()).item():
            # two texts with one 64-bit hash: the cast decides
            exact = values.cast(pl.String).cast(pl.Enum(texts.to_list()), strict=False)
            return exact.to_physical().cast(pl.Int64).fill_null(-1).to_numpy().astype(code.dtype)
        code[start:start + found.size] = found
    return code


_CONFIRM_SLICE = 1 << 20


def _settle(*, ledger: Ledger, policy: SettlementPolicy) -> SettlementResult:
    projects = ledger.projects.sort("project_id")
    codes = ledger.project_codes if ledger.project_codes is not None else project_codes(
        transactions=ledger.transactions, project_ids=projects["project_id"])
    columns = _columns(transactions=ledger.transactions, project_codes=codes, policy=policy)
    return _settle_columns(columns=columns, projects=projects, budgets=ledger.budgets, equipment=ledger.equipment,
                           policy=policy)


def _settle_columns(
    *,
    columns: _Columns,
    projects: pl.DataFrame,
    budgets: pl.DataFrame,
    equipment: pl.DataFrame | None,
    policy: SettlementPolicy,
) -> SettlementResult:
    """The rules over ``columns`` (their ``p`` index ``projects``, sorted by id; ``budgets`` and ``equipment``
    may hold other projects' lines too)."""
    project_ids = projects["project_id"]
    project_count = projects.height
    count = columns.size
    txn_ids = columns.text("txn_id")
    merchants = columns.text("merchant_id")
    p = np.asarray(columns.p, dtype=np.int64)
    cat = columns.cat.astype(np.int64)
    evidence = columns.evidence
    amount = columns.amount
    ts = columns.ts
    day = _local_days(ts, columns.text("occurred_at"))
    positive = amount > 0

    threshold_by_cat = np.array([policy.exemption_for(c) for c in CATEGORIES], dtype=np.int64)
    documents_by_cat = np.array([policy.documents_exemption_for(c) for c in CATEGORIES], dtype=np.int64)
    grace_by_cat = np.array([policy.grace_days_for(c) for c in CATEGORIES], dtype=np.int64)
    holiday_cat = np.array([c in policy.holiday_review_categories for c in CATEGORIES], dtype=bool)
    start_day = projects["start_date"].to_physical().to_numpy().astype(np.int64)
    end_day = projects["end_date"].to_physical().to_numpy().astype(np.int64)
    if "stopped_on" in projects.columns:  # the period ends at the stop notice when that is earlier
        stopped_day = projects["stopped_on"].to_physical().to_numpy().astype(np.float64)
        end_day = np.where(np.isnan(stopped_day), end_day, np.minimum(end_day, np.nan_to_num(stopped_day)))
        end_day = end_day.astype(np.int64)
    self_settled = projects["self_settlement"].to_numpy().astype(bool)
    threshold = np.take(threshold_by_cat, cat)  # np.take: about half the cost of indexing for these lookups

    # Per-transaction ineligibility.
    out_of_period = positive & ((day < np.take(start_day, p)) | (day > np.take(end_day, p) + np.take(grace_by_cat, cat)))
    bad_merchant = positive & columns.bad_merchant
    no_evidence = evidence == _EVIDENCE_NONE
    missing = positive & no_evidence & (amount > threshold)
    documents_threshold = np.take(documents_by_cat, cat)
    if columns.documents is not None:
        no_documents = columns.documents == 0
        missing_documents = positive & no_documents & (amount > documents_threshold)
        documents_candidates = np.flatnonzero(positive & no_documents & (amount <= documents_threshold))
    else:
        missing_documents = np.zeros(count, dtype=bool)
        documents_candidates = np.zeros(0, dtype=np.int64)
    split = _split_purchases(
        rows=np.flatnonzero(positive & no_evidence & (amount <= threshold)),
        p=p, merchants=merchants, day=day, cat=cat, amount=amount, threshold=threshold,
        window_days=policy.split_window_days,
    )
    split |= _split_purchases(
        rows=documents_candidates, p=p, merchants=merchants, day=day, cat=cat, amount=amount,
        threshold=documents_threshold, window_days=policy.split_window_days,
    )
    ineligible_txn = out_of_period | bad_merchant | missing | missing_documents | split

    # Review flags.
    holiday = np.zeros(count, dtype=bool)
    holiday_rows = np.flatnonzero(positive & np.take(holiday_cat, cat))
    if holiday_rows.size:
        holiday_day = day[holiday_rows]
        weekend = (holiday_day + 3) % 7 >= 5  # 1970-01-01 was a Thursday; Monday = 0
        holiday[holiday_rows] = weekend | np.isin(holiday_day, _holiday_days(holiday_day))
    duplicate = _duplicates(
        p=p, amount=amount, ts=ts, positive=positive, merchant_hash=columns.merchant, merchants=merchants,
        txn_ids=txn_ids, window_minutes=policy.duplicate_window_minutes,
    )
    unplanned = _unplanned_equipment(columns=columns, equipment=equipment, project_ids=project_ids, p=p, cat=cat,
                                     amount=amount, positive=positive, policy=policy)

    # Budget runs: transactions no per-transaction rule made ineligible.
    at_risk = _over_budget(
        budgets=budgets,
        project_ids=project_ids,
        p=p,
        cat=cat,
        amount=amount,
        ts=ts,
        day=day,
        counted=~ineligible_txn,
        txn_ids=txn_ids,
        policy=policy,
    )
    review_txn = (duplicate | holiday | unplanned) & ~ineligible_txn & (at_risk == 0)
    flagged = ineligible_txn | duplicate | holiday | unplanned | (at_risk > 0)

    per_project = _per_project(
        project_count=project_count,
        p=p,
        cat=cat,
        amount=amount,
        ineligible_txn=ineligible_txn,
        at_risk=at_risk,
        review_txn=review_txn,
    )
    allowance_share = share_fraction(policy.allowance_share_of_personnel)
    other = projects["other_cash_funds"].to_numpy() if "other_cash_funds" in projects.columns else np.zeros(
        project_count, dtype=np.int64)
    permille = government_shares_permille(gov_funds=projects["gov_funds"].to_numpy(),
                                          cash_funds=projects["cash_funds"].to_numpy(), other_cash_funds=other)
    personnel, allowance = per_project["personnel"], per_project["allowance"]
    if _fits((personnel,), factor=allowance_share.numerator, bound=2**62) and _fits(
            (allowance, per_project["ineligible"]), factor=4, bound=2**62):
        cap = personnel * allowance_share.numerator // allowance_share.denominator
        allowance_excess = np.maximum(allowance - cap, 0)
    else:  # exact, one project at a time
        allowance_excess = np.array([max(spent - held * allowance_share.numerator // allowance_share.denominator, 0)
                                     for spent, held in zip(allowance.tolist(), personnel.tolist(), strict=True)],
                                    dtype=object)
    ineligible_total = per_project["ineligible"] + allowance_excess
    clawback = clawbacks_from_shares(ineligible=ineligible_total, government_share_permille=permille)
    # int64 as before (a figure beyond it raises, as it did when each was stored)
    allowance_excess, ineligible_total, permille, clawback = (
        array.astype(np.int64) for array in (allowance_excess, ineligible_total, permille, clawback))

    sampled_rows, sample_reason = _audit_sample(
        p=p,
        flagged=flagged,
        self_settled=self_settled,
        counts=per_project["n"],
        txn_ids=txn_ids,
        policy=policy,
    )
    sampled_count = np.bincount(p[sampled_rows], minlength=project_count).astype(np.int64)
    sampled_count = np.where(self_settled, sampled_count, per_project["n"])

    flags = _flag_frame(
        txn_ids=txn_ids,
        project_ids=project_ids,
        p=p,
        amount=amount,
        masks=(
            (OUT_OF_PERIOD, out_of_period),
            (INELIGIBLE_MERCHANT, bad_merchant),
            (MISSING_EVIDENCE, missing),
            (MISSING_DOCUMENTS, missing_documents),
            (SPLIT_PURCHASE, split),
            (UNPLANNED_EQUIPMENT, unplanned),
            (DUPLICATE, duplicate),
            (HOLIDAY_USE, holiday),
        ),
        at_risk=at_risk,
        allowance_excess=allowance_excess,
    )
    spent = per_project["spent"]
    summary = pl.DataFrame(
        {
            "project_id": project_ids,
            "spent": spent,
            "eligible": spent - ineligible_total,
            "ineligible": ineligible_total,
            "review": per_project["review"],
            "clawback": clawback,
            "sampled": sampled_count,
            "transactions": per_project["n"],
            "self_settlement": self_settled,
            "government_share_permille": permille,
        },
        schema_overrides={
            name: pl.Int64
            for name in ("spent", "eligible", "ineligible", "review", "clawback", "sampled", "transactions")
        },
    )
    sample = (
        pl.DataFrame(
            {"p": p[sampled_rows], "txn_id": txn_ids.gather(sampled_rows), "reason": sample_reason},
            schema={"p": pl.Int64, "txn_id": pl.String, "reason": pl.String},
        )
        .sort("p", "txn_id")
        .select(pl.lit(project_ids).gather(pl.col("p")).alias("project_id"), "txn_id", "reason")
    )

    checked = ~np.take(self_settled, p)
    checked[sampled_rows] = True
    needs_evidence = positive & (amount > threshold)
    totals = SettlementTotals(
        projects=project_count,
        transactions=count,
        spend=int(spent.sum()),
        checked_transactions=int(checked.sum()),
        checked_spend=int(amount[checked].sum()),
        sampled_spend=int(spent[self_settled].sum()),
        evidence_documents=int((checked & needs_evidence).sum()),
        evidence_exempt=int((positive & ~needs_evidence).sum()),
        flagged_transactions=int(flagged.sum()),
        flags=flags.height,
        ineligible=int(ineligible_total.sum()),
        clawback=int(clawback.sum()),
    )
    return SettlementResult(flags=flags, summary=summary, sample=sample, totals=totals)


def _split_purchases(
    *,
    rows: np.ndarray,
    p: np.ndarray,
    merchants: _Text,
    day: np.ndarray,
    cat: np.ndarray,
    amount: np.ndarray,
    threshold: np.ndarray,
    window_days: int,
) -> np.ndarray:
    """SPLIT_PURCHASE among ``rows`` (the qualifying transactions of one test): per project, merchant and
    category, in date order, a row joins the previous one's group when their local dates differ by less than
    ``window_days``; a group of two or more summing above its threshold flags every member."""
    split = np.zeros(p.size, dtype=bool)
    if rows.size < 2:
        return split
    frame = pl.DataFrame(
        {
            "row": rows,
            "p": p[rows],
            "merchant": merchants.gather(rows),
            "cat": cat[rows],
            "day": day[rows],
            "amount": amount[rows],
            "threshold": threshold[rows],
        }
    ).sort("p", "merchant", "cat", "day")
    same_key = (
        (pl.col("p") == pl.col("p").shift())
        & (pl.col("merchant") == pl.col("merchant").shift())
        & (pl.col("cat") == pl.col("cat").shift())
    )
    chained = same_key & ((pl.col("day") - pl.col("day").shift()) < window_days)
    groups = (
        frame.with_columns(group=(~chained.fill_null(False)).cum_sum())
        .group_by("group")
        .agg(pl.col("row"), n=pl.len(), total=pl.col("amount").sum(), threshold=pl.col("threshold").first())
        .filter((pl.col("n") >= 2) & (pl.col("total") > pl.col("threshold")))
    )
    split[groups["row"].explode().to_numpy()] = True
    return split


def _unplanned_equipment(
    *,
    columns: _Columns,
    equipment: pl.DataFrame | None,
    project_ids: pl.Series,
    p: np.ndarray,
    cat: np.ndarray,
    amount: np.ndarray,
    positive: np.ndarray,
    policy: SettlementPolicy,
) -> np.ndarray:
    """UNPLANNED_EQUIPMENT: equipment of at least the threshold whose item is empty or not planned."""
    unplanned = np.zeros(p.size, dtype=bool)
    if policy.equipment_plan_threshold is None:
        return unplanned
    rows = np.flatnonzero(positive & (cat == _CAT["equipment"]) & (amount >= policy.equipment_plan_threshold))
    if rows.size == 0:
        return unplanned
    items = columns.text("equipment_item").gather(rows) if "equipment_item" in columns.frame.columns else pl.Series(
        [None] * rows.size, dtype=pl.String)
    bought = pl.DataFrame({"row": rows, "project_id": project_ids.gather(p[rows]), "item": items})
    planned = (equipment.select("project_id", pl.col("equipment_item").alias("item"), planned=pl.lit(True))
               .unique(["project_id", "item"]) if equipment is not None
               else pl.DataFrame(schema={"project_id": pl.String, "item": pl.String, "planned": pl.Boolean}))
    judged = bought.join(planned, on=["project_id", "item"], how="left")
    not_planned = judged.filter((pl.col("item").fill_null("") == "") | pl.col("planned").is_null())
    unplanned[not_planned["row"].to_numpy()] = True
    return unplanned


def _duplicates(
    *,
    p: np.ndarray,
    amount: np.ndarray,
    ts: np.ndarray,
    positive: np.ndarray,
    merchant_hash: np.ndarray,
    merchants: _Text,
    txn_ids: _Text,
    window_minutes: int,
) -> np.ndarray:
    """DUPLICATE: same project, merchant and amount as the previous such transaction, ≤ window."""
    count = p.size
    duplicate = np.zeros(count, dtype=bool)
    rows = np.flatnonzero(positive)
    if rows.size < 2:
        return duplicate

    def group_key(selected: np.ndarray) -> np.ndarray:
        # Only groups candidates (every match is verified below), so a cheap mix will do.
        mixed = p[selected].view(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        mixed ^= merchant_hash[selected]
        mixed ^= amount[selected].view(np.uint64) * np.uint64(0xC2B2AE3D27D4EB4F)
        mixed *= np.uint64(0xFF51AFD7ED558CCD)
        return mixed

    keys = group_key(rows)  # mixed once; the candidates' keys and the sorted keys are taken from it
    repeated = _repeated(keys)
    rows, keys = rows[repeated], keys[repeated]
    if rows.size < 2:
        return duplicate
    key_of_row = np.zeros(count, dtype=np.uint64)
    key_of_row[rows] = keys
    ordered = _sorted_rows(
        rows=rows,
        keys=[keys.view(np.int64), ts[rows]],
        txn_ids=txn_ids,
        packable=False,
    )
    # The mixed key only groups candidates; the previous row must match on the real values.
    # Two merchants of one project with the same 64-bit hash fall back to exact strings.
    ordered_p, ordered_amount, ordered_hash = p[ordered], amount[ordered], merchant_hash[ordered]
    same = (ordered_p[1:] == ordered_p[:-1]) & (ordered_amount[1:] == ordered_amount[:-1])
    same &= ordered_hash[1:] == ordered_hash[:-1]
    ordered_key = key_of_row[ordered]
    names = merchants.gather(ordered)
    name_same = (names.slice(1) == names.slice(0, names.len() - 1)).to_numpy()
    key_collision = (ordered_key[1:] == ordered_key[:-1]) & ~same
    if (same & ~name_same).any() or key_collision.any():
        return _duplicates_exact(
            p=p, amount=amount, ts=ts, positive=positive, merchants=merchants, txn_ids=txn_ids,
            window_minutes=window_minutes,
        )
    within = (ts[ordered][1:] - ts[ordered][:-1]) <= window_minutes * _US_PER_MINUTE
    duplicate[ordered[1:][same & within]] = True
    return duplicate


def _repeated(keys: np.ndarray) -> np.ndarray:
    """Mask of the keys that occur more than once (sort, then a small filter table)."""
    ordered = np.sort(keys)
    values = np.unique(ordered[1:][ordered[1:] == ordered[:-1]])
    if values.size == 0:
        return np.zeros(keys.size, dtype=bool)
    bits = int(min(max(values.size * 16, 1 << 16), 1 << 26)).bit_length()
    shift = np.uint64(64 - bits)
    table = np.zeros(1 << bits, dtype=bool)
    table[values >> shift] = True
    maybe = np.flatnonzero(table[keys >> shift])
    mask = np.zeros(keys.size, dtype=bool)
    mask[maybe[np.isin(keys[maybe], values, assume_unique=False)]] = True
    return mask


def _duplicates_exact(
    *,
    p: np.ndarray,
    amount: np.ndarray,
    ts: np.ndarray,
    positive: np.ndarray,
    merchants: _Text,
    txn_ids: _Text,
    window_minutes: int,
) -> np.ndarray:
    rows = np.flatnonzero(positive)
    merchant_code = merchants.gather(rows).rank("dense").to_numpy().astype(np.int64)
    code = np.zeros(p.size, dtype=np.int64)
    code[rows] = merchant_code
    ordered = _sorted_rows(
        rows=rows, keys=[p[rows], code[rows], amount[rows], ts[rows]], txn_ids=txn_ids, packable=False
    )
    same = (p[ordered][1:] == p[ordered][:-1]) & (code[ordered][1:] == code[ordered][:-1])
    same &= amount[ordered][1:] == amount[ordered][:-1]
    within = (ts[ordered][1:] - ts[ordered][:-1]) <= window_minutes * _US_PER_MINUTE
    duplicate = np.zeros(p.size, dtype=bool)
    duplicate[ordered[1:][same & within]] = True
    return duplicate


def _over_budget(
    *,
    budgets: pl.DataFrame,
    project_ids: pl.Series,
    p: np.ndarray,
    cat: np.ndarray,
    amount: np.ndarray,
    ts: np.ndarray,
    day: np.ndarray,
    counted: np.ndarray,
    txn_ids: pl.Series | _Text,
    policy: SettlementPolicy,
) -> np.ndarray:
    """Amount at risk of OVER_BUDGET per transaction (0 when not flagged)."""
    if "valid_from" in budgets.columns and budgets["valid_from"].n_unique() > 1:
        return _over_budget_versioned(budgets=budgets, project_ids=project_ids, p=p, cat=cat, amount=amount, ts=ts,
                                      day=day, counted=counted, txn_ids=txn_ids, policy=policy)
    count = p.size
    at_risk = np.zeros(count, dtype=np.int64)
    category_count = len(CATEGORIES)
    group_count = project_ids.len() * category_count
    limits = np.zeros(group_count, dtype=np.int64)
    if budgets.height:
        budget_project = _codes_in(budgets["project_id"], project_ids)
        known = budget_project >= 0  # lines of projects outside this run are not its
        budget_project = budget_project[known]
        budget_cat = budgets["category"].to_physical().to_numpy().astype(np.int64)[known]
        limits[budget_project * category_count + budget_cat] = budget_limits(
            approved=budgets["approved"].to_numpy()[known], transfer_share=policy.budget_transfer_share)
    group = p * category_count + cat
    spend_rows = np.flatnonzero(counted & (amount > 0))
    if spend_rows.size == 0:
        return at_risk
    # The running total can only pass the limit in groups whose positive spend exceeds it.
    spend = amount[spend_rows]
    (positive_spend,) = _group_sums(
        group[spend_rows], [spend], size=group_count, bound=float(spend.sum(dtype=np.float64))
    )
    exceeding = np.flatnonzero(positive_spend > limits)
    if exceeding.size == 0:
        return at_risk
    in_exceeding = np.zeros(group_count, dtype=bool)
    in_exceeding[exceeding] = True
    rows = np.flatnonzero(counted & np.take(in_exceeding, group))
    ordered = _sorted_rows(rows=rows, keys=[group[rows], ts[rows]], txn_ids=txn_ids)
    ordered_group = group[ordered]
    ordered_amount = amount[ordered]
    running = np.cumsum(ordered_amount)
    starts = _group_starts(ordered_group)
    running = running - running[starts] + ordered_amount[starts]
    limit = limits[ordered_group]
    over = (ordered_amount > 0) & (running > limit)
    at_risk[ordered[over]] = np.minimum(ordered_amount[over], running[over] - limit[over])
    return at_risk


def _over_budget_versioned(
    *,
    budgets: pl.DataFrame,
    project_ids: pl.Series,
    p: np.ndarray,
    cat: np.ndarray,
    amount: np.ndarray,
    ts: np.ndarray,
    day: np.ndarray,
    counted: np.ndarray,
    txn_ids: pl.Series | _Text,
    policy: SettlementPolicy,
) -> np.ndarray:
    """OVER_BUDGET when budgets have versions: the limit of each transaction is its date's version's."""
    at_risk = np.zeros(p.size, dtype=np.int64)
    category_count = len(CATEGORIES)
    budgets = budgets.filter(pl.Series(_codes_in(budgets["project_id"], project_ids) >= 0))
    budget_project = _codes_in(budgets["project_id"], project_ids)
    budget_day = budgets["valid_from"].to_physical().to_numpy().astype(np.int64)
    budget_cat = budgets["category"].to_physical().to_numpy().astype(np.int64)
    # the versions: distinct (project, valid_from), in order; a version's code indexes its limits
    span = 1 << 32
    version_key = np.unique(budget_project * span + budget_day)
    limits = np.zeros(version_key.size * category_count, dtype=object)
    version_of_line = np.searchsorted(version_key, budget_project * span + budget_day)
    line_limits = budget_limits(approved=np.array(budgets["approved"].to_list(), dtype=object),
                                transfer_share=policy.budget_transfer_share)
    for version, category, limit in zip(version_of_line.tolist(), budget_cat.tolist(), line_limits.tolist(),
                                        strict=True):
        limits[version * category_count + category] = limit
    rows = np.flatnonzero(counted)
    if rows.size == 0:
        return at_risk
    # each transaction's version: the latest of its project on or before its local day, else the first
    row_key = p[rows] * span + day[rows]
    version = np.searchsorted(version_key, row_key, side="right") - 1
    first = np.searchsorted(version_key, p[rows] * span)  # the project's first version (dates after 1970)
    version = np.where(version < first, first, version)
    has_budget = (first < version_key.size) & (version_key[np.minimum(first, version_key.size - 1)] // span == p[rows])
    group = p[rows] * category_count + cat[rows]
    ordered_idx = _sorted_rows(rows=np.arange(rows.size), keys=[group, ts[rows]], txn_ids=txn_ids.gather(rows))
    ordered = rows[ordered_idx]
    ordered_group = group[ordered_idx]
    ordered_amount = amount[ordered]
    running = np.cumsum(ordered_amount)
    starts = _group_starts(ordered_group)
    running = running - running[starts] + ordered_amount[starts]
    limit = np.array([int(limits[v * category_count + c]) if ok else 0 for v, c, ok in zip(
        version[ordered_idx].tolist(), cat[ordered].tolist(), has_budget[ordered_idx].tolist(), strict=True)],
        dtype=object)
    over_amount = running.astype(object) - limit
    over = (ordered_amount > 0) & np.array([x > 0 for x in over_amount.tolist()], dtype=bool)
    at_risk[ordered[over]] = np.minimum(ordered_amount[over], over_amount[over].astype(np.int64))
    return at_risk


def _codes_in(values: pl.Series, project_ids: pl.Series) -> np.ndarray:
    """Position of each value among ``project_ids`` (sorted), -1 for a value not among them."""
    return value_codes(values=values, keys=project_ids).astype(np.int64)


def _group_sums(
    group: np.ndarray, values: Sequence[np.ndarray], *, size: int, bound: float
) -> list[np.ndarray]:
    """Exact integer sums of each ``values`` array per ``group`` code (0 ≤ code < size).

    ``np.bincount`` adds in float64, which is exact while every partial sum stays below 2**53
    in magnitude; that holds when ``bound`` (≥ the sum of absolute values of every array, in
    float, kept under 2**52 for margin) does. Otherwise a Polars group-by adds in int64.
    """
    if not values or group.size == 0:
        return [np.zeros(size, dtype=np.int64) for _ in values]
    if bound < 2.0**52:
        return [np.bincount(group, weights=value, minlength=size).astype(np.int64) for value in values]
    frame = pl.DataFrame({"g": group, **{f"v{i}": value for i, value in enumerate(values)}})
    grouped = frame.group_by("g").agg(pl.col(f"v{i}").sum() for i in range(len(values)))
    codes = grouped["g"].to_numpy()
    sums = []
    for i in range(len(values)):
        total = np.zeros(size, dtype=np.int64)
        total[codes] = grouped[f"v{i}"].to_numpy()
        sums.append(total)
    return sums


def _per_project(
    *,
    project_count: int,
    p: np.ndarray,
    cat: np.ndarray,
    amount: np.ndarray,
    ineligible_txn: np.ndarray,
    at_risk: np.ndarray,
    review_txn: np.ndarray,
) -> dict[str, np.ndarray]:
    # Each sum but ``spent`` adds only the rows it can be non-zero on (flagged ones, one category's), not
    # a where() over every row; integer sums, so the result is the same.
    bound = float(np.abs(amount).sum(dtype=np.float64))

    def sums(rows: np.ndarray, values: np.ndarray) -> np.ndarray:
        return _group_sums(p[rows], [values], size=project_count, bound=bound)[0]

    risky = np.flatnonzero(ineligible_txn | (at_risk != 0))
    reviewed = np.flatnonzero(review_txn)
    allowance = np.flatnonzero((cat == _CAT["allowance"]) & ~ineligible_txn)
    personnel = np.flatnonzero(((cat == _CAT["personnel"]) | (cat == _CAT["student_personnel"])) & ~ineligible_txn)
    return {
        "spent": _group_sums(p, [amount], size=project_count, bound=bound)[0],
        "ineligible": sums(risky, np.where(ineligible_txn[risky], amount[risky], at_risk[risky])),
        "review": sums(reviewed, amount[reviewed]),
        "allowance": sums(allowance, amount[allowance] - at_risk[allowance]),
        "personnel": sums(personnel, amount[personnel] - at_risk[personnel]),
        "n": np.bincount(p, minlength=project_count).astype(np.int64),
    }


def _audit_sample(
    *,
    p: np.ndarray,
    flagged: np.ndarray,
    self_settled: np.ndarray,
    counts: np.ndarray,
    txn_ids: pl.Series | _Text,
    policy: SettlementPolicy,
) -> tuple[np.ndarray, list[str]]:
    """Rows of the audit sample of self-settlement projects, with the reason of each."""
    in_self = np.take(self_settled, p)
    flagged_rows = np.flatnonzero(in_self & flagged)
    candidates = np.flatnonzero(in_self & ~flagged)
    share = share_fraction(policy.audit_sample_share)
    wanted = (counts * share.numerator + share.denominator - 1) // share.denominator
    chosen = np.zeros(0, dtype=np.int64)
    if candidates.size:
        rank = audit_rank(txn_ids=txn_ids.gather(candidates), seed=policy.seed)
        ordered = _sorted_rows(rows=candidates, keys=[p[candidates], rank], txn_ids=txn_ids)
        group = p[ordered]
        position = np.arange(ordered.size) - _group_starts(group)
        chosen = ordered[position < wanted[group]]
    rows = np.concatenate([flagged_rows, chosen])
    reasons = ["flagged"] * flagged_rows.size + ["random"] * chosen.size
    return rows, reasons


def _flag_frame(
    *,
    txn_ids: pl.Series | _Text,
    project_ids: pl.Series,
    p: np.ndarray,
    amount: np.ndarray,
    masks: Sequence[tuple[str, np.ndarray]],
    at_risk: np.ndarray,
    allowance_excess: np.ndarray,
) -> pl.DataFrame:
    # One frame of the flagged rows only, built from numpy arrays: each flag as its code in alphabetical
    # order (as the flag enum sorts), names, severities and ids gathered once after the sort.
    names = sorted(FLAGS)
    flag_code = {flag: index for index, flag in enumerate(names)}
    rows_parts, code_parts, risk_parts = [], [], []
    for flag, mask in (*masks, (OVER_BUDGET, at_risk > 0)):
        rows = np.flatnonzero(mask)
        rows_parts.append(rows)
        code_parts.append(np.full(rows.size, flag_code[flag], dtype=np.uint32))
        risk_parts.append(at_risk[rows] if flag == OVER_BUDGET else amount[rows])
    rows = np.concatenate(rows_parts)
    capped = np.flatnonzero(allowance_excess > 0)
    frame = pl.DataFrame(
        {
            "p": np.concatenate([p[rows], capped]),
            "txn_id": pl.concat([txn_ids.gather(rows), pl.repeat("", capped.size, eager=True, dtype=pl.String)]),
            "code": np.concatenate([*code_parts, np.full(capped.size, flag_code[ALLOWANCE_CAP], dtype=np.uint32)]),
            "amount_at_risk": np.concatenate([*risk_parts, allowance_excess[capped]]),
        },
        schema={"p": pl.Int64, "txn_id": pl.String, "code": pl.UInt32, "amount_at_risk": pl.Int64},
    ).sort("p", "txn_id", "code")
    return frame.select(
        "txn_id",
        pl.lit(project_ids).gather(pl.col("p")).alias("project_id"),
        pl.lit(pl.Series(names, dtype=pl.String)).gather(pl.col("code")).alias("flag"),
        pl.lit(pl.Series([SEVERITY[flag] for flag in names], dtype=pl.String)).gather(pl.col("code"))
        .alias("severity"),
        "amount_at_risk",
    )
