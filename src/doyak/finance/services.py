"""Writes of the finance app. Atomic, permission-checked, audited; never see the HTTP request."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, DateField, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from doyak.accounts.rules import Actor
from doyak.agreements.enums import AgreementStatus
from doyak.agreements.models import Agreement
from doyak.core.audit import audit_record
from doyak.core.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from doyak.core.files import evidence_content_type
from doyak.core.inputs import text_problem
from doyak.core.labels import audit_actions_register
from doyak.core.runs import LeaseLost, lease_acquire, lease_assert_held, lease_release, lease_valid_for
from doyak.engine.errors import EngineError
from doyak.engine.ledger_io import (
    PROBLEMS_LISTED_MAX,
    TEXT_LIMITS,
    TRANSACTION_COLUMNS,
    LedgerFileError,
    table_read,
    transactions_read,
)
from doyak.engine.self_settlement import (
    SelfSettlementRules,
    monthly_sample_draw,
    months_from_rows,
    project_months,
)
from doyak.engine.settlement import clawback_from_share, ineligible_after_decisions, ledger_settle
from doyak.engine.settlement_evidence import evidence_by_project, evidence_items
from doyak.policies.services import policy_value

from .enums import (
    FLAG_TRANSITIONS,
    Category,
    Evidence,
    FlagStatus,
    RunPurpose,
    RunScope,
    RunStatus,
    TransactionSource,
)
from .import_messages import import_error_message, import_problem_messages
from .ledger import engine_txn_id, ledger_for_agreements
from .models import (
    AuditSampleMonth,
    EvidenceFile,
    Flag,
    FlagSummary,
    SettlementClose,
    SettlementResult,
    SettlementRun,
    SettlementRunPart,
    Transaction,
)
from .policies import (
    settlement_policy_from_snapshot,
    settlement_policy_snapshot,
    snapshot_documents_required,
    snapshot_self_settlement_rules,
)
from .rules import (
    can_close_settlement,
    can_decide_flag,
    can_enter_transactions,
    can_explain_flag,
    can_manage_settlement,
)

AUDIT_ACTIONS = audit_actions_register({
    "transactions.import": gettext_lazy("Transactions imported"),
    "transaction.create": gettext_lazy("Transaction entered"),
    "transaction.evidence_attach": gettext_lazy("Evidence attached to a transaction"),
    "flag.explain": gettext_lazy("Flag explained"),
    "flag.decide": gettext_lazy("Flag decided"),
    "settlement_run.start": gettext_lazy("Settlement started"),
    "settlement_run.resume": gettext_lazy("Settlement resumed"),
    "settlement.close": gettext_lazy("Settlement closed"),
})

logger = logging.getLogger(__name__)

# Agreements settled per chunk (one database transaction each): an operating setting, not a policy.
CHUNK_SIZE = getattr(settings, "DOYAK_SETTLEMENT_CHUNK_SIZE", 25)

# Test hook: called as ``hook(run, chunk_index)`` after each chunk commits (tests raise in it to simulate a crash).
chunk_committed_hook: Callable[[SettlementRun, int], None] | None = None
# Test hook: called as ``hook(part)`` when a worker holds a part, before it settles it (tests hang or crash there).
part_started_hook: Callable[[SettlementRunPart], None] | None = None


def _agreement_for_entry_or_raise(*, actor: Actor, agreement_id: int, lock: bool = False) -> Agreement:
    qs = Agreement.objects.select_related("proposal")
    agreement = (qs.select_for_update(of=("self",)) if lock else qs).filter(pk=agreement_id).first()
    if agreement is None:
        raise NotFound(_("Agreement not found."), code="agreement_not_found")
    if not can_enter_transactions(actor, agreement):  # SYSTEM (a command-line import) acts as an administrator
        raise AccessDenied(_("You may not enter spending for this agreement."), code="ledger_forbidden")
    return agreement


# --------------------------------------------------------------------------------------------
# Transactions: import (all or nothing) and manual entry
# --------------------------------------------------------------------------------------------

def _cell_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip() if str(value).strip() != "" else None


def _xlsx_frame(*, path: Path, name: str) -> pl.DataFrame:
    """The first sheet of an XLSX file as text columns (header in row 1), read-only and streamed."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not XLSX
        raise ValidationFailed(_("%(name)s is not a readable XLSX file.") % {"name": name},
                               code="import_unreadable", field="file") from exc
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = [str(cell).strip() if cell is not None else "" for cell in next(rows, ())]
        data: list[list[str | None]] = [[] for _ in header]
        for row in rows:
            if row is None or all(cell is None for cell in row):
                continue
            for index in range(len(header)):
                data[index].append(_cell_text(row[index]) if index < len(row) else None)
    finally:
        book.close()
    if not any(header):
        raise ValidationFailed(_("%(name)s: empty file (no header).") % {"name": name}, code="import_empty",
                               field="file")
    return pl.DataFrame({column: pl.Series(values, dtype=pl.String) for column, values in zip(header, data,
                                                                                               strict=True)
                         if column})


