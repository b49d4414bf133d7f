"""Read and validate transaction, project and budget files into a settlement :class:`Ledger`.

Files are CSV or Parquet, chosen by extension (``.csv``; ``.parquet``/``.pq``). CSV may be
UTF-8 (with or without BOM) or CP949/EUC-KR: UTF-8 is tried first, then CP949. Parquet columns
may be typed (integers, dates, timestamps, booleans) or text.

Every problem raises :class:`LedgerFileError` naming the file, the row and the column, e.g.
``transactions.csv data row 17, column amount: 'abc' is not an integer``. The same facts are
attributes (``path``, ``row``, ``column``, ``problem``, ``problem_code``, ``problem_args``) so a
caller can say it in another language without parsing the message. A *data row* is
1-based and does not count the header (data row 1 is the second line of a CSV file); a CSV
that cannot be split into fields is reported by physical *line* number instead. When several
cells are wrong the earliest row is reported.
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from doyak.engine.errors import EngineError
from doyak.engine.settlement import (
    CATEGORY_ENUM,
    EVIDENCE_ENUM,
    TIMESTAMP,
    Ledger,
    ledger_with_project_codes,
    value_codes,
)
from doyak.engine.settlement_policy import CATEGORIES, EVIDENCE_KINDS

TRANSACTION_COLUMNS = (
    "txn_id",
    "project_id",
    "category",
    "amount",
    "occurred_at",
    "merchant_id",
    "merchant_type",
    "evidence",
)
TRANSACTION_OPTIONAL_COLUMNS = ("description", "documents", "equipment_item")
PROJECT_COLUMNS = ("project_id", "start_date", "end_date", "self_settlement", "gov_funds", "cash_funds")
# optional: empty date cells mean "none" (not stopped, no report due, not submitted)
PROJECT_OPTIONAL_COLUMNS = ("stopped_on", "other_cash_funds", "report_due_on", "report_submitted_on")
BUDGET_COLUMNS = ("project_id", "category", "approved")
EQUIPMENT_COLUMNS = ("project_id", "equipment_item", "planned_amount")

_INTEGER = r"^[+-]?[0-9]+$"
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_TIMESTAMP = (
    r"^([0-9]{4}-[0-9]{2}-[0-9]{2})[T ]([0-9]{2}:[0-9]{2})(:[0-9]{2}(?:\.[0-9]{1,9})?)?"
    r"(Z|z|[+-][0-9]{2}:?[0-9]{2})?$"
)
_TRUE = ("true", "t", "yes", "y", "1")
_FALSE = ("false", "f", "no", "n", "0")
_PARQUET_SUFFIXES = (".parquet", ".pq")


class LedgerFileError(EngineError):
    """An input file is unreadable or malformed; says which file, row and column.

    ``problem`` is the English text after the row and column (``'abc' is not an integer``);
    ``problem_code`` names its kind (``empty``, ``not_integer``, ``too_large``, ``below_minimum``,
    ``unknown_category``, ``unknown_evidence``, ``not_date``, ``not_boolean``, ``not_timestamp``,
    ``duplicate``, ``end_before_start``, ``funds_not_positive``, ``unknown_project``,
    ``field_count``, ``wrong_type``, ``missing_column``) and ``problem_args`` its values
    (``value`` is the offending cell as text, cut at 60 characters). All three are ``None``/empty
    for problems with no stable kind (an unreadable file).
    """

    code = "malformed_input"

    def __init__(
        self,
        message: str,
        *,
        path: str,
        row: int | None = None,
        column: str | None = None,
        code: str | None = None,
        problem: str | None = None,
        problem_code: str | None = None,
        problem_args: dict[str, object] | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.path = path
        self.row = row
        self.column = column
        self.problem = problem
        self.problem_code = problem_code
        self.problem_args: dict[str, object] = dict(problem_args or {})
        # every bad cell found (the first one is the error's own row and column); empty for file-level errors
        self.problems: tuple[LedgerProblem, ...] = ()


@dataclass(frozen=True)
class LedgerProblem:
    """One bad cell: ``row`` is the 1-based data row; the other fields as on :class:`LedgerFileError`."""

    row: int
    column: str
    problem: str
    problem_code: str
    problem_args: dict[str, object]


# How many bad cells one error lists: enough for a person to fix a file in one go, bounded for a huge one.
PROBLEMS_LISTED_MAX = 200

_NO_ARGS: Callable[[int], dict[str, object]] = lambda _: {}  # noqa: E731


class _Checks:
    """Collects every bad cell of every check (up to ``PROBLEMS_LISTED_MAX`` per check), then raises one
    error naming the earliest and listing them all, in row order (``LedgerFileError.problems``)."""

    def __init__(self, path: str, *, rows: np.ndarray | None = None) -> None:
        self.path = path
        self.problems: list[LedgerProblem] = []
        self.rows = rows  # the file's 0-based row of each frame row, when the frame is part of the file

    def add(
        self,
        *,
        column: str,
        bad: pl.Series,
        describe: Callable[[int], str],
        kind: str,
        args: Callable[[int], dict[str, object]] = _NO_ARGS,
    ) -> None:
        if not bad.any():
            return
        for index in bad.arg_true().head(PROBLEMS_LISTED_MAX).to_list():
            self.add_at(column=column, index=int(index), text=describe(int(index)), kind=kind, args=args(int(index)))

    def add_at(self, *, column: str, index: int, text: str, kind: str, args: dict[str, object]) -> None:
        row = int(self.rows[index]) if self.rows is not None else index
        self.problems.append(LedgerProblem(row=row + 1, column=column, problem=text, problem_code=kind,
                                           problem_args=args))

    def raise_first(self) -> None:
        if not self.problems:
            return
        problems = sorted(self.problems, key=lambda p: p.row)[:PROBLEMS_LISTED_MAX]
        first = problems[0]
        error = LedgerFileError(
            f"{self.path} data row {first.row}, column {first.column}: {first.problem}",
            path=self.path,
            row=first.row,
            column=first.column,
            problem=first.problem,
            problem_code=first.problem_code,
            problem_args=first.problem_args,
        )
        error.problems = tuple(problems)
        raise error


def _shown(value: object) -> str:
    """A cell as shown in a message: text, cut at 60 characters."""
    text = str(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return text


def _quoted(value: object) -> str:
    return f"'{_shown(value)}'"


def _decode_csv(path: str, raw: bytes) -> bytes:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:]
    try:
        raw.decode("utf-8")
        return raw
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp949").encode("utf-8")
    except UnicodeDecodeError:
        raise LedgerFileError(f"{path}: not UTF-8 or CP949 text", path=path, code="unreadable_file") from None


def _csv_shape_error(path: str, data: bytes) -> LedgerFileError:
    reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
    try:
        header = next(reader)
        for record in reader:
            if record and len(record) != len(header):
                return LedgerFileError(
                    f"{path} line {reader.line_num}: expected {len(header)} fields, found {len(record)}",
                    path=path,
                    problem=f"expected {len(header)} fields, found {len(record)}",
                    problem_code="field_count",
                    problem_args={"line": reader.line_num, "expected": len(header), "found": len(record)},
                )
    except csv.Error as error:
        return LedgerFileError(f"{path} line {reader.line_num}: {error}", path=path)
    return LedgerFileError(f"{path}: not a readable CSV file", path=path)


def table_read(
    *, path: Path, required: tuple[str, ...], optional: tuple[str, ...] = (), categorical: tuple[str, ...] = ()
) -> pl.DataFrame:
    """The required (and present optional) columns of a CSV or Parquet file.

    CSV cells come back as text (empty cells as null); Parquet columns keep their types, except that the
    text columns named in ``categorical`` (few distinct values) are read as Categorical, never holding every
    row's text at once.
    """
    name = str(path)
    suffix = path.suffix.lower()
    try:
        if suffix in _PARQUET_SUFFIXES:
            columns = pl.read_parquet_schema(path)
            frame_columns = list(columns)
        elif suffix == ".csv":
            data = _decode_csv(name, path.read_bytes())
            if not data.strip():
                raise LedgerFileError(f"{name}: empty file (no header)", path=name)
            try:
                frame = pl.read_csv(data, infer_schema=False, raise_if_empty=True)
            except (pl.exceptions.ComputeError, pl.exceptions.NoDataError, pl.exceptions.ShapeError):
                raise _csv_shape_error(name, data) from None
            except pl.exceptions.DuplicateError as error:
                raise LedgerFileError(f"{name}: duplicate column names ({error})", path=name) from None
            frame = frame.rename({column: column.strip() for column in frame.columns})
            frame_columns = frame.columns
        else:
            raise LedgerFileError(
                f"{name}: unsupported file type {suffix or '(none)'!r}; use .csv or .parquet",
                path=name,
                code="unsupported_file",
            )
    except OSError as error:
        raise LedgerFileError(
            f"{name}: cannot read ({error.strerror or error})", path=name, code="unreadable_file"
        ) from None
    except pl.exceptions.PolarsError as error:
        raise LedgerFileError(f"{name}: not a readable file ({error})", path=name) from None
    wanted = _wanted_columns(name, frame_columns, required=required, optional=optional)
    if suffix in _PARQUET_SUFFIXES:
        try:
            if not any(columns.get(column) == pl.String for column in categorical if column in wanted):
                return pl.read_parquet(path, columns=wanted)
            return pl.scan_parquet(path).select(wanted).with_columns(
                pl.col(column).cast(pl.Categorical)
                for column in categorical if column in wanted and columns[column] == pl.String
            ).collect()
        except (OSError, pl.exceptions.PolarsError) as error:
            raise LedgerFileError(f"{name}: not a readable file ({error})", path=name) from None
    return frame.select(wanted)


def parquet_columns(*, path: Path, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> list[str]:
    """The required (and present optional) columns of a Parquet file, read from its schema alone;
    raises as :func:`table_read` does when one is missing."""
    name = str(path)
    try:
        present = list(pl.read_parquet_schema(path))
    except OSError as error:
        raise LedgerFileError(
            f"{name}: cannot read ({error.strerror or error})", path=name, code="unreadable_file"
        ) from None
    except pl.exceptions.PolarsError as error:
        raise LedgerFileError(f"{name}: not a readable file ({error})", path=name) from None
    return _wanted_columns(name, present, required=required, optional=optional)


def _wanted_columns(
    name: str, present: list[str], *, required: tuple[str, ...], optional: tuple[str, ...]
) -> list[str]:
    for column in required:
        if column not in present:
            raise LedgerFileError(
                f"{name}: missing column {column!r}",
                path=name,
                column=column,
                code="missing_column",
                problem=f"missing column {column!r}",
                problem_code="missing_column",
            )
    return [*required, *(column for column in optional if column in present)]


# The longest text each column may hold (the ledger's storage: finance.Transaction's columns).
TEXT_LIMITS = {"txn_id": 64, "project_id": 64, "merchant_id": 100, "merchant_type": 50, "description": 300,
               "equipment_item": 200}


def _text(
    checks: _Checks, frame: pl.DataFrame, column: str, *, required: bool = True, keep_categorical: bool = False
) -> pl.Series:
    series = frame[column]
    limit = TEXT_LIMITS.get(column)
    if isinstance(series.dtype, pl.Categorical | pl.Enum):
        # each distinct value checked once; ``keep_categorical``: the column stays so (the caller casts it)
        if keep_categorical and not (required and series.null_count()) and _text_clean(
                series.unique().cast(pl.String), limit=limit, required=required):
            return series
        series = series.cast(pl.String)
    if series.dtype != pl.String:
        raise LedgerFileError(
            f"{checks.path}, column {column}: type {series.dtype} where text was expected",
            path=checks.path,
            column=column,
            problem=f"type {series.dtype} where text was expected",
            problem_code="wrong_type",
            problem_args={"type": str(series.dtype), "expected": "text"},
        )
    if _text_clean(series, limit=limit, required=required):
        return series
    if required:
        checks.add(
            column=column, bad=series.is_null() | (series == ""), describe=lambda _: "is empty", kind="empty"
        )
    checks.add(
        column=column,
        bad=series.str.contains("\x00", literal=True).fill_null(False),
        describe=lambda _: "contains a NUL character",
        kind="nul_character",
    )
    if limit is not None:
        checks.add(
            column=column,
            bad=(series.str.len_chars() > limit).fill_null(False),
            describe=lambda _: f"is longer than {limit} characters",
            kind="too_long",
            args=lambda _: {"limit": limit},
        )
    return series


def _text_clean(series: pl.Series, *, limit: int | None, required: bool) -> bool:
    """True when no cell of a text column can fail a check of ``_text`` (the usual case), so the per-row
    checks are skipped: no empty cell (when required), no NUL, no cell longer than ``limit`` bytes (a
    character is at least one byte). One pass over the bytes as Arrow offsets and data, instead of a string
    kernel per check; False only sends the column to the per-row checks, which decide."""
    if required and series.null_count():
        return False
    for start in range(0, series.len(), _CLEAN_SLICE):  # by slices: the Arrow copy stays small
        arrow = series.slice(start, _CLEAN_SLICE).to_arrow(compat_level=pl.CompatLevel.oldest())
        if not _arrow_text_clean(arrow, limit=limit, required=required):
            return False
    return True


_CLEAN_SLICE = 1 << 20


def _arrow_text_clean(arrow: pa.Array | pa.ChunkedArray, *, limit: int | None, required: bool) -> bool:
    for chunk in arrow.chunks if isinstance(arrow, pa.ChunkedArray) else [arrow]:  # large_string chunks
        if len(chunk) == 0:
            continue
        offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int64)[chunk.offset : chunk.offset + len(chunk) + 1]
        lengths = np.diff(offsets)
        if (required and int(lengths.min()) == 0) or (limit is not None and int(lengths.max()) > limit):
            return False
        data = chunk.buffers()[2]
        if data is not None and offsets[-1] > offsets[0]:
            if not np.frombuffer(data, dtype=np.uint8)[offsets[0] : offsets[-1]].all():  # a NUL byte
                return False
    return True


def _integer(checks: _Checks, frame: pl.DataFrame, column: str, *, minimum: int | None = None) -> pl.Series:
    series = frame[column]
    if series.dtype.is_integer():
        missing = series.is_null()
        checks.add(column=column, bad=missing, describe=lambda _: "is empty", kind="empty")
        if series.dtype == pl.UInt64:
            too_big = series > 2**63 - 1
            checks.add(
                column=column,
                bad=too_big.fill_null(False),
                describe=lambda i: "is too large",
                kind="too_large",
            )
            series = series.clip(upper_bound=2**63 - 1)
        values = series.cast(pl.Int64)
    elif series.dtype == pl.String:
        checks.add(
            column=column, bad=series.is_null() | (series == ""), describe=lambda _: "is empty", kind="empty"
        )
        values = series.str.to_integer(strict=False)
        bad = series.is_not_null() & (series != "") & (values.is_null() | ~series.str.contains(_INTEGER))
        checks.add(
            column=column,
            bad=bad,
            describe=lambda i: f"{_quoted(series[i])} is not an integer",
            kind="not_integer",
            args=lambda i: {"value": _shown(series[i])},
        )
    else:
        raise LedgerFileError(
            f"{checks.path}, column {column}: type {series.dtype} where integers (won) were expected",
            path=checks.path,
            column=column,
            problem=f"type {series.dtype} where integers (won) were expected",
            problem_code="wrong_type",
            problem_args={"type": str(series.dtype), "expected": "integer"},
        )
    if minimum is not None:
        checks.add(
            column=column,
            bad=(values < minimum).fill_null(False),
            describe=lambda i: f"{values[i]} is below {minimum}",
            kind="below_minimum",
            args=lambda i: {"value": _shown(values[i]), "minimum": minimum},
        )
    return values


def _choice(
    checks: _Checks, frame: pl.DataFrame, column: str, *, enum: pl.Enum, what: str, kind: str
) -> pl.Series:
    if frame[column].dtype == enum and not frame[column].null_count():  # decoded from a Parquet dictionary
        return frame[column]
    if frame[column].dtype == pl.String:
        # every cell one of the few known values (the usual case; such cells pass every text check): looked up
        # by hash, with no per-row cast
        codes = value_codes(values=frame[column], keys=enum.categories)
        if (codes >= 0).all():
            return _gathered(pl.Series(enum.categories, dtype=enum), codes, column)
    series = _text(checks, frame, column, keep_categorical=True)
    values = series.cast(enum, strict=False)
    if not values.null_count():  # every cell is a known value
        return values
    bad = series.is_not_null() & (series != "") & values.is_null()
    allowed = ", ".join(enum.categories.to_list())
    checks.add(
        column=column,
        bad=bad,
        describe=lambda i: f"{_quoted(series[i])} is not a {what} ({allowed})",
        kind=kind,
        args=lambda i: {"value": _shown(series[i]), "allowed": allowed},
    )
    return values


def _date(checks: _Checks, frame: pl.DataFrame, column: str, *, required: bool = True) -> pl.Series:
    series = frame[column]
    if series.dtype == pl.Date:
        if required:
            checks.add(column=column, bad=series.is_null(), describe=lambda _: "is empty", kind="empty")
        return series
    series = _text(checks, frame, column, required=required)
    values = series.str.to_date("%Y-%m-%d", strict=False)
    bad = series.is_not_null() & (series != "") & (values.is_null() | ~series.str.contains(_DATE))
    checks.add(
        column=column,
        bad=bad,
        describe=lambda i: f"{_quoted(series[i])} is not a date (YYYY-MM-DD)",
        kind="not_date",
        args=lambda i: {"value": _shown(series[i])},
    )
    return values


def _boolean(checks: _Checks, frame: pl.DataFrame, column: str) -> pl.Series:
    series = frame[column]
    if series.dtype == pl.Boolean:
        checks.add(column=column, bad=series.is_null(), describe=lambda _: "is empty", kind="empty")
        return series
    series = _text(checks, frame, column)
    lowered = series.str.strip_chars().str.to_lowercase()
    values = pl.select(
        pl.when(lowered.is_in(_TRUE))
        .then(True)
        .when(lowered.is_in(_FALSE))
        .then(False)
        .otherwise(None)
        .alias(column)
    ).to_series()
    bad = series.is_not_null() & (series != "") & values.is_null()
    checks.add(
        column=column,
        bad=bad,
        describe=lambda i: f"{_quoted(series[i])} is not true or false",
        kind="not_boolean",
        args=lambda i: {"value": _shown(series[i])},
    )
    return values


def _timestamp(checks: _Checks, frame: pl.DataFrame, column: str) -> pl.Series:
    """UTC timestamps; text without an offset is Asia/Seoul local time."""
    series = frame[column]
    if isinstance(series.dtype, pl.Datetime):
        checks.add(column=column, bad=series.is_null(), describe=lambda _: "is empty", kind="empty")
        if series.dtype.time_zone is None:
            series = series.dt.replace_time_zone("Asia/Seoul", ambiguous="earliest", non_existent="null")
        return series.dt.convert_time_zone("UTC").cast(TIMESTAMP)
    series = _text(checks, frame, column)
    offset = pl.col("4")
    offset_minutes = (
        pl.when(offset.str.to_uppercase() == "Z")
        .then(0)
        .otherwise(
            (
                offset.str.slice(1, 2).cast(pl.Int64, strict=False) * 60
                + offset.str.slice(-2, 2).cast(pl.Int64, strict=False)
            )
            * pl.when(offset.str.starts_with("-")).then(-1).otherwise(1)
        )
    )
    local = pl.concat_str(
        [pl.col("1"), pl.lit("T"), pl.col("2"), pl.col("3").fill_null(":00")]
    ).str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", strict=False, time_unit="us")
    parsed = (
        pl.LazyFrame({"raw": series})
        .select(pl.col("raw").str.extract_groups(_TIMESTAMP).alias("parts"))
        .unnest("parts")
        .select(local=local, offset_minutes=offset_minutes)
        .select(
            pl.when(pl.col("offset_minutes").is_null())
            .then(
                pl.col("local")
                .dt.replace_time_zone("Asia/Seoul", ambiguous="earliest", non_existent="null")
                .dt.convert_time_zone("UTC")
            )
            .otherwise(
                (pl.col("local") - pl.duration(minutes=pl.col("offset_minutes"))).dt.replace_time_zone("UTC")
            )
            .alias(column)
        )
        .collect()
        .to_series()
        .cast(TIMESTAMP)
    )
    bad = series.is_not_null() & (series != "") & parsed.is_null()
    checks.add(
        column=column,
        bad=bad,
        describe=lambda i: f"{_quoted(series[i])} is not an ISO 8601 timestamp",
        kind="not_timestamp",
        args=lambda i: {"value": _shown(series[i])},
    )
    return parsed


def _first_duplicate(checks: _Checks, column: str, values: pl.Series, what: str) -> None:
    """Report the first row repeating an earlier value.

    Distinct 64-bit hashes prove distinct values, so only rows whose hash repeats (usually
    none) are compared as strings.
    """
    hashes = values.hash(seed=11).to_numpy()
    ordered = np.sort(hashes)
    repeats = ordered[1:][ordered[1:] == ordered[:-1]]
    if repeats.size == 0:
        return
    candidates = pl.Series(hashes).is_in(pl.Series(np.unique(repeats)).implode()) & values.is_not_null()
    rows = candidates.arg_true()
    subset = values.gather(rows)
    repeat = ~subset.is_first_distinct()
    if not repeat.any():
        return
    position = int(repeat.arg_true()[0])
    value = subset[position]
    first = int(rows[int((subset == value).arg_true()[0])])
    first = (int(checks.rows[first]) if checks.rows is not None else first) + 1
    checks.add_at(
        column=column,
        index=int(rows[position]),
        text=f"duplicate {what} {_quoted(value)} (first at data row {first})",
        kind="duplicate",
        args={"value": _shown(value), "first_row": first},
    )


def transactions_read(
    *, path: Path, part: pl.DataFrame | None = None, rows: np.ndarray | None = None,
    project_ids: pl.Series | None = None,
) -> pl.DataFrame:
    """Transactions in the engine's schema (see ``TRANSACTION_SCHEMA``).

    ``project_ids`` (the known projects, sorted): a Parquet file's ``project_id`` then comes as the Enum of them
    (its physical value is the engine's project code) and ``merchant_type`` as the Enum of its values, 4 bytes a
    row instead of a string's 16 (``TRANSACTION_COMPACT``); a file with an empty or unknown project comes as text,
    for the checks to name the row.

    ``part``: some rows already read from the file (``engine.settlement_stream`` reads a file project range
    by project range), checked instead of the whole file; ``rows`` are their 0-based rows in the file, so a
    problem names the file's row. A duplicate ``txn_id`` is then found only within the part (the streamed
    settlement checks the whole file's ids itself)."""
    name = str(path)
    # each column's problems apart, joined in the columns' order at the end: the columns are checked on two threads
    checks = {column: _Checks(name, rows=rows) for column in (*_CHECKED_IN_ORDER, "duplicate")}
    failed: dict[str, LedgerFileError] = {}  # a column of the wrong type: raised in the columns' order, as in turn

    def attempt(column: str, check: Callable[[], pl.Series]) -> pl.Series | None:
        try:
            return check()
        except LedgerFileError as error:
            failed[column] = error
            return None

    def ids_checked(frame: pl.DataFrame) -> pl.Series | None:
        return attempt("txn_id", lambda: _text(checks["txn_id"], frame, "txn_id"))

    # A second thread reads a Parquet file's dictionary columns, then checks the ids' text, while this one reads the
    # other columns, checks them and looks for repeated ids (file-wide): the kernels (pyarrow, Polars, numpy)
    # release the GIL, and the two threads' shares come out about even (10M rows: about 1.3 s each).
    clean: tuple[str, ...] = ()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="doyak-read") as pool:
        decoding = None
        if part is not None:
            frame = part
        elif path.suffix.lower() in _PARQUET_SUFFIXES:
            frame, decoding = _parquet_transactions(path, project_ids=project_ids, pool=pool)
        else:
            frame = table_read(path=path, required=TRANSACTION_COLUMNS, optional=TRANSACTION_OPTIONAL_COLUMNS)
        checking_ids = pool.submit(ids_checked, frame)
        amount = attempt("amount", lambda: _integer(checks["amount"], frame, "amount"))
        occurred_at = attempt("occurred_at", lambda: _timestamp(checks["occurred_at"], frame, "occurred_at"))
        ids_are_text = frame["txn_id"].dtype == pl.String  # then the checked ids are these very values
        if ids_are_text:
            _first_duplicate(checks["duplicate"], "txn_id", frame["txn_id"], "txn_id")
        merchant_id = attempt("merchant_id", lambda: _text(checks["merchant_id"], frame, "merchant_id"))
        if decoding is not None:
            frame, clean = _parquet_decoded(path, frame, decoding)
        # an Enum of the known projects holds only ids the projects file's checks passed
        project_id = frame["project_id"] if "project_id" in clean else attempt(
            "project_id", lambda: _text(checks["project_id"], frame, "project_id"))
        category = attempt("category", lambda: _choice(
            checks["category"], frame, "category", enum=CATEGORY_ENUM, what="known category", kind="unknown_category"))
        merchant_type = frame["merchant_type"] if "merchant_type" in clean else attempt(
            "merchant_type", lambda: _text(checks["merchant_type"], frame, "merchant_type", keep_categorical=True))
        evidence = attempt("evidence", lambda: _choice(
            checks["evidence"], frame, "evidence", enum=EVIDENCE_ENUM, what="known evidence kind",
            kind="unknown_evidence"))
        optional: list[pl.Series | None] = []
        if "documents" in frame.columns:
            optional.append(attempt("documents", lambda: _integer(
                checks["documents"], frame, "documents", minimum=0).alias("documents")))
        if "equipment_item" in frame.columns:
            optional.append(attempt("equipment_item", lambda: _text(
                checks["equipment_item"], frame, "equipment_item", required=False
            ).str.strip_chars().replace("", None).alias("equipment_item")))
        txn_id = checking_ids.result()
        if txn_id is not None and not ids_are_text:
            _first_duplicate(checks["duplicate"], "txn_id", txn_id, "txn_id")
    for column in _CHECKED_IN_ORDER:
        if column in failed:
            raise failed[column]
    problems = _Checks(name, rows=rows)
    for column in (*_CHECKED_IN_ORDER, "duplicate"):
        problems.problems.extend(checks[column].problems)
    problems.raise_first()
    assert txn_id is not None and project_id is not None and category is not None and amount is not None
    assert occurred_at is not None and merchant_id is not None and merchant_type is not None and evidence is not None
    # built in its order, not selected into it: a select would rechunk (copy) every text column
    return pl.DataFrame(
        [
            txn_id.alias("txn_id"),
            project_id.alias("project_id"),
            category.alias("category"),
            amount.rechunk().alias("amount"),  # contiguous: the engine's numpy view of it is then no copy
            occurred_at.rechunk().alias("occurred_at"),
            merchant_id.alias("merchant_id"),
            (merchant_type if project_ids is not None and merchant_type.dtype != pl.Categorical else
             merchant_type.cast(pl.String)).alias("merchant_type"),
            evidence.alias("evidence"),
            *(series for series in optional if series is not None),
        ]
    )


