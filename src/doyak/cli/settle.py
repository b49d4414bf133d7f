"""``doyak settle``: settle research-fund spending under a policy, file in / file out.

    doyak settle --transactions T.parquet|T.csv --projects P.csv --budgets B.csv \\
        --policy POLICY.toml --out FLAGS.csv [--summary SUMMARY.csv] [--report REPORT.xlsx] \\
        [--equipment E.csv] [--with-sources] [--sample SAMPLE.csv] [--sample-transactions ST.csv] \\
        [--what-if-exemption CATEGORY=WON ...] \\
        [--what-if-self-settlement PROJECT_IDS.txt] [--what-if-out WHATIF.csv]

Optional columns (each rule that reads one is off, or as before, without it): T ``documents``
(supporting documents attached, ≥ 0) and ``equipment_item``; P ``stopped_on``, ``other_cash_funds``,
``report_due_on``, ``report_submitted_on``. ``--equipment`` names the planned items
(``project_id,equipment_item,planned_amount``); ``--with-sources`` adds each flag's legal source
(Korean / English) as a ``source`` column of FLAGS.csv. ``--sample`` writes the monthly audit sample of
the self-settlement projects (``month,project_id,reason``, reason one of ``random``, ``late_filer``,
``stopped``, ``flagged``; see :mod:`doyak.engine.self_settlement`); ``--sample-transactions`` the
transactions each one's sample checks (the summary's ``sampled`` column counts them).

Input files are CSV (UTF-8 with or without BOM, or CP949) or Parquet, by extension. Errors
name the file, the *data row* (1-based, header not counted) and the column.

``--what-if-exemption activities=1000000`` (repeatable) and ``--what-if-self-settlement FILE``
(project ids, one per line) settle the ledger a second time under the changed policy and print
the before/after figures (checked transactions, evidence documents, spend moved to sampling,
clawback …); ``--what-if-out`` also writes them as CSV.

Exit codes: 0 done; 2 bad arguments or malformed input (nothing written); 1 an output could
not be written. Every output goes to a temporary file in its directory and is renamed into
place only after all of them were computed and written.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl

from doyak.engine.errors import EngineError
from doyak.engine.ledger_io import ledger_read, project_ids_read
from doyak.engine.self_settlement import settlement_monthly_sample
from doyak.engine.settlement import FLAG_SOURCES, SUMMARY_COLUMNS, Ledger, SettlementResult
from doyak.engine.settlement_policy import CATEGORIES, SettlementPolicy, policy_read
from doyak.engine.settlement_stream import ledger_settle_ranges
from doyak.engine.settlement_whatif import WhatIfResult, WhatIfScenario, settlement_what_if

EXIT_OK = 0
EXIT_WRITE_FAILED = 1
EXIT_BAD_INPUT = 2


class _UsageError(EngineError):
    """Bad arguments: a malformed option, or outputs that would clash with each other or the inputs."""

    code = "usage_invalid"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="doyak settle",
        description="Settle research-fund transactions: flags, per-project summary, audit sample, clawback.",
    )
    parser.add_argument("--transactions", type=Path, required=True, help="transactions (.csv or .parquet)")
    parser.add_argument("--projects", type=Path, required=True, help="projects (.csv or .parquet)")
    parser.add_argument(
        "--budgets", type=Path, required=True, help="approved budget lines (.csv or .parquet)"
    )
    parser.add_argument("--policy", type=Path, required=True, help="settlement policy (.toml)")
    parser.add_argument("--out", type=Path, required=True, help="flags CSV to write")
    parser.add_argument("--summary", type=Path, help="per-project summary CSV to write")
    parser.add_argument("--report", type=Path, help="Korean settlement report (.xlsx) to write")
    parser.add_argument(
        "--equipment", type=Path, help="planned equipment items (project_id,equipment_item,planned_amount)"
    )
    parser.add_argument(
        "--with-sources", action="store_true", help="add each flag's legal source as a 'source' column"
    )
    parser.add_argument(
        "--sample",
        type=Path,
        help="monthly audit sample of self-settlement projects (CSV: month,project_id,reason)",
    )
    parser.add_argument(
        "--sample-transactions",
        type=Path,
        help="the transactions each self-settlement project's sample checks (CSV: project_id,txn_id,reason)",
    )
    parser.add_argument(
        "--what-if-exemption",
        action="append",
        default=[],
        metavar="CATEGORY=WON",
        help="what-if: small-amount evidence exemption for a category (repeatable)",
    )
    parser.add_argument(
        "--what-if-self-settlement",
        type=Path,
        metavar="PROJECT_IDS",
        help="what-if: file of project ids (one per line) that would settle on the report",
    )
    parser.add_argument("--what-if-out", type=Path, help="what-if figures CSV to write")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress lines on stderr")
    return parser


def _exemptions(values: list[str]) -> dict[str, int]:
    exemptions: dict[str, int] = {}
    for value in values:
        category, separator, won = value.partition("=")
        category = category.strip()
        won = won.strip().replace(",", "").replace("_", "")
        if not separator or category not in CATEGORIES:
            raise _UsageError(
                f"--what-if-exemption {value!r}: expected CATEGORY=WON with CATEGORY one of {', '.join(CATEGORIES)}"
            )
        if not won.isdigit():
            raise _UsageError(f"--what-if-exemption {value!r}: {won!r} is not a whole number of won")
        exemptions[category] = int(won)
    return exemptions


def _write_atomically(outputs: list[tuple[Path, Callable[[Path], None]]]) -> None:
    """Write every output to a temporary sibling, then rename them all into place."""
    written: list[tuple[Path, Path]] = []
    try:
        for target, write in outputs:
            handle, temporary = tempfile.mkstemp(
                prefix=f".{target.name}.", suffix=".tmp", dir=target.parent if str(target.parent) else "."
            )
            os.close(handle)
            written.append((Path(temporary), target))
            write(Path(temporary))
        for temporary, target in written:
            os.replace(temporary, target)
    finally:
        for temporary, _ in written:
            temporary.unlink(missing_ok=True)


def _check_outputs(arguments: argparse.Namespace) -> list[Path]:
    targets = [
        path
        for path in (
            arguments.out,
            arguments.summary,
            arguments.report,
            arguments.sample,
            arguments.sample_transactions,
            arguments.what_if_out,
        )
        if path is not None
    ]
    if len({path.resolve() for path in targets}) != len(targets):
        raise _UsageError("the same output file is given twice")
    inputs = {
        path.resolve()
        for path in (arguments.transactions, arguments.projects, arguments.budgets, arguments.equipment)
        if path is not None
    }
    for path in targets:
        if path.resolve() in inputs:
            raise _UsageError(f"{path}: output would overwrite an input file")
        if not path.parent.resolve().is_dir():
            raise _UsageError(f"{path}: directory {path.parent} does not exist")
    if arguments.what_if_out and not (arguments.what_if_exemption or arguments.what_if_self_settlement):
        raise _UsageError("--what-if-out needs --what-if-exemption or --what-if-self-settlement")
    return targets


def _what_if_table(result: WhatIfResult) -> str:
    lines = [f"{'figure':<22} {'before':>22} {'after':>22} {'change':>22}"]
    for name, before, after, change in result.rows():
        lines.append(f"{name:<22} {before:>22,} {after:>22,} {change:>+22,}")
    return "\n".join(lines)


def _outputs(
    *,
    arguments: argparse.Namespace,
    ledger: Ledger,
    result: SettlementResult,
    policy: SettlementPolicy,
    what_if: WhatIfResult | None,
) -> list[tuple[Path, Callable[[Path], None]]]:
    # An empty txn_id (project-level flags) is written as an empty cell, not as "".
    flags = result.flags.with_columns(pl.col("txn_id").replace("", None))
    if arguments.with_sources:
        sources = {flag: f"{korean} / {english}" for flag, (korean, english) in FLAG_SOURCES.items()}
        flags = flags.with_columns(source=pl.col("flag").replace_strict(sources, return_dtype=pl.String))
    outputs: list[tuple[Path, Callable[[Path], None]]] = [(arguments.out, flags.write_csv)]
    if arguments.summary:
        summary = result.summary.select(SUMMARY_COLUMNS)
        outputs.append((arguments.summary, summary.write_csv))
    if arguments.sample:
        monthly = settlement_monthly_sample(
            ledger=ledger, result=result, share=policy.audit_sample_share, seed=policy.seed
        )
        outputs.append((arguments.sample, monthly.write_csv))
    if arguments.sample_transactions:
        outputs.append((arguments.sample_transactions, result.sample.write_csv))
    if arguments.report:
        from doyak.engine.settlement_report import report_write

        outputs.append((arguments.report, lambda path: report_write(path=path, result=result, policy=policy)))
    if arguments.what_if_out and what_if is not None:
        rows = what_if.rows()
        table = pl.DataFrame(
            {
                "figure": [row[0] for row in rows],
                "before": [row[1] for row in rows],
                "after": [row[2] for row in rows],
                "change": [row[3] for row in rows],
            },
            schema={"figure": pl.String, "before": pl.Int64, "after": pl.Int64, "change": pl.Int64},
        )
        outputs.append((arguments.what_if_out, table.write_csv))
    return outputs


def main(argv: list[str]) -> int:
    started = time.perf_counter()
    try:
        arguments = _parser().parse_args(argv)
    except _UsageError as error:
        print(f"doyak settle: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except SystemExit as exit_:  # --help
        return int(exit_.code or 0)

    def progress(message: str) -> None:
        if not arguments.quiet:
            print(f"[{time.perf_counter() - started:6.1f}s] {message}", file=sys.stderr)

    try:
        _check_outputs(arguments)
        exemptions = _exemptions(arguments.what_if_exemption)
        policy = policy_read(path=arguments.policy)
        progress("reading the ledger")
        ledger = ledger_read(
            transactions_path=arguments.transactions,
            projects_path=arguments.projects,
            budgets_path=arguments.budgets,
            equipment_path=arguments.equipment,
        )
        what_if_ids: list[str] = []
        if arguments.what_if_self_settlement:
            what_if_ids = project_ids_read(
                path=arguments.what_if_self_settlement, known=ledger.projects["project_id"]
            )
        progress(
            f"settling {ledger.transactions.height:,} transactions of {ledger.projects.height:,} projects"
        )
        result = ledger_settle_ranges(ledger=ledger, policy=policy)  # = ledger_settle, in less memory
        what_if: WhatIfResult | None = None
        if exemptions or arguments.what_if_self_settlement:
            progress("settling again under the what-if policy")
            what_if = settlement_what_if(
                ledger=ledger,
                policy=policy,
                scenario=WhatIfScenario(
                    evidence_exemption=exemptions, self_settlement_project_ids=frozenset(what_if_ids)
                ),
                baseline=result,
            )
    except _UsageError as error:
        print(f"doyak settle: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except EngineError as error:
        print(f"doyak settle: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT

    progress("writing outputs")
    try:
        outputs = _outputs(arguments=arguments, ledger=ledger, result=result, policy=policy, what_if=what_if)
        _write_atomically(outputs)
    except OSError as error:
        print(f"doyak settle: error: cannot write outputs ({error})", file=sys.stderr)
        return EXIT_WRITE_FAILED
    totals = result.totals
    print(
        f"settled {totals.transactions:,} transactions of {totals.projects:,} projects: "
        f"{totals.flags:,} flags on {totals.flagged_transactions:,} transactions, "
        f"ineligible ₩{totals.ineligible:,}, clawback ₩{totals.clawback:,}"
    )
    if what_if is not None:
        print(_what_if_table(what_if))
    progress("done")
    return EXIT_OK