class ImportRowsInvalid(ValidationFailed):
    """The file has bad rows; ``errors`` lists every one (row order, bounded), ``message`` names the first;
    nothing was imported."""

    code = "import_malformed"

    def __init__(self, errors: list[tuple[int, str, str]], *, name: str) -> None:
        errors = sorted(errors, key=lambda e: e[0])[:PROBLEMS_LISTED_MAX]
        first_row, first_column, first_message = errors[0]
        message = first_message if len(errors) == 1 else _(
            "%(name)s has %(n)s problems; the first: %(first)s") % {"name": name, "n": len(errors),
                                                                   "first": first_message}
        super().__init__(message, code="import_malformed", field=first_column)
        self.row = first_row
        self.errors = [text for _row, _column, text in errors]


def _import_error(error: LedgerFileError, *, name: str, extra: list[tuple[int, str, str]]) -> ValidationFailed:
    if not error.problems:  # the file itself (unreadable, a missing column): one sentence
        failed = ValidationFailed(import_error_message(error, name=name), code="import_malformed", field=error.column)
        failed.row = error.row  # type: ignore[attr-defined]
        failed.errors = [str(failed.message)]  # type: ignore[attr-defined]
        return failed
    rows = [(p.row, p.column, text) for p, text in zip(error.problems, import_problem_messages(error, name=name),
                                                       strict=True)]
    return ImportRowsInvalid(rows + extra, name=name)


def _choice_labels(choices) -> dict[str, str]:
    """Code, Korean label and English label (spaces dropped, lower case) → code: a file may say 연구재료비,
    materials or Materials, 카드 전표 or 카드전표."""
    mapping: dict[str, str] = {}
    for value, label in choices:
        mapping[_folded(value)] = value
        for lang in ("en", "ko"):
            with translation.override(lang):
                mapping[_folded(str(label))] = value
    return mapping


def _folded(text: str) -> str:
    return "".join(text.split()).lower()


def _codes_for_labels(frame: pl.DataFrame) -> pl.DataFrame:
    """``category`` and ``evidence`` written as their Korean or English labels become their codes; anything
    else stays as written, for the engine to refuse naming the allowed codes."""
    for column, choices in (("category", Category.choices), ("evidence", Evidence.choices)):
        if column not in frame.columns or frame[column].dtype != pl.String:
            continue
        mapping = _choice_labels(choices)
        folded = frame[column].str.replace_all(r"\s+", "").str.to_lowercase()
        known = folded.replace_strict(mapping, default=None, return_dtype=pl.String)
        frame = frame.with_columns(known.fill_null(frame[column]).alias(column))
    return frame


def _row_problems(frame: pl.DataFrame, *, agreement: Agreement, name: str) -> list[tuple[int, str, str]]:
    """Problems the engine does not know: a row naming another agreement, a description that cannot be stored."""
    problems: list[tuple[int, str, str]] = []
    if "project_id" in frame.columns:
        ids = frame["project_id"].cast(pl.String)
        wrong = (ids.is_not_null() & (ids != "") & (ids != agreement.number)).arg_true().head(PROBLEMS_LISTED_MAX)
        problems += [(index + 1, "project_id", _(
            "%(name)s data row %(row)s, column project_id: %(value)r is not agreement %(number)s.")
            % {"name": name, "row": index + 1, "value": ids[index], "number": agreement.number})
            for index in wrong.to_list()]
    if "description" in frame.columns:
        limit = TEXT_LIMITS["description"]
        for index, text in enumerate(frame["description"].fill_null("").cast(pl.String).to_list()):
            problem = text_problem(text) or (
                _("is longer than %(limit)s characters") % {"limit": limit} if len(text) > limit else None)
            if problem and len(problems) < 2 * PROBLEMS_LISTED_MAX:
                problems.append((index + 1, "description", _(
                    "%(name)s data row %(row)s, column %(column)s: %(problem)s")
                    % {"name": name, "row": index + 1, "column": "description", "problem": problem}))
    return problems


def transactions_parse(*, agreement: Agreement, name: str, content: bytes) -> tuple[pl.DataFrame, list[str]]:
    """Validated rows of a CSV (UTF-8 or CP949), XLSX or Parquet file, plus their descriptions.

    ``project_id`` may be left out (the agreement's); when present every row must name this
    agreement's number. ``category`` and ``evidence`` may be written as codes or as their Korean or English
    labels (재료비, 세금계산서). Raises ``ImportRowsInvalid`` listing every bad row (``errors``) and naming the
    first, or ``ValidationFailed`` for a file that cannot be read at all.
    """
    suffix = Path(name).suffix.lower()
    if suffix not in (".csv", ".xlsx", ".parquet", ".pq"):
        raise ValidationFailed(_("Use a CSV, XLSX or Parquet file."), code="import_unsupported", field="file")
    with tempfile.TemporaryDirectory(prefix="doyak-import-") as folder:
        source = Path(folder) / f"upload{suffix}"
        source.write_bytes(content)
        wanted = (*TRANSACTION_COLUMNS, "description")
        try:
            if suffix == ".xlsx":
                frame = _xlsx_frame(path=source, name=name)
                frame = frame.select([column for column in wanted if column in frame.columns])
            else:
                frame = table_read(path=source, required=(), optional=wanted)
        except LedgerFileError as error:
            raise _import_error(error, name=name, extra=[]) from None
        frame = _codes_for_labels(frame)
        extra = _row_problems(frame, agreement=agreement, name=name)
        try:
            if "project_id" not in frame.columns:
                frame = frame.with_columns(pl.lit(agreement.number, dtype=pl.String).alias("project_id"))
            staged = Path(folder) / "staged.parquet"
            frame.write_parquet(staged)
            rows = transactions_read(path=staged)
        except LedgerFileError as error:
            raise _import_error(error, name=name, extra=extra) from None
        if extra:
            raise ImportRowsInvalid(extra, name=name)
        descriptions = (frame["description"].fill_null("").cast(pl.String).to_list() if "description" in frame.columns
                        else [""] * rows.height)
    return rows, descriptions


