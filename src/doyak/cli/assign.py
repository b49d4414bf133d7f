"""``doyak assign``: assign evaluators to proposals from files (no database, no Django).

    doyak assign --affinity A.csv --per-proposal K --max-load L [--min-load M]
                 [--conflicts C.csv] [--econ-experts X.csv --min-econ N]
                 [--objective total|fair] --out OUT.csv [--quiet]

A (CSV or Parquet, by extension): ``proposal_id,evaluator_id,score`` (score in [0, 1]; a pair
not listed is not a candidate). C: ``proposal_id,evaluator_id[,reason]`` (forbidden even when
listed in A). X: ``evaluator_id`` (economic/market experts). OUT: ``proposal_id,evaluator_id,
score``, exactly K rows per proposal. Rows in messages are 1-based data rows (the header is
not counted). Exit 0 on success, 2 on malformed or infeasible input; on failure OUT is not
written (an existing file is left untouched): the result goes to a temporary file in the same
directory and is renamed at the end.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from doyak.engine.assignment import AssignmentInfeasible, Candidates, evaluators_assign
from doyak.engine.errors import EngineError

EXIT_INPUT = 2


class InputFileError(EngineError):
    """A file the command reads is missing or malformed; the message names file, row and column."""

    code = "input_file_invalid"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 as well; keep its message
        self.print_usage(sys.stderr)
        raise InputFileError(f"doyak assign: {message}")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="doyak assign", description="Assign evaluators to proposals (max affinity).")
    p.add_argument(
        "--affinity", required=True, type=Path, help="proposal_id,evaluator_id,score (CSV/Parquet)"
    )
    p.add_argument("--per-proposal", required=True, type=int, help="evaluators per proposal (K)")
    p.add_argument("--max-load", required=True, type=int, help="most proposals per evaluator")
    p.add_argument("--min-load", type=int, default=0, help="fewest proposals per evaluator (default 0)")
    p.add_argument("--conflicts", type=Path, help="proposal_id,evaluator_id[,reason] pairs to forbid")
    p.add_argument("--econ-experts", type=Path, help="evaluator_id of economic/market experts")
    p.add_argument(
        "--min-econ", type=int, help="economic/market experts needed per panel (with --econ-experts)"
    )
    p.add_argument("--objective", choices=("total", "fair"), default="total")
    p.add_argument("--out", required=True, type=Path, help="output CSV")
    p.add_argument("--quiet", action="store_true", help="print nothing on success")
    return p


def _read_table(path: Path, *, columns: tuple[str, ...], optional: tuple[str, ...] = ()) -> pa.Table:
    """Read a CSV or Parquet file with every wanted column as text (types are checked later)."""
    if not path.is_file():
        raise InputFileError(f"{path}: no such file")
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            table = pq.read_table(path)
        elif suffix in (".csv", ".txt"):
            from pyarrow import csv

            wanted = (*columns, *optional)
            table = csv.read_csv(
                path,
                convert_options=csv.ConvertOptions(
                    column_types={n: pa.string() for n in wanted},
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
        else:
            raise InputFileError(f"{path}: unknown file type {suffix!r} (use .csv or .parquet)")
    except (pa.ArrowInvalid, OSError, UnicodeDecodeError) as exc:
        raise InputFileError(f"{path}: cannot be read: {exc}") from exc
    missing = [c for c in columns if c not in table.column_names]
    if missing:
        raise InputFileError(
            f"{path}: missing column {', '.join(repr(c) for c in missing)} "
            f"(found: {', '.join(table.column_names) or 'none'})"
        )
    keep = [c for c in (*columns, *optional) if c in table.column_names]
    return table.select(keep)


def _id_column(table: pa.Table, name: str, path: Path) -> pa.ChunkedArray:
    col = table.column(name)
    if not pa.types.is_string(col.type) and not pa.types.is_large_string(col.type):
        if pa.types.is_integer(col.type):
            col = pc.cast(col, pa.string())
        else:
            raise InputFileError(f"{path}: column {name!r} must hold text ids, found {col.type}")
    col = pc.utf8_trim_whitespace(col)
    empty = pc.or_kleene(pc.is_null(col), pc.equal(col, ""))
    if pc.any(empty).as_py():
        row = int(np.flatnonzero(empty.to_numpy(zero_copy_only=False))[0]) + 1
        raise InputFileError(f"{path}: row {row}, column {name!r}: empty id")
    return col


def _score_column(table: pa.Table, path: Path) -> np.ndarray:
    col = table.column("score")
    if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
        text = pc.utf8_trim_whitespace(col)
        try:
            values = pc.cast(text, pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            import polars as pl

            series = pl.Series(text.to_pylist(), dtype=pl.String)
            failed = series.cast(pl.Float64, strict=False).is_null().arg_true()
            if len(failed) == 0:
                raise InputFileError(f"{path}: column 'score' holds a value that is not a number") from None
            row = int(failed[0]) + 1
            raise InputFileError(
                f"{path}: row {row}, column 'score': {series[row - 1]!r} is not a number"
            ) from None
    elif pa.types.is_floating(col.type) or pa.types.is_integer(col.type) or pa.types.is_decimal(col.type):
        values = pc.cast(col, pa.float64())
    else:
        raise InputFileError(f"{path}: column 'score' must be numeric, found {col.type}")
    arr = values.to_numpy(zero_copy_only=False).astype(np.float64, copy=False)
    bad = ~((arr >= 0.0) & (arr <= 1.0))  # NaN and missing values are out of range too
    if bad.any():
        row = int(np.flatnonzero(bad)[0]) + 1
        raise InputFileError(f"{path}: row {row}, column 'score': {float(arr[row - 1])!r} is not in [0, 1]")
    return arr


def _encode(col: pa.ChunkedArray) -> tuple[np.ndarray, list[str]]:
    """(index per row, ids in first-appearance order) via Arrow's dictionary encoding."""
    enc = pc.dictionary_encode(col).combine_chunks()
    return enc.indices.to_numpy(zero_copy_only=False).astype(np.int64), enc.dictionary.to_pylist()


