"""Settlement of a ledger larger than memory: read and settled project range by project range.

Every settlement rule, cap, sample and clawback is per project (see :mod:`doyak.engine.settlement`), so
settling the projects in consecutive ranges of ``project_id`` and putting the pieces side by side gives
exactly the result of one run over the whole ledger: flags, summary and sample are ordered by project
first, so the pieces concatenate in order, and every total is a sum.

The projects and budget files are read whole (a national ledger has a few hundred thousand projects);
the transactions file, Parquet, is read one range at a time with a predicate on ``project_id``. Polars
skips the row groups whose ``project_id`` statistics lie outside the range, so a file sorted by project
(as the bench writes it, and as an export ordered by project gives) is read once, each range a contiguous
stretch of row groups. An unsorted file gives the same result, reading more.

Input is checked as :func:`~doyak.engine.ledger_io.ledger_read` checks it, one range at a time, with the
file's own row numbers in every message; a ``txn_id`` repeated in two ranges is found after the last range
from 64-bit hashes kept along the way (8 bytes a row), and only rows whose hash repeats are read again.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow.parquet as pq

from doyak.engine.ledger_io import (
    TRANSACTION_COLUMNS,
    TRANSACTION_OPTIONAL_COLUMNS,
    LedgerFileError,
    _Checks,
    _first_duplicate,
    _unknown_projects,
    budgets_read,
    parquet_columns,
    projects_read,
    transactions_read,
)
from doyak.engine.settlement import (
    Ledger,
    SettlementResult,
    SettlementTotals,
    _codes_in,
    _columns,
    _settle_columns,
    ledger_settle,
    ledger_with_project_codes,
    project_codes,
    value_codes,
)
from doyak.engine.settlement_policy import SettlementPolicy

# Transactions settled at once: the engine's working arrays for a part this size take about 150 MiB, and
# ten ranges cost no more time than one run (measured on the bench's 10M ledger: 5.2 s CPU against 6.6 s).
ROWS_PER_PART = 1_000_000
# Transactions of a ledger already in memory settled at once (:func:`ledger_settle_ranges`): half a part, so the
# two workers' arrays take about 0.1 GiB less at the peak, in no more time (the bench's 10M ledger: peak 1.18-1.22
# -> 1.07-1.12 GiB, CPU 7.7 -> 6.7-7.5 s; a range's sorts fit the caches better). 250,000 saved 0.03 GiB more and
# cost CPU.
RANGE_ROWS = 500_000
_ROW = "__file_row"
_HASH_SEED = 11


@dataclass(frozen=True)
class ProjectRange:
    """Projects ``first`` ≤ id < ``until`` (string order); ``None`` leaves that side open, so the ranges
    of :func:`project_ranges` cover every possible id, including ids no project has (reported as
    unknown) and empty ones (in the first range)."""

    first: str | None
    until: str | None

    def predicate(self, column: pl.Expr | None = None) -> pl.Expr:
        column = pl.col("project_id") if column is None else column
        condition = pl.lit(True)
        if self.first is not None:
            condition = condition & (column >= self.first)
        if self.until is not None:
            condition = condition & (column < self.until)
        return (condition | column.is_null()) if self.first is None else condition


def project_ranges(*, project_ids: pl.Series, parts: int) -> list[ProjectRange]:
    """``parts`` consecutive ranges of about as many projects each, in order, covering every id."""
    ordered = project_ids.sort()
    count = max(1, min(parts, ordered.len()))
    step = math.ceil(ordered.len() / count) if ordered.len() else 1
    cuts = [ordered[index] for index in range(step, ordered.len(), step)]
    bounds: list[str | None] = [None, *cuts, None]
    return [ProjectRange(first=bounds[i], until=bounds[i + 1]) for i in range(len(bounds) - 1)]


def parquet_rows(path: Path) -> int:
    try:
        return pq.ParquetFile(path).metadata.num_rows
    except (OSError, ValueError) as error:  # pyarrow's ArrowInvalid is a ValueError
        raise LedgerFileError(f"{path}: not a readable file ({error})", path=str(path)) from None


def ledger_parts_settle(
    *,
    transactions_path: Path,
    projects_path: Path,
    budgets_path: Path,
    policy: SettlementPolicy,
    rows_per_part: int = ROWS_PER_PART,
    workers: int = 2,
) -> Iterator[SettlementResult]:
    """The settlement of each project range in order (see the module docstring); together they are
    :func:`ledger_settle` of the whole ledger. The file-wide ``txn_id`` check runs after the last range,
    so a caller that keeps what the parts said must discard it when this raises. ``workers`` ranges are
    read and settled at once (each costs the memory of one part); the results come in order all the same."""
    if transactions_path.suffix.lower() not in (".parquet", ".pq"):
        raise LedgerFileError(
            f"{transactions_path}: streaming reads Parquet; use .parquet", path=str(transactions_path),
            code="unsupported_file")
    projects = projects_read(path=projects_path)
    budgets = budgets_read(path=budgets_path)
    _unknown_projects(path=budgets_path, values=budgets["project_id"], known=projects["project_id"],
                      projects_path=projects_path)
    columns = parquet_columns(path=transactions_path, required=TRANSACTION_COLUMNS,
                              optional=TRANSACTION_OPTIONAL_COLUMNS)
    total_rows = parquet_rows(transactions_path)
    ranges = project_ranges(project_ids=projects["project_id"], parts=math.ceil(total_rows / max(1, rows_per_part)))
    hashes: list[np.ndarray] = []
    seen_rows = 0

    def settle(project_range: ProjectRange) -> tuple[SettlementResult, np.ndarray]:
        part = _part_read(path=transactions_path, columns=columns, project_range=project_range)
        rows = part[_ROW].to_numpy()
        transactions = transactions_read(path=transactions_path, part=part.drop(_ROW), rows=rows)
        del part
        in_range = projects.filter(project_range.predicate())
        codes = value_codes(values=transactions["project_id"], keys=in_range["project_id"].sort())
        if (codes < 0).any():
            _unknown_projects(path=transactions_path, values=transactions["project_id"],
                              known=in_range["project_id"], projects_path=projects_path, rows=rows)
        ledger = Ledger(transactions=transactions, projects=in_range,
                        budgets=budgets.filter(project_range.predicate()))
        if (codes >= 0).all():  # the lookup is the engine's: it is not done twice
            ledger = ledger_with_project_codes(ledger, codes.astype(np.int32))
        return ledger_settle(ledger=ledger, policy=policy), transactions["txn_id"].hash(seed=_HASH_SEED).to_numpy()

    # ``workers`` ranges in flight at once, on threads: Polars and numpy's large kernels release the GIL.
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="doyak-settle") as pool:
        pending = deque(pool.submit(settle, r) for r in ranges[:workers])
        following = iter(ranges[workers:])
        while pending:
            result, part_hashes = pending.popleft().result()
            next_range = next(following, None)
            if next_range is not None:
                pending.append(pool.submit(settle, next_range))
            seen_rows += part_hashes.size
            hashes.append(part_hashes)
            yield result
    if seen_rows != total_rows:  # the ranges cover every id, so this would be a reader fault
        raise LedgerFileError(f"{transactions_path}: read {seen_rows} of {total_rows} rows",
                              path=str(transactions_path))
    _txn_ids_unique(path=transactions_path, hashes=hashes)


def results_merge(parts: Sequence[SettlementResult]) -> SettlementResult:
    """Side by side, in order, the results of consecutive project ranges."""
    if not parts:
        raise ValueError("no parts to merge")
    totals = {field.name: sum(getattr(part.totals, field.name) for part in parts)
              for field in fields(SettlementTotals)}
    return SettlementResult(
        flags=pl.concat([part.flags for part in parts], rechunk=False),
        summary=pl.concat([part.summary for part in parts], rechunk=False),
        sample=pl.concat([part.sample for part in parts], rechunk=False),
        totals=SettlementTotals(**totals),
    )


def ledger_settle_ranges(
    *, ledger: Ledger, policy: SettlementPolicy, rows_per_part: int = RANGE_ROWS, workers: int = 2
) -> SettlementResult:
    """:func:`~doyak.engine.settlement.ledger_settle` of a ledger already in memory, settled range of
    projects by range: the same result, with the engine's working arrays the size of one range instead of
    the whole ledger (the in-memory path's peak memory is mostly those arrays). ``workers`` ranges are
    settled at once, on threads (numpy's and Polars' large kernels release the GIL)."""
    tx = ledger.transactions
    if tx.height <= rows_per_part:
        return ledger_settle(ledger=ledger, policy=policy)
    projects = ledger.projects.sort("project_id")
    ids = projects["project_id"]
    step = math.ceil(ids.len() / math.ceil(tx.height / rows_per_part))
    # the position of each row's project in id order, found once (by the reader when it could): in a range of
    # ids the position less the range's first is the engine's own project code
    code = ledger.project_codes if ledger.project_codes is not None else project_codes(
        transactions=tx, project_ids=ids)
    # the numbers of every row, taken once; each range gathers its rows' numbers and no text
    columns = _columns(transactions=tx, project_codes=code, policy=policy)
    # each row's range, found once; a range's rows are found by its worker, in the ledger's order (a scan of a byte
    # a row each, on both threads, instead of one sort of every row before the first range could start)
    part_of = code // step
    part_of = part_of.astype(np.uint8) if int(part_of.max(initial=0)) < 256 else part_of
    budget_code = _codes_in(ledger.budgets["project_id"], ids)

    def settle(index: int) -> SettlementResult:
        first = index * step
        in_range = (budget_code >= first) & (budget_code < first + step)
        return _settle_columns(
            columns=columns.take(np.flatnonzero(part_of == index), first_project=first),
            projects=projects.slice(first, step), budgets=ledger.budgets.filter(pl.Series(in_range)),
            equipment=ledger.equipment, policy=policy)

    ranges = range(math.ceil(ids.len() / step))
    if workers <= 1:
        return results_merge([settle(index) for index in ranges])
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="doyak-settle") as pool:
        return results_merge(list(pool.map(settle, ranges)))


def ledger_settle_stream(
    *,
    transactions_path: Path,
    projects_path: Path,
    budgets_path: Path,
    policy: SettlementPolicy,
    rows_per_part: int = ROWS_PER_PART,
    workers: int = 1,
) -> SettlementResult:
    """:func:`ledger_parts_settle`, merged: equal to ``ledger_settle(ledger=ledger_read(...))``."""
    return results_merge(list(ledger_parts_settle(
        transactions_path=transactions_path, projects_path=projects_path, budgets_path=budgets_path,
        policy=policy, rows_per_part=rows_per_part, workers=workers)))


def _part_read(*, path: Path, columns: Sequence[str], project_range: ProjectRange) -> pl.DataFrame:
    try:
        scan = pl.scan_parquet(path, row_index_name=_ROW)
        project = scan.collect_schema()["project_id"]
        if isinstance(project, pl.Categorical | pl.Enum):
            condition = project_range.predicate(pl.col("project_id").cast(pl.String))
        elif project != pl.String:  # a type the checks refuse: the first range has every row, so they see it
            condition = pl.lit(project_range.first is None)
        else:
            condition = project_range.predicate()
        return scan.filter(condition).select(_ROW, *columns).collect()
    except (OSError, pl.exceptions.PolarsError) as error:
        raise LedgerFileError(f"{path}: not a readable file ({error})", path=str(path)) from None


def _txn_ids_unique(*, path: Path, hashes: list[np.ndarray]) -> None:
    """Raise the first repeated ``txn_id`` of the file, as :func:`transactions_read` names it."""
    everything = np.concatenate(hashes) if hashes else np.zeros(0, dtype=np.uint64)
    hashes.clear()
    everything.sort()
    repeats = np.unique(everything[1:][everything[1:] == everything[:-1]])
    del everything
    if repeats.size == 0:
        return
    candidates = (
        pl.scan_parquet(path, row_index_name=_ROW)
        .select(_ROW, pl.col("txn_id").cast(pl.String))
        .filter(pl.col("txn_id").hash(seed=_HASH_SEED).is_in(pl.Series(repeats).implode()))
        .collect()
    )
    checks = _Checks(str(path), rows=candidates[_ROW].to_numpy())
    _first_duplicate(checks, "txn_id", candidates["txn_id"], "txn_id")
    checks.raise_first()


__all__ = [
    "RANGE_ROWS",
    "ROWS_PER_PART",
    "ProjectRange",
    "ledger_parts_settle",
    "ledger_settle_ranges",
    "ledger_settle_stream",
    "parquet_rows",
    "project_ranges",
    "results_merge",
]
