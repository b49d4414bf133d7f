"""Import organisations and proposals from NTIS-like CSV (UTF-8, with or without BOM, or CP949) or XLSX.

All or nothing: every row is checked first; if any row is wrong nothing is written and the error report
names each bad row (1-based data row and its line in the file), the field and the problem.
Headers may be Korean or English (case and spaces ignored).

Organisations (``doyak import_organizations FILE``):

=====================  ================================  ==========================================
Korean header          English header                    value
=====================  ================================  ==========================================
기관명                 name                              required
영문기관명             name_en
사업자등록번호         business_registration_number      required, 10 digits with a valid check digit
기관유형               org_type                          required: sme, early_mid_size, mid_size, large,
                                                         university, gri, nonprofit (or 중소기업, 중견기업,
                                                         초기중견기업, 대기업, 대학, 출연연, 비영리)
지역코드               region_code                       required, 2-digit province code
기업집단               corporate_group
수요앵커기업           is_demand_anchor                  Y/N, 1/0, 예/아니오
간접비율               indirect_cost_rate                notified rate in percent, e.g. 23.5
=====================  ================================  ==========================================

Proposals (``doyak import_proposals FILE``):

=============================  =================  ==============================================
Korean header                  English header     value
=============================  =================  ==============================================
과제번호                       project_number     required, 10 digits, new
과제명                         title_ko           required
영문과제명                     title_en
주관기관 사업자등록번호        lead_brn           required, a registered organisation
지역코드                       region_code        required, the lead institution's region
연구책임자 국가연구자번호      pi_number          a registered researcher
정부출연금                     gov_krw            won, whole number ≥ 0
민간현금                       cash_krw           won
민간현물                       in_kind_krw        won
시작일 / 종료일                start_date /       YYYY-MM-DD (also YYYYMMDD, YYYY.MM.DD)
                               end_date
키워드                         keywords           separated by commas or semicolons
기술분류                       technology_codes   separated by commas or semicolons
공고번호                       call_reference     required, an existing call
상태                           status             submitted (default), under_review, selected,
                                                  not_selected
국문요약 / 영문요약            abstract_ko /
                               abstract_en
=============================  =================  ==============================================
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from doyak.accounts.rules import Actor
from doyak.calls.models import Call
from doyak.core.audit import audit_record
from doyak.core.errors import AccessDenied, ValidationFailed
from doyak.core.inputs import TEXT_MAX, text_problem
from doyak.core.labels import audit_actions_register
from doyak.core.money import WonInvalid, parse_won
from doyak.organizations.enums import OrganizationType
from doyak.organizations.models import Organization, Researcher
from doyak.organizations.validators import brn_is_valid, brn_normalize
from doyak.regions.models import Region

from .enums import MemberRole, ProposalStatus
from .models import ConsortiumMember, Proposal, TeamMember
from .rules import can_import

AUDIT_ACTIONS = audit_actions_register({
    "organization.import": gettext_lazy("Organizations imported"),
    "proposal.import": gettext_lazy("Proposals imported"),
})

ORGANIZATION_COLUMNS = {
    "name": ["기관명", "name"],
    "name_en": ["영문기관명", "name_en"],
    "business_registration_number": ["사업자등록번호", "business_registration_number", "brn"],
    "org_type": ["기관유형", "org_type"],
    "region_code": ["지역코드", "region_code"],
    "corporate_group": ["기업집단", "corporate_group"],
    "is_demand_anchor": ["수요앵커기업", "수요앵커", "is_demand_anchor"],
    "indirect_cost_rate": ["간접비율", "indirect_cost_rate"],
}
PROPOSAL_COLUMNS = {
    "project_number": ["과제번호", "project_number"],
    "title_ko": ["과제명", "title_ko"],
    "title_en": ["영문과제명", "title_en"],
    "lead_brn": ["주관기관 사업자등록번호", "주관기관사업자등록번호", "lead_brn"],
    "region_code": ["지역코드", "region_code"],
    "pi_number": ["연구책임자 국가연구자번호", "연구책임자국가연구자번호", "pi_number"],
    "gov_krw": ["정부출연금", "gov_krw"],
    "cash_krw": ["민간현금", "cash_krw"],
    "in_kind_krw": ["민간현물", "in_kind_krw"],
    "start_date": ["시작일", "start_date"],
    "end_date": ["종료일", "end_date"],
    "keywords": ["키워드", "keywords"],
    "technology_codes": ["기술분류", "technology_codes"],
    "call_reference": ["공고번호", "call_reference"],
    "status": ["상태", "status"],
    "abstract_ko": ["국문요약", "abstract_ko"],
    "abstract_en": ["영문요약", "abstract_en"],
}
ORG_TYPE_WORDS = {
    "중소기업": "sme", "중견기업": "mid_size", "초기중견기업": "early_mid_size", "중견기업(초기)": "early_mid_size",
    "대기업": "large", "대학": "university", "대학교": "university", "출연연": "gri", "정부출연연구기관": "gri",
    "비영리": "nonprofit", "기타비영리": "nonprofit", "비영리기관": "nonprofit",
}
IMPORT_STATUSES = (ProposalStatus.SUBMITTED, ProposalStatus.UNDER_REVIEW, ProposalStatus.SELECTED,
                   ProposalStatus.NOT_SELECTED)
FIELD_LABELS = {
    "name": gettext_lazy("Name"), "business_registration_number": gettext_lazy("Business registration number"),
    "org_type": gettext_lazy("Organization type"), "region_code": gettext_lazy("Region code"),
    "is_demand_anchor": gettext_lazy("Demand-anchor company"), "indirect_cost_rate": gettext_lazy("Indirect-cost rate"),
    "project_number": gettext_lazy("Project number"), "title_ko": gettext_lazy("Title (Korean)"),
    "lead_brn": gettext_lazy("Lead institution registration number"), "pi_number": gettext_lazy("PI researcher number"),
    "gov_krw": gettext_lazy("Government funds"), "cash_krw": gettext_lazy("Private cash"),
    "in_kind_krw": gettext_lazy("Private in-kind"), "start_date": gettext_lazy("Start date"),
    "end_date": gettext_lazy("End date"), "call_reference": gettext_lazy("Call number"),
    "status": gettext_lazy("Status"), "file": gettext_lazy("File"),
}


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based data row (0: the file or its header)
    line: int  # line in the file (header is line 1)
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "line": self.line, "field": self.field, "message": self.message,
                "text": str(self)}

    def __str__(self) -> str:
        label = str(FIELD_LABELS.get(self.field, self.field))
        if self.row == 0:
            return f"{label}: {self.message}"
        return _("row %(row)s (line %(line)s), %(field)s: %(message)s") % {
            "row": self.row, "line": self.line, "field": f"{label} [{self.field}]", "message": self.message}


class ImportFailed(ValidationFailed):
    code = "import_failed"

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(_("Nothing was imported: %(n)s problem(s) in the file.") % {"n": len(errors)},
                         field=errors[0].field if errors else None)
        self.errors = errors

    def as_dict(self):
        data = super().as_dict()
        data["errors"] = [e.as_dict() for e in self.errors]
        return data


@dataclass
class ImportResult:
    created: int
    kind: str
    ids: list[int] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


CSV_CELL_MAX = 16 * 1024 * 1024


def _norm(header: str) -> str:
    return re.sub(r"\s+", "", str(header or "")).lower()


def table_read(*, name: str, content: bytes) -> list[list[str]]:
    """Rows of cells as text. CSV is read as UTF-8 (BOM or not), else CP949; XLSX with openpyxl."""
    if name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 — any unreadable workbook is the same error for the person
            raise ImportFailed([RowError(0, 0, "file", _("The XLSX file cannot be read."))]) from None
        sheet = book.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append(["" if v is None else (v.date().isoformat() if isinstance(v, dt.datetime) else
                                               v.isoformat() if isinstance(v, dt.date) else
                                               str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
                         for v in values])
        book.close()
        return rows
    for encoding in ("utf-8-sig", "cp949"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFailed([RowError(0, 0, "file", _("The file is neither UTF-8 nor CP949 text."))])
    # csv's own cell limit (131,072 characters) raised an error outside the row checks: read longer cells
    # so that the column's length check names the row and the column.
    previous = csv.field_size_limit(CSV_CELL_MAX)
    reader = csv.reader(io.StringIO(text))
    try:
        return [row for row in reader]
    except csv.Error:
        raise ImportFailed([RowError(max(reader.line_num - 1, 0), reader.line_num, "file",
                                     _("Line %(line)s cannot be read as CSV.") % {"line": reader.line_num})]) from None
    finally:
        csv.field_size_limit(previous)


def _records(rows: list[list[str]], columns: dict[str, list[str]], required: list[str]) -> list[dict[str, str]]:
    if not rows:
        raise ImportFailed([RowError(0, 1, "file", _("The file is empty."))])
    header = [_norm(h) for h in rows[0]]
    index: dict[str, int] = {}
    for key, names in columns.items():
        for name in names:
            if _norm(name) in header:
                index[key] = header.index(_norm(name))
                break
    missing = [key for key in required if key not in index]
    if missing:
        raise ImportFailed([RowError(0, 1, key, _("Column %(names)s is missing.") % {"names": " / ".join(columns[key])})
                            for key in missing])
    out = []
    for values in rows[1:]:
        if not any(str(v).strip() for v in values):
            out.append(None)
            continue
        out.append({key: (values[i].strip() if i < len(values) else "") for key, i in index.items()})
    return out


def _won(value: str) -> int:
    """A whole, non-negative number of won that fits the column, by the money rule (``core.money.parse_won``);
    an empty cell is zero."""
    return parse_won(value) if value.strip() else 0


# Longest value of each text column: the model field's max_length (TextFields: TEXT_MAX).
ORGANIZATION_TEXT = {"name": Organization, "name_en": Organization, "corporate_group": Organization}
PROPOSAL_TEXT = {"title_ko": Proposal, "title_en": Proposal, "abstract_ko": Proposal, "abstract_en": Proposal,
                 "project_number": Proposal}
_FIELD_OF = {"project_number": "reference"}


def _text_errors(record: dict[str, str], columns: dict, error) -> None:
    """A row error for every cell with NUL or invalid Unicode, and for every text over its column's length."""
    for key, value in record.items():
        problem = text_problem(value)
        if problem:
            error(key, problem)
            continue
        model = columns.get(key)
        limit = (model._meta.get_field(_FIELD_OF.get(key, key)).max_length or TEXT_MAX) if model else TEXT_MAX
        if len(value) > limit:
            error(key, _("Longer than %(n)s characters.") % {"n": limit})