@transaction.atomic
def transactions_import(*, actor: Actor, agreement_id: int, name: str, content: bytes) -> int:
    """Add every row of the file, or none: malformed rows (and transaction ids already in the ledger) stop
    the import, and the error lists every one of them."""
    agreement = _agreement_for_entry_or_raise(actor=actor, agreement_id=agreement_id, lock=True)
    rows, descriptions = transactions_parse(agreement=agreement, name=name, content=content)
    if rows.height == 0:
        raise ValidationFailed(_("%(name)s has no transactions.") % {"name": name}, code="import_empty",
                               field="file")
    ids = rows["txn_id"].to_list()
    existing: set[str] = set()
    for start in range(0, len(ids), 2000):
        existing.update(Transaction.objects.filter(agreement=agreement, txn_id__in=ids[start:start + 2000])
                        .values_list("txn_id", flat=True))
    if existing:
        failed = ImportRowsInvalid([
            (index + 1, "txn_id", _("%(name)s data row %(row)s, column txn_id: %(value)r is already in the ledger.")
             % {"name": name, "row": index + 1, "value": txn_id})
            for index, txn_id in enumerate(ids) if txn_id in existing], name=name)
        failed.code = "import_duplicate"
        raise failed
    user = actor if getattr(actor, "pk", None) else None
    objects = [
        Transaction(agreement=agreement, txn_id=txn_id, category=category, amount_krw=amount,
                    occurred_at=occurred_at, merchant_id=merchant_id[:100], merchant_type=merchant_type[:50],
                    evidence=evidence, description=(description or "")[:300], source=TransactionSource.IMPORT,
                    entered_by=user)
        for (txn_id, _project, category, amount, occurred_at, merchant_id, merchant_type, evidence), description
        in zip(rows.iter_rows(), descriptions, strict=True)
    ]
    Transaction.objects.bulk_create(objects, batch_size=2000)
    audit_record(actor=actor, action="transactions.import", obj=agreement,
                 changes={"file": name, "rows": len(objects), "total_krw": int(rows["amount"].sum())})
    transaction.on_commit(lambda: settlement_check_after_change(actor=actor, agreement_id=agreement.pk))
    return len(objects)


@transaction.atomic
def transaction_create(*, actor: Actor, agreement_id: int, txn_id: str, category: str, amount_krw: int,
                       occurred_at: dt.datetime, merchant_id: str, merchant_type: str, evidence: str,
                       description: str = "") -> Transaction:
    """One transaction entered by the institution (negative amount: refund or cancellation)."""
    agreement = _agreement_for_entry_or_raise(actor=actor, agreement_id=agreement_id, lock=True)
    if occurred_at.tzinfo is None:
        raise ValidationFailed(_("Give the time with its time zone."), code="naive_datetime", field="occurred_at")
    if not txn_id.strip():
        raise ValidationFailed(_("Give the transaction id."), code="txn_id_required", field="txn_id")
    if Transaction.objects.filter(agreement=agreement, txn_id=txn_id.strip()).exists():
        raise ValidationFailed(_("Transaction %(id)s is already in the ledger.") % {"id": txn_id},
                               code="import_duplicate", field="txn_id")
    if evidence not in Evidence.values:
        raise ValidationFailed(_("Unknown evidence kind."), code="evidence_invalid", field="evidence")
    txn = Transaction.objects.create(
        agreement=agreement, txn_id=txn_id.strip(), category=category, amount_krw=amount_krw,
        occurred_at=occurred_at, merchant_id=merchant_id.strip(), merchant_type=merchant_type.strip(),
        evidence=evidence, description=description.strip()[:300], source=TransactionSource.MANUAL,
        entered_by=actor if getattr(actor, "pk", None) else None)
    audit_record(actor=actor, action="transaction.create", obj=txn,
                 changes={"agreement": agreement.pk, "amount_krw": amount_krw, "category": category})
    transaction.on_commit(lambda: settlement_check_after_change(actor=actor, agreement_id=agreement.pk))
    return txn


# --------------------------------------------------------------------------------------------
# Evidence files and flag answers
# --------------------------------------------------------------------------------------------

