"""Recording audit events. Every service write calls ``audit_record`` inside its transaction."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from .audit_chain import CHAINED_FIELDS, chain_lock, event_digest
from .models import AuditEvent


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def model_snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """Plain values of ``fields`` (foreign keys as their primary key) for diffing."""
    snapshot: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        snapshot[name] = _plain(getattr(obj, field.attname))
    return snapshot


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for each field whose value differs."""
    return {
        key: [_plain(before.get(key)), _plain(after.get(key))]
        for key in sorted(set(before) | set(after))
        if _plain(before.get(key)) != _plain(after.get(key))
    }


def audit_record(
    *, actor, action: str, obj: models.Model, changes: Mapping[str, Any] | None = None
) -> AuditEvent:
    """Append one audit event, chained to the one before (``doyak.core.audit_chain``).

    ``actor`` may be None for system actions (seeding, migrations). The chain is locked until the caller's
    transaction ends, so audit writers queue behind each other: record the event late in a service."""
    # What the JSON column gives back, so that the hash is computed over exactly what is stored.
    plain_changes = json.loads(json.dumps({k: _plain(v) for k, v in (changes or {}).items()}))
    with transaction.atomic():
        chain_lock()
        last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
        seq, prev_hash = (last[0] + 1, last[1]) if last else (1, "")
        event = AuditEvent(
            seq=seq,
            prev_hash=prev_hash,
            at=timezone.now(),
            actor=actor if getattr(actor, "pk", None) else None,
            actor_label=(actor.get_username() if getattr(actor, "pk", None) else "system"),
            action=action,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            object_repr=str(obj)[:200],
            changes=plain_changes,
        )
        event.hash = event_digest({name: getattr(event, name) for name in CHAINED_FIELDS})
        event.save(force_insert=True)
    return event