def _date(value: str) -> dt.date | None:
    if not value:
        return None
    digits = re.sub(r"[^0-9]", "", value)
    if len(digits) != 8:
        raise ValueError
    return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))


def _words(value: str) -> list[str]:
    return [w.strip() for w in re.split(r"[,;]", value or "") if w.strip()]


def _bool(value: str) -> bool:
    return value.strip().lower() in {"y", "yes", "1", "true", "예", "o", "○"}


# --------------------------------------------------------------------------------------------
# Organisations
# --------------------------------------------------------------------------------------------


@transaction.atomic
def organizations_import(*, actor: Actor, name: str, content: bytes) -> ImportResult:
    if not can_import(actor):
        raise AccessDenied(_("Only program managers may import."), code="import_forbidden")
    records = _records(table_read(name=name, content=content), ORGANIZATION_COLUMNS,
                       ["name", "business_registration_number", "org_type", "region_code"])
    today = timezone.localdate()
    regions = {r.code: r for r in Region.objects.all().order_by("valid_from")}
    current = {r.code: r for r in Region.objects.filter(valid_from__lte=today).order_by("valid_from")}
    regions.update(current)
    numbers = [brn_normalize(r["business_registration_number"]) for r in records if r]
    existing = set(Organization.objects.filter(business_registration_number__in=numbers)
                   .values_list("business_registration_number", flat=True))
    errors: list[RowError] = []
    seen: set[str] = set()
    objects: list[Organization] = []
    for i, record in enumerate(records, start=1):
        if record is None:
            continue
        line = i + 1

        def error(key: str, message: str, i=i, line=line) -> None:
            errors.append(RowError(i, line, key, message))

        _text_errors(record, ORGANIZATION_TEXT, error)
        if not record["name"]:
            error("name", _("Required."))
        number = brn_normalize(record["business_registration_number"])
        if not brn_is_valid(number):
            error("business_registration_number", _("%(value)s is not a valid business registration number.")
                  % {"value": record["business_registration_number"]})
        elif number in existing:
            error("business_registration_number", _("Already registered."))
        elif number in seen:
            error("business_registration_number", _("Listed twice in the file."))
        seen.add(number)
        org_type = ORG_TYPE_WORDS.get(record["org_type"].replace(" ", ""), record["org_type"].lower())
        if org_type not in OrganizationType.values:
            error("org_type", _("Unknown organization type %(value)s.") % {"value": record["org_type"]})
        region = regions.get(record["region_code"].zfill(2))
        if region is None:
            error("region_code", _("Unknown region code %(value)s.") % {"value": record["region_code"]})
        rate = None
        if record.get("indirect_cost_rate"):
            try:
                rate = Decimal(record["indirect_cost_rate"].replace("%", ""))
                if not rate.is_finite() or not 0 <= rate <= 100:
                    raise InvalidOperation
                rate = round(rate, 2)
            except (InvalidOperation, ValueError):
                error("indirect_cost_rate", _("Enter a percentage between 0 and 100."))
        objects.append(Organization(
            name=record["name"], name_en=record.get("name_en", ""), business_registration_number=number,
            org_type=org_type, region=region, corporate_group=record.get("corporate_group", ""),
            is_demand_anchor=_bool(record.get("is_demand_anchor", "")), indirect_cost_rate=rate))
    if not objects and not errors:
        errors.append(RowError(0, 1, "file", _("The file has no data rows.")))
    if errors:
        raise ImportFailed(errors)
    created = []
    for org in objects:
        org.save()
        audit_record(actor=actor, action="organization.import", obj=org,
                     changes={"business_registration_number": org.business_registration_number, "file": name})
        created.append(org.pk)
    return ImportResult(created=len(created), kind="organizations", ids=created)


