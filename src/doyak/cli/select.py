"""``doyak select``: choose the proposals to fund under a policy, file in / file out.

    doyak select --proposals P.csv --policy POLICY.toml --out SELECTED.csv [--explain EXPLAIN.md]

P.csv columns: proposal_id, track, region (2-digit province code), cost (whole won), score, and
optionally anchor_led (1/0/true/false), org_size, program. Read as UTF-8 (CP949 as a fallback).
POLICY.toml: ``budget``, ``min_score``, ``objective`` and ``[[constraint]]`` tables, each with a
``name``, a ``group`` inline table and one or more bounds. Constraints are counted from 1 in
messages (``constraint[2]`` is the second ``[[constraint]]``).

Exit codes: 0 done; 2 bad input or an infeasible policy (nothing written); 1 no proven optimum
within ``--time-limit``. Outputs are written to a temporary file and renamed into place, so an
existing output file is left untouched on any error.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import os
import re
import sys
import tempfile
import time
import tomllib
from pathlib import Path

from doyak.engine.errors import EngineError
from doyak.engine.portfolio import (
    Policy,
    PortfolioInfeasible,
    PortfolioInvalid,
    PortfolioNotProven,
    PortfolioResult,
    Proposal,
    explanation_to_markdown,
    portfolio_explain,
    portfolio_select,
    won,
)
from doyak.engine.portfolio_policy import PortfolioPolicyInvalid, policy_parse, suggestion
from doyak.engine.regions import PROVINCE_NAMES

REQUIRED_COLUMNS = ("proposal_id", "track", "region", "cost", "score")
OPTIONAL_COLUMNS = ("anchor_led", "org_size", "program")
_WHOLE = re.compile(r"[+-]?[0-9]+")
_TRUE = {"1", "true"}
_FALSE = {"0", "false", ""}


class InputError(EngineError):
    """Malformed input; the message names the file and the line or key."""

    code = "input_invalid"


# --------------------------------------------------------------------------------------------
# Reading the proposals


def proposals_read(path: Path) -> list[Proposal]:
    """Parse and check P.csv; raises ``InputError`` naming the line and column."""
    text = _read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(f"{path}: empty file (expected a header: {','.join(REQUIRED_COLUMNS)})") from None
    header = [h.strip() for h in header]
    for column in header:
        if column not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS:
            raise InputError(
                f"{path}: line 1: unknown column {column!r}{suggestion(column, REQUIRED_COLUMNS + OPTIONAL_COLUMNS)}"
            )
        if header.count(column) > 1:
            raise InputError(f"{path}: line 1: column {column!r} appears twice")
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise InputError(f"{path}: line 1: missing column {', '.join(repr(c) for c in missing)}")
    at = {c: header.index(c) for c in header}
    proposals: list[Proposal] = []
    first_line: dict[str, int] = {}
    line = reader.line_num
    for fields in reader:
        row_line, line = line + 1, reader.line_num
        if not fields or all(not f.strip() for f in fields):
            continue
        where = f"{path}: line {row_line}"
        if len(fields) != len(header):
            raise InputError(f"{where}: expected {len(header)} fields, found {len(fields)}")
        value = {c: fields[i].strip() for c, i in at.items()}
        proposal_id = value["proposal_id"]
        if not proposal_id:
            raise InputError(f"{where}: proposal_id: empty")
        if proposal_id in first_line:
            raise InputError(
                f"{where}: proposal_id: duplicate {proposal_id!r} (first on line {first_line[proposal_id]})"
            )
        first_line[proposal_id] = row_line
        if not value["track"]:
            raise InputError(f"{where}: track: empty")
        if value["region"] not in PROVINCE_NAMES:
            raise InputError(f"{where}: region: unknown province code {value['region']!r}")
        cost_text = value["cost"]
        if not _WHOLE.fullmatch(cost_text):
            raise InputError(f"{where}: cost: not a whole number of won: {cost_text!r}")
        cost = int(cost_text)
        if cost <= 0:
            raise InputError(f"{where}: cost: must be positive: {cost_text!r}")
        try:
            score = float(value["score"])
        except ValueError:
            raise InputError(f"{where}: score: not a number: {value['score']!r}") from None
        if not math.isfinite(score):
            raise InputError(f"{where}: score: not a finite number: {value['score']!r}")
        anchor_text = value.get("anchor_led", "").lower()
        if anchor_text not in _TRUE | _FALSE:
            raise InputError(f"{where}: anchor_led: expected 1, 0, true or false: {value['anchor_led']!r}")
        proposals.append(
            Proposal(
                proposal_id=proposal_id,
                track=value["track"],
                region=value["region"],
                cost=cost,
                score=score,
                anchor_led=anchor_text in _TRUE,
                org_size=value.get("org_size", ""),
                program=value.get("program", ""),
            )
        )
    if not proposals:
        raise InputError(f"{path}: no proposals")
    return proposals


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp949")  # Korean public files are often CP949 (DOMAIN.md §5)
        except UnicodeDecodeError:
            raise InputError(f"{path}: neither UTF-8 nor CP949 text") from None


# --------------------------------------------------------------------------------------------
# Reading the policy


def policy_read(path: Path) -> Policy:
    """Parse and check POLICY.toml; raises ``InputError`` (unreadable, not TOML) or
    ``PortfolioPolicyInvalid`` (the schema, naming the key)."""
    try:
        data = tomllib.loads(_read_text(path))
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"{path}: not valid TOML: {error}") from None
    return policy_parse(data, where=str(path))


# --------------------------------------------------------------------------------------------
# Writing


def _write_atomically(files: dict[Path, str]) -> None:
    """Write every file to a temporary sibling, then rename them all into place."""
    staged: list[tuple[str, Path]] = []
    try:
        for path, text in files.items():
            fd, tmp = tempfile.mkstemp(dir=path.parent or Path("."), prefix=f".{path.name}.", suffix=".tmp")
            staged.append((tmp, path))
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
        for tmp, path in staged:
            os.replace(tmp, path)
    finally:
        for tmp, _path in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)


def selection_csv(proposals: list[Proposal], result: PortfolioResult) -> str:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["proposal_id", "selected"])
    for proposal, chosen in zip(proposals, result.selected, strict=True):
        writer.writerow([proposal.proposal_id, 1 if chosen else 0])
    return out.getvalue()


# --------------------------------------------------------------------------------------------
# The verb


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="doyak select", description=__doc__.split("\n\n")[0])
    parser.add_argument("--proposals", required=True, type=Path, help="proposals CSV")
    parser.add_argument("--policy", required=True, type=Path, help="policy TOML")
    parser.add_argument(
        "--out", required=True, type=Path, help="selection CSV to write (proposal_id,selected)"
    )
    parser.add_argument("--explain", type=Path, help="also write a Markdown explanation here")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per solve (default 60)")
    parser.add_argument(
        "--gap", type=float, default=1e-4, help="relative optimality gap to prove (default 1e-4)"
    )
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)

    started = time.perf_counter()
    try:
        proposals = proposals_read(args.proposals)
        policy = policy_read(args.policy)
    except (InputError, PortfolioPolicyInvalid) as error:
        return _fail(str(error))
    try:
        result = portfolio_select(
            proposals=proposals, policy=policy, time_limit_s=args.time_limit, mip_rel_gap=args.gap
        )
        explanation = None
        if args.explain is not None:
            explanation = portfolio_explain(
                proposals=proposals,
                policy=policy,
                result=result,
                time_limit_s=args.time_limit,
                mip_rel_gap=args.gap,
                workers=min(4, os.cpu_count() or 1),
            )
    except PortfolioInfeasible as error:
        return _fail(f"infeasible policy: {error} (conflicting: {', '.join(error.conflicting)})")
    except PortfolioInvalid as error:
        return _fail(str(error))
    except PortfolioNotProven as error:
        print(f"doyak select: {error}", file=sys.stderr)
        return 1

    files = {args.out: selection_csv(proposals, result)}
    if explanation is not None:
        files[args.explain] = explanation_to_markdown(explanation)
    try:
        _write_atomically(files)
    except OSError as error:
        return _fail(f"cannot write output: {error}")

    eligible = sum(1 for p in proposals if policy.min_score is None or p.score >= policy.min_score)
    print(f"objective ({policy.objective}): {result.objective:,.2f}")
    print(
        f"funded: {result.funded_count:,} of {len(proposals):,} proposals ({eligible:,} at or above the cut-off)"
    )
    print(f"budget used: {won(result.budget_used)} of {won(policy.budget)}")
    print(f"gap: {result.mip_gap:.6%} ({result.status})")
    print(f"seconds: solve {result.seconds:.2f}, total {time.perf_counter() - started:.2f}")
    if explanation is not None:
        print(f"explanation: {args.explain} ({explanation.seconds:.2f} s)")
    return 0


def _fail(message: str) -> int:
    print(f"doyak select: {message}", file=sys.stderr)
    return 2