def _evidence_store(*, actor: Actor, agreement: Agreement, name: str, content: bytes, transaction_obj=None,
                    flag=None) -> EvidenceFile:
    kind = evidence_content_type(name=name, content=content)
    if kind is None:
        raise ValidationFailed(_("Evidence must be a PDF, JPEG or PNG file."), code="evidence_type", field="file")
    limit = policy_value("proposals.attachment_max_bytes")
    if len(content) > limit:
        raise ValidationFailed(_("The file is larger than %(n)s bytes.") % {"n": limit}, code="evidence_too_large",
                               field="file")
    digest = hashlib.sha256(content).hexdigest()
    item = EvidenceFile(agreement=agreement, transaction=transaction_obj, flag=flag, original_name=name[-255:],
                        content_type=kind, size=len(content), sha256=digest,
                        uploaded_by=actor if getattr(actor, "pk", None) else None)
    item.file.save(f"{digest[:24]}{item.extension}", ContentFile(content), save=False)
    item.save()
    return item


@transaction.atomic
def evidence_attach(*, actor: Actor, transaction_id: int, name: str, content: bytes) -> EvidenceFile:
    """Attach a document to a transaction; a transaction recorded without evidence now has a receipt."""
    txn = Transaction.objects.select_for_update().filter(pk=transaction_id).first()
    if txn is None:
        raise NotFound(_("Transaction not found."), code="transaction_not_found")
    agreement = _agreement_for_entry_or_raise(actor=actor, agreement_id=txn.agreement_id)
    item = _evidence_store(actor=actor, agreement=agreement, name=name, content=content, transaction_obj=txn)
    changes: dict[str, Any] = {"file": item.original_name, "sha256": item.sha256}
    if txn.evidence == Evidence.NONE:
        txn.evidence = Evidence.RECEIPT
        txn.save(update_fields=["evidence"])
        changes["evidence"] = [Evidence.NONE, Evidence.RECEIPT]
    audit_record(actor=actor, action="transaction.evidence_attach", obj=txn, changes=changes)
    return item


def _flag_or_raise(flag_id: int) -> Flag:
    flag = Flag.objects.select_for_update(of=("self",)).select_related("agreement__proposal").filter(
        pk=flag_id).first()
    if flag is None:
        raise NotFound(_("Flag not found."), code="flag_not_found")
    return flag


@transaction.atomic
def flag_explain(*, actor: Actor, flag_id: int, explanation: str, evidence_name: str = "",
                 evidence_content: bytes | None = None) -> Flag:
    """The institution answers a flag with an explanation (and optionally a document)."""
    flag = _flag_or_raise(flag_id)
    if not can_explain_flag(actor, flag):
        raise AccessDenied(_("You may not answer this flag."), code="flag_forbidden")
    if not explanation.strip():
        raise ValidationFailed(_("Write the explanation."), code="explanation_required", field="explanation")
    if evidence_content:
        _evidence_store(actor=actor, agreement=flag.agreement, name=evidence_name, content=evidence_content,
                        transaction_obj=flag.transaction, flag=flag)
    to_status, _who = FLAG_TRANSITIONS[(flag.status, "explain")]
    before = flag.status
    flag.status, flag.explanation = to_status, explanation.strip()
    flag.explained_by, flag.explained_at = actor, timezone.now()
    flag.save(update_fields=["status", "explanation", "explained_by", "explained_at"])
    flag_aggregates_refresh(run_id=flag.run_id, agreement_ids=[flag.agreement_id])
    audit_record(actor=actor, action="flag.explain", obj=flag,
                 changes={"status": [before, flag.status], "evidence": bool(evidence_content)})
    return flag


@transaction.atomic
def flag_decide(*, actor: Actor, flag_id: int, accept: bool, note: str = "") -> Flag:
    """A program manager accepts or rejects the institution's explanation."""
    flag = _flag_or_raise(flag_id)
    if not can_decide_flag(actor, flag):
        raise AccessDenied(_("You may not decide on this flag."), code="flag_forbidden")
    to_status, _who = FLAG_TRANSITIONS[(flag.status, "accept" if accept else "reject")]
    before = flag.status
    flag.status, flag.decision_note = to_status, note.strip()
    flag.decided_by, flag.decided_at = actor, timezone.now()
    flag.save(update_fields=["status", "decision_note", "decided_by", "decided_at"])
    flag_aggregates_refresh(run_id=flag.run_id, agreement_ids=[flag.agreement_id])
    audit_record(actor=actor, action="flag.decide", obj=flag, changes={"status": [before, flag.status]})
    return flag


# --------------------------------------------------------------------------------------------
# Settlement runs: queued, chunked, resumable
# --------------------------------------------------------------------------------------------

def _scope_agreement_ids(*, call_id: int | None, program_id: int | None,
                         agreement_ids: Sequence[int] | None) -> tuple[str, list[int]]:
    qs = Agreement.objects.exclude(status=AgreementStatus.CLOSED)
    if call_id:
        return RunScope.CALL, list(qs.filter(proposal__call_id=call_id).order_by("pk").values_list("pk", flat=True))
    if program_id:
        return RunScope.PROGRAM, list(qs.filter(proposal__call__program_id=program_id).order_by("pk")
                                      .values_list("pk", flat=True))
    return RunScope.AGREEMENTS, list(qs.filter(pk__in=list(agreement_ids or ())).order_by("pk")
                                     .values_list("pk", flat=True))


