"""What core's shared screens compute only for display."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import labels
from .models import AuditEvent


def _when(value: str | None) -> str:
    if not value:
        return "?"
    moment = timezone.localtime(dt.datetime.fromisoformat(value))
    return formats.date_format(moment, "H:i:s")


def recovery_notes(run: models.Model) -> list[str]:
    """One sentence per recovery: which worker stopped when, and who resumed the run when."""
    notes = []
    for item in run.recoveries or []:
        text = _("The worker %(worker)s stopped at %(stopped)s; detected at %(detected)s.") % {
            "worker": item.get("worker") or "?", "stopped": _when(item.get("stopped_at")),
            "detected": _when(item.get("detected_at"))}
        if item.get("resumed_by"):
            text += " " + _("Resumed by worker %(worker)s at %(resumed)s.") % {
                "worker": item["resumed_by"], "resumed": _when(item.get("resumed_at"))}
        else:
            text += " " + _("Waiting for a worker to resume it.")
        notes.append(text)
    return notes


# --------------------------------------------------------------------------------------------
# The audit log in words: actions, people with their role, objects as links, changes readable
# --------------------------------------------------------------------------------------------

CHANGE_TEXT_MAX = 300  # characters of one changed value shown or exported


@dataclass
class AuditRow:
    event: AuditEvent
    at: str
    actor: str
    role: str
    action: str
    object_type: str
    object_text: str
    url: str | None
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (field label, in words, data or "")


def _cut(text: str) -> str:
    return text if len(text) <= CHANGE_TEXT_MAX else text[: CHANGE_TEXT_MAX - 1] + "…"


def _value_text(value, choices=None) -> str:
    if isinstance(value, bool):
        return labels.yes_no(value)
    if value is None or value == "":
        return "—"
    if labels.is_iso_moment(value):
        return labels.local_time_text(value)
    if isinstance(value, list | dict):
        if choices and isinstance(value, list) and all(isinstance(v, str) for v in value):
            return _cut(", ".join(labels.choice_labels(choices, value)))
        n = len(value)
        return ngettext("%(n)s item", "%(n)s items", n) % {"n": f"{n:,}"}  # the data itself: the details
    if choices and isinstance(value, str):
        return _cut(labels.choice_label(choices, value))
    return _cut(str(value))


def _structured(value) -> bool:
    return isinstance(value, list | dict) and bool(value)


def _change_text(change, choices=None) -> str:
    if isinstance(change, list) and len(change) == 2:
        return f"{_value_text(change[0], choices)} → {_value_text(change[1], choices)}"
    return _value_text(change, choices)


def _change_data(change) -> str:
    """The recorded value as data, for the technical-details disclosure: lists and objects only."""
    pair = change if isinstance(change, list) and len(change) == 2 else None
    if pair is not None and not any(_structured(v) for v in pair):
        return ""
    if pair is None and not _structured(change):
        return ""
    return _cut(json.dumps(change, ensure_ascii=False, default=str))


def _field_choices(model, name: str):
    if model is None:
        return None
    try:
        return getattr(model._meta.get_field(name), "choices", None) or None
    except FieldDoesNotExist:
        return None


def _field_label(model, name: str) -> str:
    if model is not None:
        try:
            label = getattr(model._meta.get_field(name), "verbose_name", None)  # reverse relations have none
        except FieldDoesNotExist:
            label = None
        if label:
            return str(label)
    return name.replace("_", " ")


def audit_rows(events, *, user) -> list[AuditRow]:
    """One row per event, in words; objects load once per type to decide each link (no query per row)."""
    events = list(events)
    by_type: dict[str, set[str]] = {}
    for e in events:
        by_type.setdefault(e.object_type, set()).add(e.object_id)
    objects: dict[tuple[str, str], models.Model] = {}
    models_by_type: dict[str, type[models.Model] | None] = {}
    for object_type, ids in by_type.items():
        try:
            model = apps.get_model(object_type)
        except (LookupError, ValueError):
            model = None
        models_by_type[object_type] = model
        if model is not None and labels.audit_object_link(object_type) is not None:
            pks = [i for i in ids if i.isdigit()]
            for obj in model.objects.filter(pk__in=pks):
                objects[(object_type, str(obj.pk))] = obj
    rows = []
    for e in events:
        obj = objects.get((e.object_type, e.object_id))
        url = None
        link = labels.audit_object_link(e.object_type)
        if obj is not None and link is not None:
            url_name, kwarg, can_view, *attr = link
            if can_view(user, obj):
                url = reverse(url_name, kwargs={kwarg: getattr(obj, attr[0] if attr else "pk")})
        actor = e.actor
        rows.append(AuditRow(
            event=e, at=labels.local_time_text(e.at, seconds=True),
            actor=str(actor) if actor is not None else (_("System") if e.actor_label in ("", "system")
                                                        else e.actor_label),
            role=actor.get_role_display() if actor is not None else "",
            action=labels.audit_action_label(e.action), object_type=labels.object_type_label(e.object_type),
            object_text=e.object_repr or f"#{e.object_id}", url=url,
            changes=[(_field_label(models_by_type.get(e.object_type), k),
                      _change_text(v, _field_choices(models_by_type.get(e.object_type), k)), _change_data(v))
                     for k, v in (e.changes or {}).items()],
        ))
    return rows


def audit_export_rows(events):
    """Header and rows of the audit export (people read it in a spreadsheet: labels and Seoul times; the
    codes stay beside them for whoever reconciles with the API)."""
    yield [_("Time (Asia/Seoul)"), _("Actor"), _("Role"), _("Action"), _("Action code"), _("Object type"),
           _("Object id"), _("Object"), _("Changed fields")]
    for e in events:
        actor = e.actor
        yield [labels.local_time_text(e.at, seconds=True),
               str(actor) if actor is not None else _("System"),
               actor.get_role_display() if actor is not None else "",
               labels.audit_action_label(e.action), e.action, labels.object_type_label(e.object_type),
               e.object_id, e.object_repr,
               "; ".join(f"{k}: {_change_data(v) or _change_text(v)}" for k, v in (e.changes or {}).items())]
