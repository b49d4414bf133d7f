"""Chain the audit events by hash: add ``seq``, ``prev_hash`` and ``hash`` and compute them for the events
already recorded, in the order they were written (``id``).

The digest is a copy of ``doyak.core.audit_chain.event_digest`` (a migration never imports app code, which
may change after it); ``tests/core/test_audit_chain.py`` checks that the two agree."""

import datetime as dt
import hashlib
import json
from decimal import Decimal

import django.utils.timezone
from django.db import migrations, models

CHAINED_FIELDS = ("seq", "at", "actor_id", "actor_label", "action", "object_type", "object_id", "object_repr",
                  "changes", "prev_hash")


def _canonical(value):
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


def event_digest(values):
    fields = {name: values[name] for name in CHAINED_FIELDS}
    fields["at"] = fields["at"].astimezone(dt.UTC).isoformat(timespec="microseconds")
    return hashlib.sha256(_canonical(fields).encode("ascii")).hexdigest()


def chain_existing_events(apps, schema_editor):
    AuditEvent = apps.get_model("core", "AuditEvent")
    db = schema_editor.connection.alias
    prev_hash = ""
    batch = []
    for seq, event in enumerate(AuditEvent.objects.using(db).order_by("id").iterator(chunk_size=2_000), start=1):
        event.seq, event.prev_hash = seq, prev_hash
        event.hash = event_digest({name: getattr(event, name) for name in CHAINED_FIELDS})
        prev_hash = event.hash
        batch.append(event)
        if len(batch) == 2_000:
            AuditEvent.objects.using(db).bulk_update(batch, ["seq", "prev_hash", "hash"])
            batch = []
    if batch:
        AuditEvent.objects.using(db).bulk_update(batch, ["seq", "prev_hash", "hash"])


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, editable=False,
                                       verbose_name="time"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(editable=False, null=True, verbose_name="sequence number"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(blank=True, default="", editable=False, max_length=64,
                                   verbose_name="previous event's hash"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="hash"),
            preserve_default=False,
        ),
        # Un-chaining needs nothing: the reverse of the AddFields drops the columns.
        migrations.RunPython(chain_existing_events, migrations.RunPython.noop, elidable=False),
    ]