# The order the columns were checked in when checked one after another: their problems are listed so.
_CHECKED_IN_ORDER = ("txn_id", "project_id", "category", "amount", "occurred_at", "merchant_id", "merchant_type",
                     "evidence", "documents", "equipment_item")

# Text columns of few distinct values, read from a Parquet file's dictionaries: each distinct value is checked and
# mapped once, a row carries only its index (no per-row text, no per-row cast).
_DICTIONARY_COLUMNS = ("category", "evidence", "merchant_type")


def _parquet_transactions(
    path: Path, *, project_ids: pl.Series | None, pool: ThreadPoolExecutor
) -> tuple[pl.DataFrame, Future[tuple[list[pl.Series], list[str]]]]:
    """The transaction columns of a Parquet file that are not read from its dictionaries, and (on ``pool``) those
    that are (:func:`_dictionary_columns`, joined by :func:`_parquet_decoded`). Category and evidence come as their
    Enum when every cell is a known value, merchant type as the Enum of its values checked per distinct value; with
    ``project_ids`` (sorted), project_id as their Enum when every cell is one (each distinct id looked up once, from
    the file's dictionaries); a column with an empty cell or an unknown value comes as text, for the per-row checks
    to name the rows."""
    columns = parquet_columns(path=path, required=TRANSACTION_COLUMNS, optional=TRANSACTION_OPTIONAL_COLUMNS)
    with _read_errors(path):
        schema = pl.read_parquet_schema(path)
        coded = [column for column in _DICTIONARY_COLUMNS if schema[column] == pl.String]
        if project_ids is not None and schema["project_id"] == pl.String:
            coded.insert(0, "project_id")
        decoding = pool.submit(_dictionary_columns, path, coded, project_ids=project_ids)
        try:
            return pl.read_parquet(path, columns=[column for column in columns if column not in coded]), decoding
        except BaseException:
            decoding.cancel()
            raise