@transaction.atomic
def settlement_run_start(*, actor: Actor, call_id: int | None = None, program_id: int | None = None,
                         agreement_ids: Sequence[int] | None = None, purpose: str = RunPurpose.SETTLEMENT,
                         chunk_size: int | None = None, partitioned: bool | None = None) -> SettlementRun:
    """Queue a settlement of a call, a program or some agreements under today's policy.

    A partitioned run (by default a call's or a program's, the large ones) is split into parts of
    ``chunk_size`` agreements (project ranges), each queued as its own task, so any number of workers settle
    it side by side; otherwise one task settles the chunks in order. Both give the same results."""
    if purpose == RunPurpose.SETTLEMENT and not can_manage_settlement(actor):
        raise AccessDenied(_("Only program managers run settlements."), code="settlement_forbidden")
    scope, ids = _scope_agreement_ids(call_id=call_id, program_id=program_id, agreement_ids=agreement_ids)
    if not ids:
        raise ValidationFailed(_("No open agreement in this scope."), code="settlement_scope_empty")
    size = chunk_size or CHUNK_SIZE
    split = scope != RunScope.AGREEMENTS if partitioned is None else partitioned
    run = SettlementRun.objects.create(
        scope=scope, purpose=purpose, call_id=call_id if scope == RunScope.CALL else None,
        program_id=program_id if scope == RunScope.PROGRAM else None, agreement_ids=ids, chunk_size=size,
        chunks_total=(len(ids) + size - 1) // size, policy_snapshot=settlement_policy_snapshot(),
        created_by=actor if getattr(actor, "pk", None) else None, partitioned=split)
    if split:
        SettlementRunPart.objects.bulk_create([
            SettlementRunPart(run=run, index=index, agreement_ids=ids[index * size:(index + 1) * size])
            for index in range(run.chunks_total)])
    audit_record(actor=actor, action="settlement_run.start", obj=run,
                 changes={"scope": scope, "agreements": len(ids), "purpose": purpose, "partitioned": split})
    if split:
        part_ids = list(run.parts.order_by("index").values_list("pk", flat=True))
        transaction.on_commit(lambda: [_enqueue_part(pk) for pk in part_ids])
    else:
        transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def settlement_check_after_change(*, actor: Actor, agreement_id: int) -> None:
    """After spending is entered: re-check the agreement so the institution sees its flags as it spends."""
    try:
        settlement_run_start(actor=actor, agreement_ids=[agreement_id], purpose=RunPurpose.CHECK)
    except ValidationFailed:  # a closed agreement is not checked again
        return


def _enqueue(run_id: int) -> None:
    from .tasks import settlement_run_task

    result = settlement_run_task.enqueue(run_id=run_id)
    SettlementRun.objects.filter(pk=run_id, task_id="").update(task_id=str(result.id)[:64])


@transaction.atomic
def settlement_run_resume(*, actor: Actor, run_id: int) -> SettlementRun:
    """Queue a failed (or killed, still "running") run again; done chunks are skipped."""
    run = SettlementRun.objects.select_for_update().filter(pk=run_id).first()
    if run is None:
        raise NotFound(_("Settlement run not found."), code="settlement_run_not_found")
    if not can_manage_settlement(actor):
        raise AccessDenied(_("Only program managers run settlements."), code="settlement_forbidden")
    if not run.may_resume:
        raise Conflict(_("Only a failed or interrupted run can be resumed."), code="settlement_run_not_resumable")
    audit_record(actor=actor, action="settlement_run.resume", obj=run, changes={"chunks_done": run.chunks_done})
    settlement_run_requeue(run)
    return run


def settlement_run_requeue(run: SettlementRun) -> None:
    """The resume path (a manager's resume, or the recovery of a run whose worker died): queued again with
    a new task; the chunks already committed are skipped. ``run`` is locked by the caller's transaction.
    A partitioned run queues again each part not done whose worker holds no live lease."""
    run.status, run.error, run.task_id = RunStatus.QUEUED, "", ""
    run.lease_owner, run.lease_expires_at = "", None
    run.save(update_fields=["status", "error", "task_id", "lease_owner", "lease_expires_at"])
    if not run.partitioned:
        transaction.on_commit(lambda: _enqueue(run.pk))
        return
    live = Q(lease_expires_at__gte=timezone.now()) & ~Q(lease_owner="")
    for part in run.parts.select_for_update().exclude(status=RunStatus.DONE).exclude(live):
        settlement_part_requeue(part)


def _enqueue_part(part_id: int) -> None:
    from .tasks import settlement_part_task

    result = settlement_part_task.enqueue(part_id=part_id)
    SettlementRunPart.objects.filter(pk=part_id, task_id="").update(task_id=str(result.id)[:64])


def settlement_part_requeue(part: SettlementRunPart) -> None:
    """A part queued again with a new task (its worker died, or the run was resumed); ``part`` is locked by
    the caller's transaction."""
    part.status, part.error, part.task_id = RunStatus.QUEUED, "", ""
    part.lease_owner, part.lease_expires_at = "", None
    part.save(update_fields=["status", "error", "task_id", "lease_owner", "lease_expires_at"])
    transaction.on_commit(lambda: _enqueue_part(part.pk))