@dataclass(frozen=True, eq=False)
class _Inputs:
    candidates: Candidates
    forbidden: np.ndarray
    experts: list[str]


def _load(args: argparse.Namespace) -> _Inputs:
    table = _read_table(args.affinity, columns=("proposal_id", "evaluator_id", "score"))
    proposal_col = _id_column(table, "proposal_id", args.affinity)
    evaluator_col = _id_column(table, "evaluator_id", args.affinity)
    score = _score_column(table, args.affinity)
    if len(score) == 0:
        raise InputFileError(f"{args.affinity}: no rows")
    p_idx, p_ids = _encode(proposal_col)
    e_idx, e_ids = _encode(evaluator_col)
    key = p_idx * len(e_ids) + e_idx
    order = np.argsort(key, kind="stable")
    dup = np.flatnonzero(key[order][1:] == key[order][:-1])
    if len(dup):
        first, second = int(order[dup[0]]) + 1, int(order[dup[0] + 1]) + 1
        raise InputFileError(
            f"{args.affinity}: row {second} repeats the pair ({p_ids[p_idx[second - 1]]}, "
            f"{e_ids[e_idx[second - 1]]}) of row {first}"
        )
    candidates = Candidates(
        proposal_ids=tuple(p_ids), evaluator_ids=tuple(e_ids), proposal=p_idx, evaluator=e_idx, score=score
    )
    forbidden = np.zeros(len(score), dtype=bool)
    if args.conflicts is not None:
        ct = _read_table(args.conflicts, columns=("proposal_id", "evaluator_id"), optional=("reason",))
        cp = _id_column(ct, "proposal_id", args.conflicts)
        ce = _id_column(ct, "evaluator_id", args.conflicts)
        # map conflict ids onto the candidate indices (unknown ids give null and are ignored)
        cpi = pc.index_in(cp, value_set=pa.array(p_ids, pa.string())).to_numpy(zero_copy_only=False)
        cei = pc.index_in(ce, value_set=pa.array(e_ids, pa.string())).to_numpy(zero_copy_only=False)
        known = ~(np.isnan(cpi.astype(np.float64)) | np.isnan(cei.astype(np.float64)))
        ckeys = cpi[known].astype(np.int64) * len(e_ids) + cei[known].astype(np.int64)
        forbidden = np.isin(key, ckeys)
    experts: list[str] = []
    if args.econ_experts is not None:
        xt = _read_table(args.econ_experts, columns=("evaluator_id",))
        experts = _id_column(xt, "evaluator_id", args.econ_experts).to_pylist()
    return _Inputs(candidates, forbidden, experts)


def _write_atomically(out: Path, table: pa.Table) -> None:
    import polars as pl

    out_dir = out.parent if str(out.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out_dir)
    try:
        with os.fdopen(fd, "wb") as fh:
            pl.from_arrow(table).write_csv(fh)  # quotes only where needed
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main(argv: list[str]) -> int:
    started = time.perf_counter()
    try:
        args = _parser().parse_args(argv)
        if args.per_proposal < 1:
            raise InputFileError(f"--per-proposal must be at least 1, got {args.per_proposal}")
        if args.max_load < 1:
            raise InputFileError(f"--max-load must be at least 1, got {args.max_load}")
        if args.min_load < 0 or args.min_load > args.max_load:
            raise InputFileError(f"--min-load must be between 0 and --max-load, got {args.min_load}")
        if (args.min_econ is None) != (args.econ_experts is None):
            raise InputFileError("--econ-experts and --min-econ go together")
        if args.min_econ is not None and not 0 <= args.min_econ <= args.per_proposal:
            raise InputFileError(f"--min-econ must be between 0 and --per-proposal, got {args.min_econ}")
        if not args.out.parent.is_dir() and str(args.out.parent):
            raise InputFileError(f"{args.out}: directory {args.out.parent} does not exist")
        inputs = _load(args)
        result = evaluators_assign(
            candidates=inputs.candidates,
            per_proposal=args.per_proposal,
            max_load=args.max_load,
            min_load=args.min_load,
            forbidden=inputs.forbidden,
            economic_experts=inputs.experts,
            min_economic_experts=args.min_econ or 0,
            objective=args.objective,
        )
    except InputFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except AssignmentInfeasible as exc:
        print(f"error ({exc.code}): {exc}", file=sys.stderr)
        return EXIT_INPUT

    c, sel = inputs.candidates, result.selected
    p_ids = pa.array(c.proposal_ids, pa.string())
    e_ids = pa.array(c.evaluator_ids, pa.string())
    table = pa.table(
        {
            "proposal_id": p_ids.take(pa.array(c.proposal[sel])),
            "evaluator_id": e_ids.take(pa.array(c.evaluator[sel])),
            "score": pa.array(c.score[sel], pa.float64()),
        }
    )
    _write_atomically(args.out, table)
    if not args.quiet:
        seconds = time.perf_counter() - started
        print(f"proposals: {len(c.proposal_ids)}  evaluators: {len(c.evaluator_ids)}  pairs: {len(sel)}")
        print(f"total affinity: {result.total:.9f}")
        print(f"minimum per-proposal affinity: {result.min_proposal_total:.9f}")
        if result.fair_upper_bound is not None:
            print(f"upper bound on that minimum: {result.fair_upper_bound:.9f}")
        print(f"method: {result.method}")
        print(f"seconds: {seconds:.3f}")
    return 0