def _parquet_decoded(
    path: Path, frame: pl.DataFrame, decoding: Future[tuple[list[pl.Series], list[str]]]
) -> tuple[pl.DataFrame, tuple[str, ...]]:
    """``frame`` with the dictionary columns ``decoding`` gives, in the file's order, and those already checked."""
    columns = parquet_columns(path=path, required=TRANSACTION_COLUMNS, optional=TRANSACTION_OPTIONAL_COLUMNS)
    with _read_errors(path):
        decoded, clean = decoding.result()
    by_name = {series.name: series for series in (*frame.get_columns(), *decoded)}
    # built column by column: a select would rechunk (copy) the read's text columns to match the decoded ones
    return pl.DataFrame([by_name[column] for column in columns]), tuple(clean)


@contextlib.contextmanager
def _read_errors(path: Path) -> Iterator[None]:
    """A file that cannot be read raises :class:`LedgerFileError` naming it."""
    name = str(path)
    try:
        yield
    except OSError as error:
        raise LedgerFileError(f"{name}: cannot read ({error.strerror or error})", path=name,
                              code="unreadable_file") from None
    except (pl.exceptions.PolarsError, ValueError) as error:  # pyarrow's ArrowInvalid is a ValueError
        raise LedgerFileError(f"{name}: not a readable file ({error})", path=name) from None