def settlement_part_execute(*, part_id: int) -> SettlementRunPart:
    """The task of one part of a partitioned run: settle its agreements in one transaction, then count it
    done on the run (the last part done finishes the run). Any worker may run any part, in any order."""
    part = SettlementRunPart.objects.select_related("run").filter(pk=part_id).first()
    if part is None:
        raise NotFound(_("Settlement run not found."), code="settlement_run_not_found")
    if part.status == RunStatus.DONE:
        return part
    if not lease_acquire(part):  # a live worker holds it (a duplicate task): leave it to that worker
        logger.info("settlement run part %s is held by %s", part.pk, part.lease_owner)
        return part
    now = timezone.now()
    SettlementRunPart.objects.filter(pk=part.pk).update(status=RunStatus.RUNNING, attempts=F("attempts") + 1,
                                                        started_at=now, finished_at=None)
    SettlementRun.objects.filter(pk=part.run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, attempts=F("attempts") + 1, started_at=part.run.started_at or now)
    policy = settlement_policy_from_snapshot(part.run.policy_snapshot)
    try:
        if part_started_hook is not None:
            part_started_hook(part)
        with transaction.atomic():
            locked = SettlementRunPart.objects.select_for_update().get(pk=part.pk)
            lease_assert_held(locked)
            if locked.status != RunStatus.DONE:
                _agreements_settle(run_id=part.run_id, agreement_ids=list(locked.agreement_ids), policy=policy,
                                   documents_required=snapshot_documents_required(part.run.policy_snapshot),
                                   routes=snapshot_self_settlement_rules(part.run.policy_snapshot))
                SettlementRunPart.objects.filter(pk=part.pk).update(
                    status=RunStatus.DONE, finished_at=timezone.now(), error="", lease_owner="",
                    lease_expires_at=None)
                _run_parts_count(run_id=part.run_id, policy=policy)
    except LeaseLost:  # our lease expired and another worker took the part over: it finishes it
        logger.warning("settlement run part %s was taken over by another worker", part.pk)
    except Exception as exc:  # recorded on the part and the run; the worker logs the traceback
        logger.exception("settlement run part %s failed", part.pk)
        SettlementRunPart.objects.filter(pk=part.pk).update(status=RunStatus.FAILED, error=str(exc)[:2000])
        SettlementRun.objects.filter(pk=part.run_id).update(status=RunStatus.FAILED, error=str(exc)[:2000])
        lease_release(part)
        raise
    part.refresh_from_db()
    return part


def _run_parts_count(*, run_id: int, policy) -> None:
    """Inside a part's transaction: the run's count of parts done, and the run done with its last part, which
    also draws the run's monthly audit sample over every part's project months."""
    run = SettlementRun.objects.select_for_update().get(pk=run_id)
    run.chunks_done = run.parts.filter(status=RunStatus.DONE).count()
    fields = ["chunks_done"]
    if run.chunks_done == run.chunks_total and run.status != RunStatus.DONE:
        _monthly_sample_draw(run_id=run_id, policy=policy)
        run.status, run.finished_at, run.error = RunStatus.DONE, timezone.now(), ""
        fields += ["status", "finished_at", "error"]
    run.save(update_fields=fields)


def settlement_run_execute(*, run_id: int) -> SettlementRun:
    """The job: settle the run's agreements chunk by chunk, skipping chunks already done."""
    run = SettlementRun.objects.filter(pk=run_id).first()
    if run is None:
        raise NotFound(_("Settlement run not found."), code="settlement_run_not_found")
    if run.status == RunStatus.DONE:
        return run
    if not lease_acquire(run):  # a live worker is settling it (a duplicate task): leave it to that worker
        logger.info("settlement run %s is held by %s", run.pk, run.lease_owner)
        return run
    SettlementRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, attempts=run.attempts + 1,
                                                   started_at=run.started_at or timezone.now())
    policy = settlement_policy_from_snapshot(run.policy_snapshot)
    documents_required = snapshot_documents_required(run.policy_snapshot)
    routes = snapshot_self_settlement_rules(run.policy_snapshot)
    ids: list[int] = list(run.agreement_ids)
    try:
        for index in range(run.chunks_done, run.chunks_total):
            chunk = ids[index * run.chunk_size:(index + 1) * run.chunk_size]
            if _chunk_settle(run_id=run.pk, index=index, agreement_ids=chunk, policy=policy,
                             documents_required=documents_required, routes=routes):
                run.refresh_from_db()
                if chunk_committed_hook is not None:
                    chunk_committed_hook(run, index)
        with transaction.atomic():
            lease_assert_held(SettlementRun.objects.select_for_update().get(pk=run.pk))
            _monthly_sample_draw(run_id=run.pk, policy=policy)
            SettlementRun.objects.filter(pk=run.pk).update(status=RunStatus.DONE, finished_at=timezone.now(),
                                                           error="", lease_owner="", lease_expires_at=None)
    except LeaseLost:  # our lease expired and another worker took the run over: it finishes it
        logger.warning("settlement run %s was taken over by another worker", run.pk)
        run.refresh_from_db()
        return run
    except Exception as exc:  # record it on the run; the worker logs the traceback
        logger.exception("settlement run %s failed", run.pk)
        SettlementRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, error=str(exc)[:2000])
        lease_release(run)
        raise
    run.refresh_from_db()
    return run


