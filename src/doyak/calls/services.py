"""Writes for calls: create, edit, set the evaluation template, open, close. Atomic and audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from doyak.accounts.rules import Actor
from doyak.core.audit import audit_record, changed_fields, model_snapshot
from doyak.core.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from doyak.core.labels import audit_actions_register
from doyak.organizations.enums import OrganizationType
from doyak.programs.enums import Track
from doyak.programs.models import Program, SubProgram
from doyak.regions.models import Region

from .defaults import DEFAULT_CRITERIA, RIPPLE_DEFAULT_CRITERIA
from .enums import Aggregation, CallStatus, CriterionKind, EvaluationFormat, ScoringMode
from .models import Call, Criterion
from .rules import can_manage_calls
from .selectors import call_open_problems, call_policy_date, call_ripple_required, regional_only_default_codes

CALL_FIELDS = (
    "program", "sub_program", "reference", "track", "title_ko", "title_en", "description", "opens_at", "closes_at",
    "eligible_region_codes", "eligible_org_types", "required_documents", "budget_krw", "max_gov_per_project_krw",
    "evaluation_format", "scoring_mode", "aggregation", "cutoff_score", "panel_size",
)
# Fields that may still change once a call is open (a deadline extension, a clarified description).
OPEN_EDITABLE_FIELDS = frozenset({"closes_at", "description", "title_en"})


AUDIT_ACTIONS = audit_actions_register({
    "call.create": gettext_lazy("Call created"),
    "call.update": gettext_lazy("Call changed"),
    "call.criteria_set": gettext_lazy("Evaluation criteria of a call set"),
    "call.open": gettext_lazy("Call opened"),
    "call.close": gettext_lazy("Call closed"),
    "call.cancel": gettext_lazy("Call cancelled"),
})


def _require_manager(actor: Actor) -> None:
    if not can_manage_calls(actor):
        raise AccessDenied(_("Only program managers may change calls."), code="call_forbidden")


def _locked_call(call_id: int) -> Call:
    call = Call.objects.select_for_update().filter(pk=call_id).first()
    if call is None:
        raise NotFound(_("Call not found."), code="call_not_found")
    return call


def _clean(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    """Check and normalise call fields; raises ValidationFailed naming the first bad field."""
    out: dict[str, Any] = {}
    unknown = sorted(set(data) - set(CALL_FIELDS))
    if unknown:
        raise ValidationFailed(_("Field %(field)s cannot be changed here.") % {"field": unknown[0]},
                               code="field_not_editable", field=unknown[0])
    for key, value in data.items():
        if key == "program":
            program = value if isinstance(value, Program) else Program.objects.filter(pk=value).first()
            if program is None:
                raise ValidationFailed(_("Unknown program."), code="program_not_found", field="program")
            value = program
        elif key == "sub_program":
            if value in (None, ""):
                value = None
            else:
                sub = value if isinstance(value, SubProgram) else SubProgram.objects.filter(pk=value).first()
                if sub is None:
                    raise ValidationFailed(_("Unknown sub-program."), code="sub_program_not_found", field="sub_program")
                value = sub
        elif key == "track" and value not in Track.values:
            raise ValidationFailed(_("Unknown track."), code="track_invalid", field="track")
        elif key in ("opens_at", "closes_at"):
            if not isinstance(value, dt.datetime):
                raise ValidationFailed(_("Enter a date and time."), code="datetime_invalid", field=key)
            if timezone.is_naive(value):
                value = timezone.make_aware(value)
        elif key == "eligible_region_codes":
            value = sorted({str(code) for code in value or []})
            known = set(Region.objects.filter(code__in=value).values_list("code", flat=True))
            if set(value) - known:
                raise ValidationFailed(_("Unknown region code %(code)s.") % {"code": sorted(set(value) - known)[0]},
                                       code="region_not_found", field=key)
        elif key == "eligible_org_types":
            value = sorted({str(v) for v in value or []})
            if set(value) - set(OrganizationType.values):
                raise ValidationFailed(_("Unknown organization type."), code="org_type_invalid", field=key)
        elif key == "required_documents":
            from doyak.proposals.enums import AttachmentKind

            value = [v for v in dict.fromkeys(str(v) for v in value or [])]
            if set(value) - set(AttachmentKind.values):
                raise ValidationFailed(_("Unknown document kind."), code="document_kind_invalid", field=key)
        elif key in ("budget_krw", "max_gov_per_project_krw", "panel_size"):
            if value in (None, "") and key == "max_gov_per_project_krw":
                value = None
            elif not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValidationFailed(_("Enter a whole number of zero or more."), code="number_invalid", field=key)
        elif key == "cutoff_score":
            try:
                value = Decimal(str(value))
            except InvalidOperation:
                raise ValidationFailed(_("Enter a number."), code="number_invalid", field=key) from None
            if value < 0:
                raise ValidationFailed(_("Enter a number of zero or more."), code="number_invalid", field=key)
        elif key == "evaluation_format" and value not in EvaluationFormat.values:
            raise ValidationFailed(_("Unknown evaluation format."), code="choice_invalid", field=key)
        elif key == "scoring_mode" and value not in ScoringMode.values:
            raise ValidationFailed(_("Unknown scoring mode."), code="choice_invalid", field=key)
        elif key == "aggregation" and value not in Aggregation.values:
            raise ValidationFailed(_("Unknown aggregation."), code="choice_invalid", field=key)
        elif key in ("reference", "title_ko") and not str(value or "").strip():
            raise ValidationFailed(_("This field is required."), code="required", field=key)
        out[key] = value
    if not partial:
        for key in ("program", "reference", "title_ko", "opens_at", "closes_at"):
            if key not in out:
                raise ValidationFailed(_("This field is required."), code="required", field=key)
    return out


def _check_window_and_subprogram(call: Call) -> None:
    if call.closes_at <= call.opens_at:
        raise ValidationFailed(_("The call must close after it opens."), code="call_window_invalid", field="closes_at")
    if call.sub_program_id and call.sub_program.program_id != call.program_id:
        raise ValidationFailed(_("The sub-program belongs to another program."), code="sub_program_mismatch",
                               field="sub_program")


def _default_criteria(call: Call) -> list[Criterion]:
    template = RIPPLE_DEFAULT_CRITERIA if call_ripple_required(call=call, on=call_policy_date(call)) else DEFAULT_CRITERIA
    return [Criterion(call=call, order=i, kind=kind, name_ko=ko, name_en=en, weight=weight, scale_max=100)
            for i, (kind, ko, en, weight) in enumerate(template, start=1)]


@transaction.atomic
def call_create(*, actor: Actor, data: dict[str, Any]) -> Call:
    """A draft call with the default evaluation template (ripple items included where policy requires them)."""
    _require_manager(actor)
    fields = _clean(data, partial=False)
    call = Call(**fields)  # without an aggregation or cut-off, saving gives it the policy defaults
    if call.track == Track.REGIONAL_ONLY and not call.eligible_region_codes:
        call.eligible_region_codes = regional_only_default_codes(on=call_policy_date(call))
    _check_window_and_subprogram(call)
    try:
        with transaction.atomic():
            call.save()
    except IntegrityError:
        raise Conflict(_("A call with this number exists."), code="call_reference_taken", field="reference") from None
    Criterion.objects.bulk_create(_default_criteria(call))
    audit_record(actor=actor, action="call.create", obj=call, changes={"reference": call.reference, "track": call.track})
    return call


@transaction.atomic
def call_update(*, actor: Actor, call_id: int, data: dict[str, Any]) -> Call:
    _require_manager(actor)
    call = _locked_call(call_id)
    fields = _clean(data, partial=True)
    if call.status == CallStatus.OPEN:
        refused = sorted(set(fields) - OPEN_EDITABLE_FIELDS)
        if refused:
            raise Conflict(_("An open call's %(field)s cannot change.") % {"field": refused[0]},
                           code="call_not_editable", field=refused[0])
    elif call.status != CallStatus.DRAFT:
        raise Conflict(_("Closed or cancelled calls cannot change."), code="call_not_editable")
    before = model_snapshot(call, fields.keys())
    for key, value in fields.items():
        setattr(call, key, value)
    _check_window_and_subprogram(call)
    try:
        with transaction.atomic():
            call.save()
    except IntegrityError:
        raise Conflict(_("A call with this number exists."), code="call_reference_taken", field="reference") from None
    changes = changed_fields(before, model_snapshot(call, fields.keys()))
    if changes:
        audit_record(actor=actor, action="call.update", obj=call, changes=changes)
    return call


@transaction.atomic
def call_criteria_set(*, actor: Actor, call_id: int, criteria: list[dict[str, Any]]) -> list[Criterion]:
    """Replace a draft call's evaluation criteria: each ``{kind, name_ko, name_en, weight, scale_max}``."""
    _require_manager(actor)
    call = _locked_call(call_id)
    if call.status != CallStatus.DRAFT:
        raise Conflict(_("The evaluation template is fixed once the call opens."), code="call_not_editable",
                       field="criteria")
    rows = []
    for i, item in enumerate(criteria, start=1):
        kind = item.get("kind")
        if kind not in CriterionKind.values:
            raise ValidationFailed(_("Criterion %(n)s: unknown kind.") % {"n": i}, code="criterion_invalid",
                                   field=f"criteria[{i}].kind")
        name_ko = str(item.get("name_ko") or "").strip() or str(CriterionKind(kind).label)
        try:
            weight = Decimal(str(item.get("weight")))
            scale_max = int(item.get("scale_max") or 100)
        except (InvalidOperation, TypeError, ValueError):
            raise ValidationFailed(_("Criterion %(n)s: enter a weight.") % {"n": i}, code="criterion_invalid",
                                   field=f"criteria[{i}].weight") from None
        if weight <= 0 or scale_max <= 0:
            raise ValidationFailed(_("Criterion %(n)s: the weight and scale must be above zero.") % {"n": i},
                                   code="criterion_invalid", field=f"criteria[{i}].weight")
        rows.append(Criterion(call=call, order=i, kind=kind, name_ko=name_ko,
                              name_en=str(item.get("name_en") or ""), weight=weight, scale_max=scale_max))
    before = [[c.kind, str(c.weight)] for c in call.criteria.all()]
    call.criteria.all().delete()
    Criterion.objects.bulk_create(rows)
    audit_record(actor=actor, action="call.criteria_set", obj=call,
                 changes={"criteria": [before, [[c.kind, str(c.weight)] for c in rows]]})
    return rows