def _dictionary_columns(
    path: Path, coded: list[str], *, project_ids: pl.Series | None
) -> tuple[list[pl.Series], list[str]]:
    """The ``coded`` columns of a Parquet file from its dictionaries (see :func:`_parquet_transactions`), and those
    of them already checked."""
    dictionaries = _dictionaries_read(path, coded)
    clean: list[str] = []
    decoded: list[pl.Series] = []
    for column in coded:
        values, index = dictionaries[column]
        text = pl.Series(values, dtype=pl.String)
        enum = {"category": CATEGORY_ENUM, "evidence": EVIDENCE_ENUM}.get(column)
        if index is not None and column == "project_id" and project_ids is not None:
            # an Enum of the known projects holds only ids the projects file's checks passed
            lookup = value_codes(values=text, keys=project_ids)
            if (lookup >= 0).all():
                clean.append(column)
                decoded.append(_enum_column(pl.Enum(project_ids), index, column, lookup=lookup))
                continue
        elif index is not None and enum is not None and text.is_in(enum.categories.implode()).all():
            lookup = np.array([enum.categories.to_list().index(value) for value in values], dtype=np.uint32)
            decoded.append(_enum_column(enum, index, column, lookup=lookup))
            continue
        elif index is not None and enum is None and _text_clean(
                text, limit=TEXT_LIMITS.get(column), required=True):
            clean.append(column)
            if project_ids is not None:  # the compact ledger's column: the Enum of its distinct values
                decoded.append(_enum_column(pl.Enum(values), index, column))
                continue
        # as text: from the dictionary, or read again when the file has empty cells (the checks name them)
        decoded.append(_gathered(text, index, column) if index is not None else
                       pl.read_parquet(path, columns=[column]).to_series())
    return decoded, clean