def _chunk_settle(*, run_id: int, index: int, agreement_ids: list[int], policy,
                  documents_required: bool = False, routes: SelfSettlementRules | None = None) -> bool:
    """Settle one chunk in one transaction: results upserted, flags replaced, ``chunks_done`` advanced.

    Returns False when another worker already did this chunk (the run row is locked first)."""
    with transaction.atomic():
        run = SettlementRun.objects.select_for_update().get(pk=run_id)
        lease_assert_held(run)
        if run.chunks_done != index:
            return False
        _agreements_settle(run_id=run_id, agreement_ids=agreement_ids, policy=policy,
                           documents_required=documents_required, routes=routes)
        run.chunks_done = index + 1
        run.heartbeat_at = timezone.now()  # each committed chunk renews the lease
        run.lease_expires_at = run.heartbeat_at + lease_valid_for()
        run.save(update_fields=["chunks_done", "heartbeat_at", "lease_expires_at"])
    return True


def _agreements_settle(*, run_id: int, agreement_ids: list[int], policy, documents_required: bool = False,
                       routes: SelfSettlementRules | None = None) -> None:
    """Inside the caller's transaction: settle the agreements (a chunk, a part) and store what the engine
    says: results upserted, flags replaced, aggregates recounted, each agreement's months for the monthly audit
    sample, the agreements pointed at this run."""
    try:
        ledger = ledger_for_agreements(agreement_ids=agreement_ids, documents_required=documents_required,
                                       self_settlement_rules=routes)
        result = ledger_settle(ledger=ledger, policy=policy)
        evidence = evidence_by_project(evidence_items(ledger=ledger, policy=policy, result=result))
    except EngineError as exc:
        raise ValidationFailed(str(exc), code=exc.code) from exc
    for row in result.summary.iter_rows(named=True):
        items = evidence[row["project_id"]]
        SettlementResult.objects.update_or_create(
            run_id=run_id, agreement_id=int(row["project_id"]),
            defaults={"spent_krw": row["spent"], "eligible_krw": row["eligible"],
                      "ineligible_krw": row["ineligible"], "review_krw": row["review"],
                      "clawback_krw": row["clawback"], "sampled": row["sampled"],
                      "transactions": row["transactions"], "self_settlement": row["self_settlement"],
                      "government_share_permille": row["government_share_permille"],
                      "evidence_required": items.required, "evidence_exempted": items.exempted,
                      "evidence_self_settled": items.self_settled})
    _flags_replace(run_id=run_id, agreement_ids=agreement_ids, flags=result.flags)
    flag_aggregates_refresh(run_id=run_id, agreement_ids=agreement_ids)
    AuditSampleMonth.objects.filter(run_id=run_id, agreement_id__in=agreement_ids).delete()
    AuditSampleMonth.objects.bulk_create([
        AuditSampleMonth(run_id=run_id, agreement_id=int(project_id), month=month, late_filer=late,
                         stopped=stopped, flagged=flagged)
        for month, project_id, late, stopped, flagged in project_months(ledger=ledger, result=result).iter_rows()],
        batch_size=2000)
    Agreement.objects.filter(pk__in=agreement_ids).filter(
        Q(current_run__isnull=True) | Q(current_run_id__lte=run_id)).update(current_run_id=run_id)


def _monthly_sample_draw(*, run_id: int, policy) -> None:
    """Draw the run's monthly audit sample over every chunk's project months (the one step that looks across
    agreements) and record why each sampled agreement was taken."""
    rows = list(AuditSampleMonth.objects.filter(run_id=run_id).values_list(
        "pk", "month", "agreement_id", "late_filer", "stopped", "flagged"))
    if not rows:
        return
    months = months_from_rows((month, str(agreement_id), late, stopped, flagged)
                              for _pk, month, agreement_id, late, stopped, flagged in rows)
    sample = monthly_sample_draw(months=months, share=policy.audit_sample_share, seed=policy.seed)
    reasons = {(month, int(project_id)): reason for month, project_id, reason in sample.iter_rows()}
    changed = []
    for pk, month, agreement_id, *_facts in rows:
        reason = reasons.get((month, agreement_id), "")
        if reason:
            changed.append(AuditSampleMonth(pk=pk, reason=reason))
    AuditSampleMonth.objects.bulk_update(changed, ["reason"], batch_size=2000)


def _flags_replace(*, run_id: int, agreement_ids: list[int], flags: pl.DataFrame) -> None:
    """Write the chunk's flags, carrying answers and decisions over from the agreement's previous flags
    with the same transaction and code (an explained flag stays explained when the ledger is re-checked)."""
    Flag.objects.filter(run_id=run_id, agreement_id__in=agreement_ids).delete()
    if flags.height == 0:
        return
    txn_pk: dict[str, int] = {}
    for pk, agreement_id, txn_id in Transaction.objects.filter(agreement_id__in=agreement_ids).values_list(
            "pk", "agreement_id", "txn_id").iterator(chunk_size=5000):
        txn_pk[engine_txn_id(agreement_id, txn_id)] = pk
    previous: dict[tuple[int, str, str], Flag] = {}
    for old in (Flag.objects.filter(agreement_id__in=agreement_ids, run_id__lt=run_id)
                .exclude(status=FlagStatus.OPEN).order_by("run_id")):
        previous[(old.agreement_id, old.txn_ref, old.code)] = old
    rows = []
    for engine_id, project_id, code, severity, amount in flags.iter_rows():
        agreement_id = int(project_id)
        txn_ref = engine_id.split(":", 1)[1] if engine_id else ""
        flag = Flag(run_id=run_id, agreement_id=agreement_id, transaction_id=txn_pk.get(engine_id) if engine_id
                    else None, txn_ref=txn_ref, code=code, severity=severity, amount_at_risk_krw=amount)
        old = previous.get((agreement_id, txn_ref, code))
        if old is not None:
            for name in ("status", "explanation", "explained_by_id", "explained_at", "decision_note",
                         "decided_by_id", "decided_at"):
                setattr(flag, name, getattr(old, name))
        rows.append(flag)
    Flag.objects.bulk_create(rows, batch_size=2000)


