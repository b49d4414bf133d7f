"""Import the registry of regulation innovation tasks from CSV (UTF-8 with or without BOM, or CP949) or XLSX.

The file reading and the row-error report are the proposals import's (``doyak.proposals.imports``): all or
nothing, every bad row named (1-based data row, its line in the file, the field and the problem); headers
Korean or English (case and spaces ignored). Administrators only.

=====================  =================  ===============================================================
Korean header          English header     value
=====================  =================  ===============================================================
과제번호               code               required, new (e.g. RT-2026-01)
과제명                 title              required
산업                   industry           required
소관부처               ministry           required
법령                   law                required
조항                   article
개선유형               change_kind        required: law_amendment, enforcement_decree, notice,
                                          interpretation (or 법률 개정, 시행령 개정, 고시·지침 개정, 유권해석)
상태                   status             identified (default), in_consultation, resolved, dropped (or 발굴,
                                          협의 중, 해소, 중단)
해소일                 resolved_on        YYYY-MM-DD, required for resolved and dropped
해소내용               resolution
설명                   description
=====================  =================  ===============================================================
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from doyak.accounts.rules import Actor
from doyak.core.audit import audit_record
from doyak.core.errors import AccessDenied, DoyakError
from doyak.proposals.imports import ImportFailed, ImportResult, RowError, _date, _records, table_read

from .enums import ChangeKind, TaskStatus
from .models import RegulationTask
from .rules import can_import_tasks
from .services import task_clean

COLUMNS = {
    "code": ["과제번호", "code"],
    "title": ["과제명", "title"],
    "industry": ["산업", "industry"],
    "ministry": ["소관부처", "ministry"],
    "law": ["법령", "law"],
    "article": ["조항", "article"],
    "change_kind": ["개선유형", "change_kind"],
    "status": ["상태", "status"],
    "resolved_on": ["해소일", "resolved_on"],
    "resolution": ["해소내용", "resolution"],
    "description": ["설명", "description"],
}
REQUIRED = ["code", "title", "industry", "ministry", "law", "change_kind"]
CHANGE_WORDS = {"법률개정": ChangeKind.LAW_AMENDMENT, "시행령개정": ChangeKind.ENFORCEMENT_DECREE,
                "고시·지침개정": ChangeKind.NOTICE, "고시개정": ChangeKind.NOTICE, "지침개정": ChangeKind.NOTICE,
                "유권해석": ChangeKind.INTERPRETATION}
STATUS_WORDS = {"발굴": TaskStatus.IDENTIFIED, "협의중": TaskStatus.IN_CONSULTATION, "해소": TaskStatus.RESOLVED,
                "중단": TaskStatus.DROPPED}
FIELD_LABELS = {
    "code": gettext_lazy("Task number"), "title": gettext_lazy("Title"), "industry": gettext_lazy("Industry"),
    "ministry": gettext_lazy("Regulating ministry"), "law": gettext_lazy("Law"), "article": gettext_lazy("Article"),
    "change_kind": gettext_lazy("What must change"), "status": gettext_lazy("Status"),
    "resolved_on": gettext_lazy("Resolved on"), "resolution": gettext_lazy("Resolution"),
    "description": gettext_lazy("Description"), "file": gettext_lazy("File"),
}


class TaskRowError(RowError):
    """A row error that names the registry's columns in the reader's language."""

    def __str__(self) -> str:
        label = str(FIELD_LABELS.get(self.field, self.field))
        if self.row == 0:
            return f"{label}: {self.message}"
        return _("row %(row)s (line %(line)s), %(field)s: %(message)s") % {
            "row": self.row, "line": self.line, "field": f"{label} [{self.field}]", "message": self.message}


def _retag(error: ImportFailed) -> ImportFailed:
    return ImportFailed([TaskRowError(e.row, e.line, e.field, e.message) for e in error.errors])


@transaction.atomic
def tasks_import(*, actor: Actor, name: str, content: bytes, is_demo: bool = False) -> ImportResult:
    if not can_import_tasks(actor):
        raise AccessDenied(_("Only administrators import the registry."), code="import_forbidden")
    try:
        records = _records(table_read(name=name, content=content), COLUMNS, REQUIRED)
    except ImportFailed as error:
        raise _retag(error) from None
    existing = set(RegulationTask.objects.values_list("code", flat=True))
    errors: list[RowError] = []
    seen: set[str] = set()
    rows: list[dict] = []
    for i, record in enumerate(records, start=1):
        if record is None:
            continue
        line = i + 1
        record = dict(record)
        record["change_kind"] = CHANGE_WORDS.get(record["change_kind"].replace(" ", ""),
                                                 record["change_kind"].lower())
        status = record.get("status", "")
        record["status"] = STATUS_WORDS.get(status.replace(" ", ""), status.lower()) or TaskStatus.IDENTIFIED
        try:
            record["resolved_on"] = _date(record.get("resolved_on", ""))
        except ValueError:
            errors.append(TaskRowError(i, line, "resolved_on", _("Enter a date (YYYY-MM-DD).")))
            continue
        try:
            clean = task_clean(record)
        except DoyakError as error:
            errors.append(TaskRowError(i, line, error.field or "file", str(error.message)))
            continue
        if clean["code"] in existing:
            errors.append(TaskRowError(i, line, "code", _("Already registered.")))
        elif clean["code"] in seen:
            errors.append(TaskRowError(i, line, "code", _("Listed twice in the file.")))
        seen.add(clean["code"])
        rows.append(clean)
    if not rows and not errors:
        errors.append(TaskRowError(0, 1, "file", _("The file has no data rows.")))
    if errors:
        raise ImportFailed(errors)
    created = []
    for clean in rows:
        task = RegulationTask.objects.create(**clean, is_demo=is_demo)
        audit_record(actor=actor, action="regulation_task.import", obj=task, changes={"code": task.code, "file": name})
        created.append(task.pk)
    return ImportResult(created=len(created), kind="regulation_tasks", ids=created)