_PHYSICAL = {pl.UInt8: np.uint8, pl.UInt16: np.uint16, pl.UInt32: np.uint32}


def _enum_column(enum: pl.Enum, index: np.ndarray, name: str, *, lookup: np.ndarray | None = None) -> pl.Series:
    """The ``enum`` column whose row i is the category at ``lookup[index[i]]`` (``index[i]`` without a lookup),
    made from its physical values at the Enum's own width: no gather of Polars values."""
    physical = _PHYSICAL[pl.Series(dtype=enum).to_physical().dtype]
    codes = index.astype(physical) if lookup is None else np.take(lookup.astype(physical), index)
    return pl.Series(name, codes).cat.to(enum)


def _dictionaries_read(path: Path, columns: list[str]) -> dict[str, tuple[list[str], np.ndarray | None]]:
    """Each of ``columns`` (text) of a Parquet file as its distinct values and each row's position among them,
    read row group by row group (one group's buffers at a time); a column with an empty cell comes with no
    positions (its caller reads it as text, for the per-row checks). Each group's dictionary is looked up among
    the values seen before as a whole (``value_codes``), new values taking the next positions in their order."""
    if not columns:
        return {}
    file = pq.ParquetFile(path, read_dictionary=columns)
    values = {column: pl.Series(dtype=pl.String) for column in columns}
    positions = {column: np.empty(file.metadata.num_rows, dtype=np.int32) for column in columns}
    complete = list(columns)  # the columns with no empty cell so far
    at = 0
    for group in range(file.num_row_groups):
        table = file.read_row_group(group, columns=columns)
        for column in list(complete):
            start = at
            for chunk in table[column].chunks:  # one dictionary a row group, mapped onto the file's values
                if chunk.null_count:
                    complete.remove(column)
                    break
                if len(chunk) == 0:
                    continue
                dictionary = pl.Series(pl.from_arrow(chunk.dictionary), dtype=pl.String)
                lookup = value_codes(values=dictionary, keys=values[column])
                new = lookup < 0
                lookup[new] = values[column].len() + np.arange(int(new.sum()), dtype=lookup.dtype)
                values[column] = pl.concat([values[column], dictionary.filter(pl.Series(new))])
                np.take(lookup.astype(np.int32, copy=False), _indices(chunk.indices), mode="clip",
                        out=positions[column][start : start + len(chunk)])
                start += len(chunk)
        at += table.num_rows
        del table
    pa.default_memory_pool().release_unused()
    return {column: (values[column].to_list(), positions[column] if column in complete else None)
            for column in columns}