def flag_aggregates_refresh(*, run_id: int, agreement_ids: Sequence[int]) -> None:
    """Recount the agreements' flags of the run into ``FlagSummary`` and store each result's ineligible
    amount after decisions: run inside the chunk's (or the decision's) transaction, so what the dashboard and
    the ledger page read is always in step with the flags, without those pages reading every flag."""
    FlagSummary.objects.filter(run_id=run_id, agreement_id__in=agreement_ids).delete()
    groups = (Flag.objects.filter(run_id=run_id, agreement_id__in=agreement_ids)
              .annotate(month=TruncMonth("transaction__occurred_at", output_field=DateField()))
              .order_by().values("agreement_id", "code", "status", "month")
              .annotate(n=Count("id"), at_risk=Sum("amount_at_risk_krw")))
    FlagSummary.objects.bulk_create([
        FlagSummary(run_id=run_id, agreement_id=g["agreement_id"], code=g["code"], status=g["status"],
                    month=g["month"], flags=g["n"], at_risk_krw=g["at_risk"] or 0) for g in groups],
        batch_size=2000)
    for agreement_id in agreement_ids:
        SettlementResult.objects.filter(run_id=run_id, agreement_id=agreement_id).update(
            ineligible_after_decisions_krw=_ineligible_after_decisions(run_id=run_id, agreement_id=agreement_id))


# --------------------------------------------------------------------------------------------
# Closing a settlement
# --------------------------------------------------------------------------------------------

def settlement_ineligible_after_decisions(*, agreement: Agreement, run_id: int) -> int:
    """Ineligible won once decisions count: an ineligible finding whose every flag was accepted is
    recognised; a transaction whose review flag was rejected becomes ineligible (counted once)."""
    return _ineligible_after_decisions(run_id=run_id, agreement_id=agreement.pk)


def _ineligible_after_decisions(*, run_id: int, agreement_id: int) -> int:
    """The engine's rule (:func:`doyak.engine.settlement.ineligible_after_decisions`) over the run's flags."""
    rows = Flag.objects.filter(run_id=run_id, agreement_id=agreement_id).values_list(
        "txn_ref", "code", "severity", "status", "amount_at_risk_krw").iterator(chunk_size=5000)
    return ineligible_after_decisions(flags=rows)


@transaction.atomic
def settlement_close(*, actor: Actor, agreement_id: int) -> SettlementClose:
    """Close the agreement's settlement on its latest run and record the clawback.

    Clawback = ⌊ineligible after decisions × government share (‰, truncated) / 1000⌋. Explanations
    still waiting for a decision block closing."""
    agreement = Agreement.objects.select_for_update(of=("self",)).select_related("proposal").filter(
        pk=agreement_id).first()
    if agreement is None:
        raise NotFound(_("Agreement not found."), code="agreement_not_found")
    if not can_close_settlement(actor, agreement):
        raise AccessDenied(_("You may not close this settlement."), code="settlement_close_forbidden")
    result = SettlementResult.objects.filter(run_id=agreement.current_run_id, agreement=agreement).first()
    if result is None:
        raise ValidationFailed(_("Settle the agreement first."), code="settlement_missing")
    waiting = Flag.objects.filter(run_id=agreement.current_run_id, agreement=agreement,
                                  status=FlagStatus.EXPLAINED).count()
    if waiting:
        raise ValidationFailed(_("%(n)s explanations still wait for a decision.") % {"n": waiting},
                               code="settlement_decisions_pending")
    ineligible = settlement_ineligible_after_decisions(agreement=agreement, run_id=agreement.current_run_id)
    clawback = clawback_from_share(ineligible=ineligible, government_share_permille=result.government_share_permille)
    try:
        closed = SettlementClose.objects.create(agreement=agreement, run_id=agreement.current_run_id,
                                                ineligible_krw=ineligible, clawback_krw=clawback, closed_by=actor)
    except IntegrityError as exc:
        raise Conflict(_("This settlement is already closed."), code="settlement_closed") from exc
    before = agreement.status
    agreement.status = AgreementStatus.CLOSED
    agreement.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="settlement.close", obj=agreement,
                 changes={"status": [before, agreement.status], "run": agreement.current_run_id,
                          "ineligible_krw": ineligible, "clawback_krw": clawback,
                          "government_share_permille": result.government_share_permille})
    return closed
