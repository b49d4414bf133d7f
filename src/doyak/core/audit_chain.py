"""The audit trail's hash chain: each event carries the hash of the one before it.

Triggers in the database (migration ``0004_auditevent_append_only_triggers``) refuse UPDATE and DELETE on
the audit table, so the application and anyone holding its ordinary SQL access cannot rewrite the trail. A
database owner can still drop the triggers; the chain is what catches them afterwards:

- ``seq`` numbers the events 1, 2, 3 … without a gap (unique in the database);
- ``hash`` is SHA-256 over a canonical JSON of the event's fields, its ``seq`` and ``prev_hash``;
- ``prev_hash`` is the ``hash`` of the event numbered ``seq - 1`` ("" for the first).

A changed row no longer matches its hash; a changed row whose hash was recomputed breaks the next event's
``prev_hash``; a deleted row leaves a gap in ``seq``. What the chain alone cannot show is a cut at its end
(the last events deleted) or the whole chain recomputed from some event on: ``audit_chain_verify`` reports
the head (its ``seq`` and ``hash``) so that an auditor can note it elsewhere and compare it later.

The digest below is copied into migration ``0002_auditevent_hash_chain`` (migrations never import app code);
``tests/core/test_audit_chain.py`` checks that both give the same hashes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection

# The fields an event's hash covers, in the order they are listed in the canonical JSON (keys are sorted
# anyway). ``id`` is not among them: the database assigns it after the hash is computed; ``seq`` does its job.
CHAINED_FIELDS = ("seq", "at", "actor_id", "actor_label", "action", "object_type", "object_id", "object_repr",
                  "changes", "prev_hash")

# The key of the PostgreSQL advisory lock that serialises writers of the chain (an identifier, not a policy
# number: the first eight bytes of sha256("doyak.core.auditevent.chain") as a signed 64-bit integer).
CHAIN_LOCK_KEY = int.from_bytes(hashlib.sha256(b"doyak.core.auditevent.chain").digest()[:8], "big", signed=True)


def _canonical(value: Any) -> str:
    """JSON text that is the same for a value and for what the database gives back for it.

    Keys sorted, no spaces, ASCII only (so lone surrogates cannot make the text unencodable); numbers
    written out in plain decimal, because PostgreSQL's jsonb keeps numbers as ``numeric`` and gives
    ``1e+40`` back as the integer 10**40."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=True)
    if isinstance(value, list | tuple):
        return "[" + ",".join(_canonical(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k), ensure_ascii=True)}:{_canonical(value[k])}"
                              for k in sorted(value, key=str)) + "}"
    raise TypeError(f"cannot chain a {type(value).__name__} value")


def _at_text(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def event_digest(values: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of an event's chained fields (``values`` maps each name in ``CHAINED_FIELDS``)."""
    fields = {name: values[name] for name in CHAINED_FIELDS}
    fields["at"] = _at_text(fields["at"])
    return hashlib.sha256(_canonical(fields).encode("ascii")).hexdigest()


def chain_lock() -> None:
    """Hold the chain until the current transaction ends, so that two writers cannot both append after the
    same event. On PostgreSQL a transaction-level advisory lock; on SQLite writes are serialised already
    (doyak opens its transactions with ``BEGIN IMMEDIATE``, and the unique ``seq`` refuses a fork anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])


@dataclass(frozen=True)
class ChainBreak:
    """The first place where the chain does not hold."""

    event_id: int
    seq: int
    problem: str  # "changed" | "relinked" | "missing"
    expected: str
    found: str


@dataclass(frozen=True)
class ChainVerification:
    count: int
    head_seq: int | None
    head_hash: str
    broken: ChainBreak | None

    @property
    def intact(self) -> bool:
        return self.broken is None


def audit_chain_verify(*, on_progress: Callable[[int], None] | None = None,
                       chunk_size: int = 2_000) -> ChainVerification:
    """Walk the audit chain in ``seq`` order and stop at the first broken link.

    ``on_progress(n)`` is called after each chunk with the number of events read so far."""
    from .models import AuditEvent

    rows = AuditEvent.objects.order_by("seq").values("id", "hash", *CHAINED_FIELDS).iterator(chunk_size=chunk_size)
    count = 0
    prev_seq = 0
    prev_hash = ""
    for row in rows:
        broken = None
        if row["seq"] != prev_seq + 1:
            broken = ChainBreak(event_id=row["id"], seq=row["seq"], problem="missing",
                                expected=str(prev_seq + 1), found=str(row["seq"]))
        elif row["prev_hash"] != prev_hash:
            broken = ChainBreak(event_id=row["id"], seq=row["seq"], problem="relinked",
                                expected=prev_hash, found=row["prev_hash"])
        else:
            digest = event_digest(row)
            if digest != row["hash"]:
                broken = ChainBreak(event_id=row["id"], seq=row["seq"], problem="changed",
                                    expected=digest, found=row["hash"])
        if broken is not None:
            return ChainVerification(count=count, head_seq=prev_seq or None, head_hash=prev_hash, broken=broken)
        count += 1
        prev_seq, prev_hash = row["seq"], row["hash"]
        if on_progress is not None and count % chunk_size == 0:
            on_progress(count)
    if on_progress is not None:
        on_progress(count)
    return ChainVerification(count=count, head_seq=prev_seq or None, head_hash=prev_hash, broken=None)