def _indices(indices: pa.Array) -> np.ndarray:
    """A dictionary chunk's indices (signed integers, no nulls) as numpy, from its buffer: pyarrow's ``to_numpy``
    imports pandas, half a second of a run's CPU."""
    dtype = np.dtype(f"int{indices.type.bit_width}")
    return np.frombuffer(indices.buffers()[1], dtype=dtype)[indices.offset : indices.offset + len(indices)]


def _gathered(values: pl.Series, index: np.ndarray, name: str) -> pl.Series:
    return pl.select(pl.lit(values).gather(pl.Series(index)).alias(name)).to_series()


def projects_read(*, path: Path) -> pl.DataFrame:
    """Projects in the engine's schema (see ``PROJECT_SCHEMA``)."""
    frame = table_read(path=path, required=PROJECT_COLUMNS, optional=PROJECT_OPTIONAL_COLUMNS)
    checks = _Checks(str(path))
    project_id = _text(checks, frame, "project_id")
    start = _date(checks, frame, "start_date")
    end = _date(checks, frame, "end_date")
    self_settlement = _boolean(checks, frame, "self_settlement")
    gov = _integer(checks, frame, "gov_funds", minimum=0)
    cash = _integer(checks, frame, "cash_funds", minimum=0)
    checks.add(
        column="end_date",
        bad=(end < start).fill_null(False),
        describe=lambda i: f"{end[i]} is before start_date {start[i]}",
        kind="end_before_start",
        args=lambda i: {"value": _shown(end[i]), "start_date": _shown(start[i])},
    )
    checks.add(
        column="cash_funds",
        bad=((gov + cash) <= 0).fill_null(False),
        describe=lambda _: "gov_funds + cash_funds must be above 0",
        kind="funds_not_positive",
    )
    optional: list[pl.Series] = []
    for column in PROJECT_OPTIONAL_COLUMNS:
        if column not in frame.columns:
            continue
        if column == "other_cash_funds":
            optional.append(_integer(checks, frame, column, minimum=0).alias(column))
        else:
            optional.append(_date(checks, frame, column, required=False).alias(column))
    _first_duplicate(checks, "project_id", project_id, "project_id")
    checks.raise_first()
    return pl.DataFrame(
        [
            project_id.alias("project_id"),
            start.alias("start_date"),
            end.alias("end_date"),
            self_settlement.alias("self_settlement"),
            gov.alias("gov_funds"),
            cash.alias("cash_funds"),
            *optional,
        ]
    )


