"""What the agreement pages compute only for display: labels of fields, readable values, rules by name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from doyak.core.money import format_won
from doyak.proposals.enums import CostCategory

from .enums import ChangeClass, PartyRole
from .policies import rule_records

FIELD_LABELS = {
    "lead_institution": gettext_lazy("Lead institution"),
    "pi": gettext_lazy("Principal investigator"),
    "parties": gettext_lazy("Participants and subcontractors"),
    "staff": gettext_lazy("Researchers other than the PI"),
    "period.start_date": gettext_lazy("Start date"),
    "period.end_date": gettext_lazy("End date"),
    "stages": gettext_lazy("Stages"),
    "goals": gettext_lazy("Goals"),
    "kpis": gettext_lazy("Performance indicators"),
    "method": gettext_lazy("Research method and content"),
    "gov_funds.total": gettext_lazy("Government funds, total"),
    "indirect.total": gettext_lazy("Indirect cost, total"),
    "allowance.total": gettext_lazy("Research allowance, total"),
}


def field_label(field: str, *, organizations: dict[int, str] | None = None) -> str:
    if field in FIELD_LABELS:
        return str(FIELD_LABELS[field])
    parts = field.split(".")
    if parts[0] == "gov_funds":
        return _("Government funds, year %(year)s") % {"year": parts[1]}
    if parts[0] == "budget" and len(parts) == 4:
        category = str(CostCategory(parts[3]).label) if parts[3] in CostCategory.values else parts[3]
        org = (organizations or {}).get(int(parts[2]), parts[2])
        return _("Budget %(year)s · %(org)s · %(category)s") % {"year": parts[1], "org": org, "category": category}
    if parts[0] == "equipment":
        return _("Equipment not in the plan: %(item)s") % {"item": ".".join(parts[3:])}
    return field


def won(amount: int) -> str:
    return format_won(amount, lang=get_language() or "ko")


def value_text(value: Any) -> str:
    """A value as a person reads it: won amounts with units, lists one per line, roles by label."""
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int):
        return won(value)
    if isinstance(value, dict) and "gov_krw" in value and value.get("other_cash_krw"):
        return _("government %(gov)s · cash %(cash)s · other cash %(other)s · in-kind %(in_kind)s") % {
            "gov": won(value["gov_krw"]), "cash": won(value["cash_krw"]), "other": won(value["other_cash_krw"]),
            "in_kind": won(value["in_kind_krw"])}
    if isinstance(value, dict) and "gov_krw" in value:
        return _("government %(gov)s · cash %(cash)s · in-kind %(in_kind)s") % {
            "gov": won(value["gov_krw"]), "cash": won(value["cash_krw"]), "in_kind": won(value["in_kind_krw"])}
    if isinstance(value, list):
        return "\n".join(value_text(v) for v in value)
    if isinstance(value, dict) and "number" in value:
        return _("Stage %(n)s: %(start)s – %(end)s") % {"n": value["number"], "start": value["start_date"],
                                                        "end": value["end_date"]}
    if isinstance(value, dict) and "target" in value:
        return f"{value['name']}: {value.get('baseline') or '–'} → {value['target']} {value.get('unit', '')}".strip()
    if isinstance(value, str):
        for role in PartyRole:
            value = value.replace(f"({role.value})", f"({role.label})")
    return str(value)


@dataclass(frozen=True)
class ItemRow:
    label: str
    before: str
    after: str
    change_class: str
    class_label: str
    rule_key: str
    rule_label: str
    rule_source: str


def item_rows(items: list[dict], *, organizations: dict[int, str] | None = None) -> list[ItemRow]:
    """Each classified difference with its rule by name and source (the key stays in the data)."""
    records = rule_records(keys={i["rule"] for i in items}) if items else {}
    return [ItemRow(label=field_label(i["field"], organizations=organizations), before=value_text(i["before"]),
                    after=value_text(i["after"]), change_class=i["class"], class_label=str(ChangeClass(i["class"]).label),
                    rule_key=i["rule"], rule_label=records[i["rule"]].label, rule_source=records[i["rule"]].source)
            for i in items]


def difference_rows(differences, *, organizations: dict[int, str] | None = None) -> list[dict]:
    return [{"label": field_label(d.field, organizations=organizations), "before": value_text(d.before),
             "after": value_text(d.after)} for d in differences]


def organization_names(*terms: dict) -> dict[int, str]:
    names: dict[int, str] = {}
    for t in terms:
        for line in t.get("budget", []):
            names[line["organization_id"]] = line["organization"]
    return names
