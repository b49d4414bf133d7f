"""Reading and changing versioned policy settings. Read every policy number through ``policy_value``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from doyak.accounts.rules import Actor
from doyak.core.audit import audit_record
from doyak.core.errors import Conflict, NotFound, ValidationFailed
from doyak.core.labels import audit_actions_register

from .enums import ValueType
from .memo import memo
from .models import PolicySetting

AUDIT_ACTIONS = audit_actions_register({
    "policy.change": gettext_lazy("Policy setting changed (new version)"),
})


def policy_coerce(value: Any, value_type: str) -> Any:
    """The typed Python value of a stored JSON value: Decimal for decimals, never float."""
    try:
        if value_type == ValueType.INTEGER:
            if isinstance(value, bool) or Decimal(str(value)) != int(Decimal(str(value))):
                raise ValueError
            return int(Decimal(str(value)))
        if value_type == ValueType.DECIMAL:
            return Decimal(str(value))
        if value_type == ValueType.BOOLEAN:
            if not isinstance(value, bool):
                raise ValueError
            return value
        if value_type == ValueType.LIST:
            if not isinstance(value, list):
                raise ValueError
            return list(value)
        return str(value)
    except (ValueError, InvalidOperation, TypeError):
        raise ValidationFailed(_("%(value)r is not a valid %(type)s.") % {"value": value, "type": value_type}, code="policy_value_invalid", field="value") from None


def _in_force(on: dt.date):
    return (PolicySetting.objects.filter(effective_from__lte=on)
            .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on)))


def _records_in_force(on: dt.date) -> dict[str, PolicySetting]:
    """Every policy's version in force on ``on``, by key, in one query; remembered for the rest of the request."""
    remembered = memo()
    if remembered is not None and on in remembered:
        return remembered[on]
    records: dict[str, PolicySetting] = {}
    for record in _in_force(on).order_by("key", "-version"):
        records.setdefault(record.key, record)
    if remembered is not None:
        remembered[on] = records
    return records


def policy_record(*, key: str, on: dt.date | None = None) -> PolicySetting:
    """The version of ``key`` in force on ``on`` (today, Seoul time, by default). During a request the first
    read loads every policy in force on that date (``memo``): a page reads twenty or thirty of them."""
    on = on or timezone.localdate()
    if memo() is not None:
        record = _records_in_force(on).get(key)
    else:
        record = _in_force(on).filter(key=key).order_by("-version").first()
    if record is None:
        raise NotFound(_("No policy %(key)s in force on %(date)s.") % {"key": key, "date": on.isoformat()}, code="policy_not_found", field=key)
    return record


def policy_value(key: str, on: dt.date | None = None) -> Any:
    """The typed value of policy ``key`` in force on ``on``."""
    record = policy_record(key=key, on=on)
    return policy_coerce(record.value, record.value_type)


def policy_values_in_force(*, on: dt.date | None = None, prefix: str = "") -> dict[str, Any]:
    """The typed value of every policy (under ``prefix``) in force on ``on``, read in one query: for screens and
    rules that need many numbers at once (a proposal's budget rules read some thirty)."""
    on = on or timezone.localdate()
    return {key: policy_coerce(record.value, record.value_type)
            for key, record in _records_in_force(on).items() if key.startswith(prefix)}


def policy_values(*, prefix: str, on: dt.date | None = None) -> dict[str, Any]:
    """Every policy under ``prefix`` (e.g. ``"settlement."``) in force on ``on``, keyed by full key."""
    return dict(sorted(policy_values_in_force(on=on, prefix=prefix).items()))


def _json_value(value: Any, value_type: str) -> Any:
    typed = policy_coerce(value, value_type)
    return str(typed) if isinstance(typed, Decimal) else typed


@transaction.atomic
def policy_change(
    *, actor: Actor, key: str, value: Any, effective_from: dt.date, source: str, note: str = "",
    effective_to: dt.date | None = None, confirmed: bool = True,
) -> PolicySetting:
    """Add a new version of an existing policy. History is never edited."""
    latest = PolicySetting.objects.select_for_update().filter(key=key).order_by("-version").first()
    if latest is None:
        raise NotFound(_("Unknown policy %(key)s.") % {"key": key}, code="policy_not_found", field="key")
    if not source.strip():
        raise ValidationFailed(_("Name the legal or plan source of the new value."), code="policy_source_required", field="source")
    if effective_to is not None and effective_to < effective_from:
        raise ValidationFailed(_("The period ends before it starts."), code="policy_period_invalid", field="effective_to")
    version = (PolicySetting.objects.filter(key=key).aggregate(v=Max("version"))["v"] or 0) + 1
    try:
        record = PolicySetting.objects.create(
            key=key, version=version, value=_json_value(value, latest.value_type), value_type=latest.value_type,
            unit=latest.unit, label_ko=latest.label_ko, label_en=latest.label_en, source=source.strip(),
            confirmed=confirmed, effective_from=effective_from, effective_to=effective_to, note=note,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
    except IntegrityError as exc:  # two administrators at once
        raise Conflict(_("Another change to this policy was saved first; reload."), code="policy_version_conflict") from exc
    audit_record(
        actor=actor, action="policy.change", obj=record,
        changes={"value": [latest.value, record.value], "effective_from": effective_from, "source": record.source},
    )
    return record