def budgets_read(*, path: Path) -> pl.DataFrame:
    """Approved budget lines in the engine's schema (see ``BUDGET_SCHEMA``)."""
    frame = table_read(path=path, required=BUDGET_COLUMNS)
    checks = _Checks(str(path))
    project_id = _text(checks, frame, "project_id")
    category = _choice(
        checks, frame, "category", enum=CATEGORY_ENUM, what="known category", kind="unknown_category"
    )
    approved = _integer(checks, frame, "approved", minimum=0)
    line = pl.select(
        pl.concat_str([pl.lit(project_id), pl.lit(category.cast(pl.String))], separator="\x1f")
    ).to_series()
    _first_duplicate(checks, "category", line, "budget line for project and category")
    checks.raise_first()
    return pl.DataFrame(
        [project_id.alias("project_id"), category.alias("category"), approved.alias("approved")]
    )


def equipment_read(*, path: Path) -> pl.DataFrame:
    """Planned equipment items in the engine's schema (see ``EQUIPMENT_SCHEMA``)."""
    frame = table_read(path=path, required=EQUIPMENT_COLUMNS)
    checks = _Checks(str(path))
    project_id = _text(checks, frame, "project_id")
    item = _text(checks, frame, "equipment_item").str.strip_chars()
    planned = _integer(checks, frame, "planned_amount", minimum=0)
    line = pl.select(pl.concat_str([pl.lit(project_id), pl.lit(item)], separator="\x1f")).to_series()
    _first_duplicate(checks, "equipment_item", line, "planned item for project")
    checks.raise_first()
    return pl.DataFrame(
        [project_id.alias("project_id"), item.alias("equipment_item"), planned.alias("planned_amount")]
    )