def _transition(*, actor: Actor, call_id: int, source: set[str], target: str, action: str) -> Call:
    _require_manager(actor)
    call = _locked_call(call_id)
    if call.status not in source:
        raise Conflict(_("A %(status)s call cannot be changed this way.") % {"status": call.get_status_display()},
                       code="call_transition_invalid", field="status")
    old = call.status
    call.status = target
    call.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action=action, obj=call, changes={"status": [old, target]})
    return call


@transaction.atomic
def call_open(*, actor: Actor, call_id: int) -> Call:
    """Publish a draft call. Refused while anything in ``call_open_problems`` remains (ripple criteria, weights…)."""
    _require_manager(actor)
    call = _locked_call(call_id)
    problems = call_open_problems(call=call)
    if problems:
        first = problems[0]
        raise ValidationFailed(first.message, code=first.code, field=first.field)
    return _transition(actor=actor, call_id=call_id, source={CallStatus.DRAFT}, target=CallStatus.OPEN,
                       action="call.open")


@transaction.atomic
def call_close(*, actor: Actor, call_id: int) -> Call:
    return _transition(actor=actor, call_id=call_id, source={CallStatus.OPEN}, target=CallStatus.CLOSED,
                       action="call.close")


@transaction.atomic
def call_cancel(*, actor: Actor, call_id: int) -> Call:
    return _transition(actor=actor, call_id=call_id, source={CallStatus.DRAFT, CallStatus.OPEN},
                       target=CallStatus.CANCELLED, action="call.cancel")
