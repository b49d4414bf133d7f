"""Self-settlement (자체정산): who may settle on the report alone, and the monthly audit sample of projects.

Eligibility is a per-program policy (DOMAIN §4, the 2026 plan): four routes, each a switch, the programs it
applies to and its parameters: institutions rated excellent, government research institutes' core programs,
small projects (yearly funds below ``small_project_max_krw``, the policy ``settlement.small_project_max_krw``)
and institutions the ministry recognises. :func:`self_settlement_route` names the first route a project takes.

The audit sample is drawn **per month over the eligible projects**: a project is in month M's population when
it has a transaction dated (Asia/Seoul) in M, when it was stopped in M, or when its expense report fell due in
M and was filed late. Always in the sample: late filers (report due on or before the month's last day and
submitted after the due date, or not at all), stopped projects (stop notice on or before the month's last
day) and projects with a flag in the month (a project-level flag counts in every month of the project);
then ⌈share × n⌉ (n = the month's population) of the others, those with the lowest
:func:`~doyak.engine.settlement.audit_rank` of ``"<month>|<project_id>"`` under the seed, ties by project_id.
Seeded and reproducible: independent of row order, platform and of which other months are present.

:func:`project_months` is per project (a chunk of projects gives exactly its rows of the whole run);
:func:`monthly_sample_draw` looks across the projects of a month, so it runs once over the merged rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from doyak.engine.settlement import Ledger, SettlementResult, audit_rank
from doyak.engine.settlement_policy import PolicyError, share_fraction

LATE_FILER = "late_filer"
STOPPED = "stopped"
FLAGGED = "flagged"
RANDOM = "random"
SAMPLE_REASONS: tuple[str, ...] = (RANDOM, LATE_FILER, STOPPED, FLAGGED)
# a project that is several of these at once is listed once, under the first
_PRIORITY: tuple[str, ...] = (LATE_FILER, STOPPED, FLAGGED)

PROJECT_MONTH_SCHEMA: dict[str, pl.DataType] = {
    "month": pl.String(),
    "project_id": pl.String(),
    LATE_FILER: pl.Boolean(),
    STOPPED: pl.Boolean(),
    FLAGGED: pl.Boolean(),
}
MONTHLY_SAMPLE_COLUMNS: tuple[str, ...] = ("month", "project_id", "reason")

ROUTES: tuple[str, ...] = ("excellent_institution", "gri_core_program", "small_project", "recognised_institution")
ALL_PROGRAMS = "*"


@dataclass(frozen=True, kw_only=True)
class SelfSettlementRoute:
    """One route: on or off, the program codes it applies to (``"*"`` = every program; for the government
    institutes' route, the programs that are their core programs) and, for the small-project route, the
    yearly limit."""

    enabled: bool
    programs: tuple[str, ...] = ()
    small_project_max_krw: int = 0

    def applies_to(self, program_code: str) -> bool:
        return self.enabled and (ALL_PROGRAMS in self.programs or program_code in self.programs)


@dataclass(frozen=True, kw_only=True)
class SelfSettlementRules:
    excellent_institution: SelfSettlementRoute
    gri_core_program: SelfSettlementRoute
    small_project: SelfSettlementRoute
    recognised_institution: SelfSettlementRoute

    def __post_init__(self) -> None:
        if self.small_project.small_project_max_krw < 0:
            raise PolicyError("small_project_max_krw must not be negative")


@dataclass(frozen=True, kw_only=True)
class ProjectFacts:
    """What the routes look at: the program, the lead institution's rating, kind and recognition, and the
    largest yearly funds (government + cash) of the project."""

    program_code: str
    institution_rated_excellent: bool = False
    institution_is_gri: bool = False
    institution_recognised: bool = False
    yearly_funds_krw: int = 0


def self_settlement_route(*, facts: ProjectFacts, rules: SelfSettlementRules) -> str | None:
    """The first route (in ``ROUTES`` order) by which the project may settle on its report, or None."""
    code = facts.program_code
    if rules.excellent_institution.applies_to(code) and facts.institution_rated_excellent:
        return "excellent_institution"
    if rules.gri_core_program.applies_to(code) and facts.institution_is_gri:
        return "gri_core_program"
    small = rules.small_project
    if small.applies_to(code) and facts.yearly_funds_krw < small.small_project_max_krw:
        return "small_project"
    if rules.recognised_institution.applies_to(code) and facts.institution_recognised:
        return "recognised_institution"
    return None


def _month(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _month_end(month: str) -> dt.date:
    year, number = int(month[:4]), int(month[5:])
    first_next = dt.date(year + number // 12, number % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def project_months(*, ledger: Ledger, result: SettlementResult) -> pl.DataFrame:
    """The (month, project) rows of the self-settlement projects with the facts the sample needs
    (``PROJECT_MONTH_SCHEMA``), ordered by month then project. Per project: a chunk gives its own rows."""
    projects = ledger.projects.filter(pl.col("self_settlement"))
    if projects.height == 0:
        return pl.DataFrame(schema=PROJECT_MONTH_SCHEMA)
    ids = projects["project_id"]
    tx = ledger.transactions.filter(pl.col("project_id").cast(pl.String).is_in(ids.implode())).select(
        "txn_id", pl.col("project_id").cast(pl.String),  # a read ledger's ids are an Enum
        month=pl.col("occurred_at").dt.convert_time_zone("Asia/Seoul").dt.strftime("%Y-%m"))
    flags = result.flags.filter(pl.col("project_id").is_in(ids.implode()))
    flagged_txn = flags.filter(pl.col("txn_id") != "").select("txn_id").unique()
    flagged_months = set(tx.join(flagged_txn, on="txn_id").select("project_id", "month").unique().iter_rows())
    project_level = set(flags.filter(pl.col("txn_id") == "")["project_id"].to_list())
    months: dict[str, set[str]] = {}
    for project_id, month in tx.select("project_id", "month").unique().iter_rows():
        months.setdefault(project_id, set()).add(month)
    columns = projects.columns
    rows: list[tuple[str, str, bool, bool, bool]] = []
    for row in projects.iter_rows(named=True):
        project_id = row["project_id"]
        stopped_on = row.get("stopped_on") if "stopped_on" in columns else None
        due = row.get("report_due_on") if "report_due_on" in columns else None
        submitted = row.get("report_submitted_on") if "report_submitted_on" in columns else None
        late = due is not None and (submitted is None or submitted > due)
        mine = set(months.get(project_id, ()))
        if stopped_on is not None:
            mine.add(_month(stopped_on))
        if late:
            mine.add(_month(due))
        for month in mine:
            end = _month_end(month)
            rows.append((
                month, project_id,
                bool(late and due <= end),
                bool(stopped_on is not None and stopped_on <= end),
                project_id in project_level or (project_id, month) in flagged_months,
            ))
    return pl.DataFrame(rows, schema=PROJECT_MONTH_SCHEMA, orient="row").sort("month", "project_id")


def monthly_sample_draw(*, months: pl.DataFrame, share: Decimal, seed: int) -> pl.DataFrame:
    """The audit sample (``month, project_id, reason``) of the merged project-month rows, ordered by month
    then project: every late filer, stopped and flagged project, then ⌈share × n⌉ of the rest by rank."""
    fraction = share_fraction(share)
    if not 0 <= fraction <= 1:
        raise PolicyError(f"audit_sample_share must be between 0 and 1, got {share}")
    if months.height == 0:
        return pl.DataFrame(schema={"month": pl.String, "project_id": pl.String, "reason": pl.String})
    if months.select(pl.struct("month", "project_id").is_duplicated().any()).item():
        raise PolicyError("project months: a project appears twice in one month", code="duplicate_project_month")
    reason = pl.lit(None, dtype=pl.String)
    for name in reversed(_PRIORITY):
        reason = pl.when(pl.col(name)).then(pl.lit(name)).otherwise(reason)
    frame = months.with_columns(reason=reason)
    keys = frame.select(key=pl.concat_str("month", pl.lit("|"), "project_id"))["key"]
    frame = frame.with_columns(rank=pl.Series(audit_rank(txn_ids=keys, seed=seed)))
    frame = frame.with_columns(n=pl.len().over("month"))
    others = (
        frame.filter(pl.col("reason").is_null())
        .sort("month", "rank", "project_id")
        .with_columns(position=pl.int_range(pl.len()).over("month"))
    )
    wanted = (pl.col("n") * fraction.numerator + fraction.denominator - 1) // fraction.denominator
    chosen = others.filter(pl.col("position") < wanted).with_columns(reason=pl.lit(RANDOM))
    always = frame.filter(pl.col("reason").is_not_null())
    return (
        pl.concat([always.select(MONTHLY_SAMPLE_COLUMNS), chosen.select(MONTHLY_SAMPLE_COLUMNS)])
        .sort("month", "project_id")
    )


def settlement_monthly_sample(*, ledger: Ledger, result: SettlementResult, share: Decimal, seed: int) -> pl.DataFrame:
    """The monthly audit sample of one settled ledger (the CLI's ``--sample``)."""
    return monthly_sample_draw(months=project_months(ledger=ledger, result=result), share=share, seed=seed)


def months_from_rows(rows: Iterable[tuple[str, str, bool, bool, bool]]) -> pl.DataFrame:
    """Project-month rows gathered elsewhere (the app reads them from its tables) as the draw's input."""
    return pl.DataFrame(list(rows), schema=PROJECT_MONTH_SCHEMA, orient="row")