def _unknown_projects(
    *, path: Path, values: pl.Series, known: pl.Series, projects_path: Path, rows: np.ndarray | None = None
) -> None:
    """Report the first row whose project is not in the projects file (``rows``: each value's 0-based
    row in the file, when ``values`` are a part of it).

    Compared by 64-bit hash (a value whose hash is unknown is certainly unknown); the engine
    maps projects exactly and rejects the astronomically unlikely collision on its own.
    """
    bad = ~values.hash(seed=3).is_in(known.hash(seed=3).implode())
    if bad.any():
        position = int(bad.arg_true()[0])
        index = int(rows[position]) if rows is not None else position
        raise LedgerFileError(
            f"{path} data row {index + 1}, column project_id: {_quoted(values[position])} is not in {projects_path}",
            path=str(path),
            row=index + 1,
            column="project_id",
            code="unknown_project",
            problem=f"{_quoted(values[position])} is not in {projects_path}",
            problem_code="unknown_project",
            problem_args={"value": _shown(values[position]), "projects_path": str(projects_path)},
        )


def ledger_read(
    *, transactions_path: Path, projects_path: Path, budgets_path: Path, equipment_path: Path | None = None
) -> Ledger:
    """Read the three files (and the optional planned equipment), check every reference between them,
    return the ledger."""
    projects = projects_read(path=projects_path)

    def budgets_checked() -> pl.DataFrame:
        lines = budgets_read(path=budgets_path)
        _unknown_projects(path=budgets_path, values=lines["project_id"], known=projects["project_id"],
                          projects_path=projects_path)
        return lines

    # the budgets on a thread of their own while the transactions are read; an error of theirs still comes first
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="doyak-budgets") as pool:
        reading_budgets = pool.submit(budgets_checked)
        equipment = None
        if equipment_path is not None:
            reading_budgets.result()  # the budgets' errors before the equipment's
            equipment = equipment_read(path=equipment_path)
            _unknown_projects(
                path=equipment_path, values=equipment["project_id"], known=projects["project_id"],
                projects_path=projects_path,
            )
        known = projects["project_id"].sort()
        try:
            transactions = transactions_read(path=transactions_path, project_ids=known)
        except LedgerFileError:
            reading_budgets.result()
            raise
        budgets = reading_budgets.result()
    # the engine's project lookup, done here once: when every project is known, the ledger keeps it (an Enum of
    # the sorted ids is the lookup itself)
    project = transactions["project_id"]
    # (an Enum's physical values are read in place: u16 for up to 65,535 projects, no copy at four bytes a row)
    codes = project.to_physical().to_numpy() if project.dtype == pl.Enum(known) else value_codes(
        values=project, keys=known)
    if (codes < 0).any():
        _unknown_projects(
            path=transactions_path,
            values=transactions["project_id"],
            known=projects["project_id"],
            projects_path=projects_path,
        )
    ledger = Ledger(transactions=transactions, projects=projects, budgets=budgets, equipment=equipment)
    return ledger_with_project_codes(ledger, codes) if (codes >= 0).all() else ledger


def project_ids_read(*, path: Path, known: pl.Series) -> list[str]:
    """Project ids from a text file, one per line (blank lines, ``#`` comments and a
    ``project_id`` header line are skipped); each must be a known project."""
    name = str(path)
    try:
        text = _decode_csv(name, path.read_bytes()).decode("utf-8")
    except OSError as error:
        raise LedgerFileError(
            f"{name}: cannot read ({error.strerror})", path=name, code="unreadable_file"
        ) from None
    ids: list[str] = []
    known_set = set(known.to_list())
    for number, line in enumerate(text.splitlines(), start=1):
        value = line.split("#", 1)[0].strip().strip(",")
        if not value or (not ids and value == "project_id"):
            continue
        if value not in known_set:
            raise LedgerFileError(
                f"{name} line {number}: project {_quoted(value)} is not in the projects file",
                path=name,
                row=number,
                code="unknown_project",
            )
        ids.append(value)
    return ids


__all__ = [
    "BUDGET_COLUMNS",
    "CATEGORIES",
    "EQUIPMENT_COLUMNS",
    "EVIDENCE_KINDS",
    "PROJECT_COLUMNS",
    "TRANSACTION_COLUMNS",
    "LedgerFileError",
    "budgets_read",
    "equipment_read",
    "ledger_read",
    "project_ids_read",
    "projects_read",
    "table_read",
    "transactions_read",
]