# --------------------------------------------------------------------------------------------
# Proposals
# --------------------------------------------------------------------------------------------


@transaction.atomic
def proposals_import(*, actor: Actor, name: str, content: bytes) -> ImportResult:
    if not can_import(actor):
        raise AccessDenied(_("Only program managers may import."), code="import_forbidden")
    records = _records(table_read(name=name, content=content), PROPOSAL_COLUMNS,
                       ["project_number", "title_ko", "lead_brn", "region_code", "gov_krw", "call_reference"])
    live = [r for r in records if r]
    orgs = {o.business_registration_number: o for o in Organization.objects.select_related("region__successor").filter(
        business_registration_number__in=[brn_normalize(r["lead_brn"]) for r in live])}
    researchers = {r.national_researcher_number: r for r in Researcher.objects.filter(
        national_researcher_number__in=[r.get("pi_number", "") for r in live if r.get("pi_number")])}
    calls = {c.reference: c for c in Call.objects.filter(reference__in=[r["call_reference"] for r in live])}
    existing = set(Proposal.objects.filter(reference__in=[r["project_number"] for r in live])
                   .values_list("reference", flat=True))
    errors: list[RowError] = []
    seen: set[str] = set()
    planned = []
    for i, record in enumerate(records, start=1):
        if record is None:
            continue
        line = i + 1

        def error(key: str, message: str, i=i, line=line) -> None:
            errors.append(RowError(i, line, key, message))

        _text_errors(record, PROPOSAL_TEXT, error)
        number = record["project_number"]
        if not re.fullmatch(r"\d{10}", number):
            error("project_number", _("A project number has 10 digits."))
        elif number in existing:
            error("project_number", _("Already imported."))
        elif number in seen:
            error("project_number", _("Listed twice in the file."))
        seen.add(number)
        if not record["title_ko"]:
            error("title_ko", _("Required."))
        lead = orgs.get(brn_normalize(record["lead_brn"]))
        if lead is None:
            error("lead_brn", _("No registered organization with number %(value)s.") % {"value": record["lead_brn"]})
        code = record["region_code"].zfill(2)
        if lead is not None and code not in {lead.region.code, getattr(lead.region.successor, "code", None)}:
            error("region_code", _("Region %(value)s is not the lead institution's region (%(expected)s).")
                  % {"value": record["region_code"], "expected": lead.region.code})
        pi = None
        if record.get("pi_number"):
            pi = researchers.get(record["pi_number"])
            if pi is None:
                error("pi_number", _("No registered researcher with number %(value)s.") % {"value": record["pi_number"]})
        amounts = {}
        for key in ("gov_krw", "cash_krw", "in_kind_krw"):
            try:
                amounts[key] = _won(record.get(key, ""))
            except WonInvalid as exc:
                error(key, _("%(value)s is not a whole number of won.") % {"value": record.get(key, "")[:40]}
                      + " " + str(exc))
        dates = {}
        for key in ("start_date", "end_date"):
            try:
                dates[key] = _date(record.get(key, ""))
            except ValueError:
                error(key, _("%(value)s is not a date (YYYY-MM-DD).") % {"value": record.get(key, "")})
        if dates.get("start_date") and dates.get("end_date") and dates["end_date"] < dates["start_date"]:
            error("end_date", _("The project ends before it starts."))
        call = calls.get(record["call_reference"])
        if call is None:
            error("call_reference", _("No call with number %(value)s.") % {"value": record["call_reference"]})
        status = record.get("status") or ProposalStatus.SUBMITTED
        if status not in IMPORT_STATUSES:
            error("status", _("Unknown status %(value)s.") % {"value": status})
        planned.append((record, lead, pi, call, amounts, dates, status))
    if not planned and not errors:
        errors.append(RowError(0, 1, "file", _("The file has no data rows.")))
    if errors:
        raise ImportFailed(errors)
    now = timezone.now()
    created = []
    for record, lead, pi, call, amounts, dates, status in planned:
        proposal = Proposal.objects.create(
            call=call, reference=record["project_number"], lead_organization=lead, pi=pi, status=status,
            title_ko=record["title_ko"], title_en=record.get("title_en", ""),
            abstract_ko=record.get("abstract_ko", ""), abstract_en=record.get("abstract_en", ""),
            keywords=_words(record.get("keywords", "")), technology_codes=_words(record.get("technology_codes", "")),
            start_date=dates.get("start_date"), end_date=dates.get("end_date"),
            gov_total_krw=amounts["gov_krw"], cash_total_krw=amounts["cash_krw"],
            in_kind_total_krw=amounts["in_kind_krw"], submitted_at=now,
            decided_at=now if status in (ProposalStatus.SELECTED, ProposalStatus.NOT_SELECTED) else None,
            created_by=actor)
        ConsortiumMember.objects.create(proposal=proposal, organization=lead, role=MemberRole.LEAD)
        if pi is not None:
            TeamMember.objects.create(proposal=proposal, researcher=pi, is_pi=True)
        audit_record(actor=actor, action="proposal.import", obj=proposal,
                     changes={"reference": proposal.reference, "status": status, "file": name})
        created.append(proposal.pk)
    return ImportResult(created=len(created), kind="proposals", ids=created)
