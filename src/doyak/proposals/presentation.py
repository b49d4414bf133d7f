"""What the proposal screens compute only for display: the budget grid (year × institution blocks of
category rows of inputs, with sums and cell errors), the team's monthly time in short, the notes beside the
consortium and team add forms, and the budget summary of the proposal's page.

Cells are read by the money rule (``core.money.parse_won``), the same rule the services and the import use.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from doyak.core.money import WonInvalid, parse_won
from doyak.organizations.models import Organization

from .enums import CostCategory
from .selectors import proposal_budget_grid

SOURCES = (("gov", gettext_lazy("Government")), ("cash", gettext_lazy("Own cash")), ("in_kind", gettext_lazy("Own in-kind")))

def budget_grid(proposal, posted=None, violations=None) -> dict:
    """Blocks (year × institution) of rows (categories) of inputs, with sums, parsed lines and cell errors."""
    grid = proposal_budget_grid(proposal=proposal)
    error_anchors = {v["anchor"] for v in violations or []}
    blocks, cell_errors, rows_in = [], {}, []
    grand = {"gov": 0, "cash": 0, "in_kind": 0, "total": 0}
    for year in grid["years"]:
        for org in grid["institutions"]:
            sums = {"gov": 0, "cash": 0, "in_kind": 0}
            rows = []
            for category, label in grid["categories"]:
                line = grid["amounts"].get((year, org.pk, category))
                cells, raw_row = [], {"year": year, "organization_id": org.pk, "category": category}
                for source, source_label in SOURCES:
                    name = f"b-{year}-{org.pk}-{category}-{source}"
                    if posted is not None:
                        raw = posted.get(name, "").strip()
                    else:
                        saved = getattr(line, f"{source}_krw") if line else 0
                        raw = f"{saved:,}" if saved else ""
                    value = 0
                    if raw:
                        try:
                            value = parse_won(raw)
                        except WonInvalid as exc:
                            cell_errors[name] = str(exc)
                    sums[source] += value
                    raw_row[f"{source}_krw"] = value
                    cells.append({"name": name, "value": raw, "error": cell_errors.get(name),
                                  "label": f"{year} {org.name} {label} {source_label}"})
                row_id = f"b-{year}-{org.pk}-{category}"
                items = None
                if category == CostCategory.EQUIPMENT:
                    items = _equipment_items_cell(f"{row_id}-items", line=line, posted=posted, cell_errors=cell_errors,
                                                  label=f"{year} {org.name} {label}")
                    raw_row["items"] = items["parsed"]
                rows_in.append(raw_row)
                rows.append({"id": row_id, "category": category, "label": label, "cells": cells, "items": items,
                             "total": sum(raw_row[f"{s}_krw"] for s, _l in SOURCES), "error": row_id in error_anchors})
            sums["total"] = sums["gov"] + sums["cash"] + sums["in_kind"]
            for key in grand:
                grand[key] += sums[key]
            blocks.append({"year": year, "org": org, "rows": rows, "sums": sums, "sum_id": f"sum-{year}-{org.pk}",
                           "sum_error": f"sum-{year}-{org.pk}" in error_anchors})
    return {"blocks": blocks, "years": grid["years"], "cell_errors": cell_errors, "rows": rows_in, "grand": grand}


ITEM_SEPARATOR = "|"


def _equipment_items_cell(name: str, *, line, posted, cell_errors: dict, label: str) -> dict:
    """The equipment line's item list as a text area, one item a line: "description | amount in won"."""
    if posted is not None:
        raw = posted.get(name, "")
    else:
        raw = "\n".join(f"{item['description']} {ITEM_SEPARATOR} {int(item['amount_krw']):,}"
                         for item in (line.items if line else []))
    parsed = []
    for text in raw.splitlines():
        if not text.strip():
            continue
        description, sep, amount = text.rpartition(ITEM_SEPARATOR)
        try:
            won = parse_won(amount)
        except WonInvalid:
            won = None
        if not sep or not description.strip() or won is None:
            cell_errors[name] = _("Write one item a line: description | amount in won.")
            continue
        parsed.append({"description": description.strip(), "amount_krw": won})
    return {"name": name, "value": raw, "error": cell_errors.get(name), "parsed": parsed,
            "label": _("%(line)s: items") % {"line": label}}



def percent_text(value) -> str:
    text = f"{value}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def team_rows(proposal, violations: list[dict]) -> list[dict]:
    """The saved team, each with its monthly time summarised (one value, or the lowest and highest)."""
    anchors = {v["anchor"] for v in violations}
    rows = []
    for member in proposal.team.select_related("researcher__organization"):
        months = sorted((member.monthly_percent or {}).items())
        values = sorted({Decimal(str(p)) for _m, p in months})
        rows.append({"member": member, "months": [(m, percent_text(p)) for m, p in months],
                     "low": percent_text(values[0]) if values else "", "high": percent_text(values[-1]) if values else "",
                     "error": f"researcher-{member.researcher.national_researcher_number}" in anchors})
    return rows


def team_notes(form, researcher, violations: list[dict]) -> dict:
    """Per-field notes of the add form: which month of the typed researcher breaks which rule."""
    month_notes: dict[str, list[str]] = {}
    researcher_notes: list[str] = []
    if researcher is not None:
        prefix = f"researchers[{researcher.national_researcher_number}]"
        for v in violations:
            if not v["field"].startswith(prefix):
                continue
            month = v["field"][len(prefix):].partition("]")[0].lstrip("[")
            if month in form.months:
                month_notes.setdefault(month, []).append(
                    _("Total %(actual)s, limit %(limit)s") % {"actual": v["actual"], "limit": v["limit"]})
                v["anchor"] = f"id_{form.month_field(month)}"
            else:
                researcher_notes.append(v["message"])
                v["anchor"] = "id_national_researcher_number"
    return {"month_notes": [(m, " ".join(month_notes.get(m, []))) for m in form.months],
            "researcher_notes": researcher_notes}



def consortium_notes(organization, violations: list[dict]) -> dict:
    notes = []
    if organization is not None:
        prefix = f"institutions[{organization.pk}]"
        for v in violations:
            if v["field"].startswith(prefix):
                notes.append(v["message"])
                v["anchor"] = "id_business_registration_number"
    return {"organization": organization, "organization_notes": notes}


def budget_summary_rows(proposal) -> list[dict]:
    """The saved budget summed per year and institution, for the proposal's page."""
    grid = proposal_budget_grid(proposal=proposal)
    totals: dict = {}
    for line in grid["amounts"].values():
        key = (line.year, line.organization_id)
        row = totals.setdefault(key, {"year": line.year, "organization_id": line.organization_id,
                                      "gov": 0, "cash": 0, "in_kind": 0})
        row["gov"] += line.gov_krw
        row["cash"] += line.cash_krw
        row["in_kind"] += line.in_kind_krw
    names = {o.pk: o.name for o in Organization.objects.filter(pk__in=[k[1] for k in totals])}
    return [{**row, "name": names.get(row["organization_id"], ""), "total": row["gov"] + row["cash"] + row["in_kind"]}
            for _k, row in sorted(totals.items())]
