"""The terms of an agreement as plain data, and back: what a version freezes and a change request edits.

``terms_of(agreement)`` reads the rows in force into one JSON-ready dict; ``terms_write(agreement, terms)``
makes the rows say what ``terms`` says (when a change is applied). The shape::

    {"lead_institution": {"id", "name"}, "parties": [{"id", "name", "role"}],
     "pi": {"id", "name"} | None, "staff": [{"id", "name"}],
     "start_date": "2026-01-01", "end_date": "2026-12-31",
     "stages": [{"number", "start_date", "end_date"}], "goals": [str],
     "kpis": [{"name", "unit", "baseline", "target", "year"}], "method": str,
     "budget": [{"year", "category", "organization_id", "organization", "gov_krw", "cash_krw", "in_kind_krw",
                 "other_cash_krw", "items": [{"description", "amount_krw"}]}]}

``other_cash_krw`` (cash from other sources) is written only when it is not zero, so the snapshots frozen before
it existed and those without other cash read alike (``other_cash_of``).

Lists are in a stable order (ids, then names) so that two snapshots of equal terms are equal.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from .enums import PartyRole
from .models import (
    Agreement,
    AgreementGoal,
    AgreementKpi,
    AgreementParty,
    AgreementResearcher,
    AgreementStage,
    ApprovedBudget,
)


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def other_cash_of(line: dict) -> int:
    """A budget line's other cash (0 for a line frozen before the field existed)."""
    return int(line.get("other_cash_krw") or 0)


def budget_line_sort_key(line: dict) -> tuple:
    return (line["year"], line["organization_id"], line["category"])


def terms_of(agreement: Agreement) -> dict[str, Any]:
    parties = list(agreement.parties.select_related("organization").order_by("organization_id"))
    lead = next((p.organization for p in parties if p.role == PartyRole.LEAD), agreement.proposal.lead_organization)
    researchers = list(agreement.researchers.select_related("researcher").order_by("researcher_id"))
    pi = next((r.researcher for r in researchers if r.is_pi), None)
    return {
        "lead_institution": {"id": lead.pk, "name": lead.name},
        "parties": [{"id": p.organization_id, "name": p.organization.name, "role": p.role}
                    for p in parties if p.role != PartyRole.LEAD],
        "pi": {"id": pi.pk, "name": pi.name} if pi else None,
        "staff": [{"id": r.researcher_id, "name": r.researcher.name} for r in researchers if not r.is_pi],
        "start_date": agreement.start_date.isoformat(),
        "end_date": agreement.end_date.isoformat(),
        "stages": [{"number": s.number, "start_date": s.start_date.isoformat(), "end_date": s.end_date.isoformat()}
                   for s in agreement.stages.order_by("number")],
        "goals": list(agreement.goals.order_by("order").values_list("text", flat=True)),
        "kpis": [{"name": k.name, "unit": k.unit, "baseline": _decimal(k.baseline), "target": _decimal(k.target),
                  "year": k.year} for k in agreement.kpis.order_by("id")],
        "method": agreement.method,
        "budget": sorted(({"year": b.year, "category": b.category, "organization_id": b.organization_id,
                           "organization": b.organization.name, "gov_krw": b.gov_krw, "cash_krw": b.cash_krw,
                           "in_kind_krw": b.in_kind_krw, **({"other_cash_krw": b.other_cash_krw}
                                                            if b.other_cash_krw else {}),
                           "items": list(b.items or [])}
                          for b in agreement.budgets.select_related("organization")), key=budget_line_sort_key),
    }


def terms_write(agreement: Agreement, terms: dict[str, Any]) -> None:
    """Replace the agreement's rows in force by ``terms`` (inside the caller's transaction)."""
    agreement.start_date = dt.date.fromisoformat(terms["start_date"])
    agreement.end_date = dt.date.fromisoformat(terms["end_date"])
    agreement.method = terms.get("method", "")
    agreement.gov_funds_krw = sum(line["gov_krw"] for line in terms["budget"])
    agreement.cash_funds_krw = sum(line["cash_krw"] for line in terms["budget"])
    agreement.other_cash_funds_krw = sum(other_cash_of(line) for line in terms["budget"])
    agreement.save(update_fields=["start_date", "end_date", "method", "gov_funds_krw", "cash_funds_krw",
                                  "other_cash_funds_krw", "updated_at"])
    agreement.parties.all().delete()
    AgreementParty.objects.bulk_create(
        [AgreementParty(agreement=agreement, organization_id=terms["lead_institution"]["id"], role=PartyRole.LEAD)]
        + [AgreementParty(agreement=agreement, organization_id=p["id"], role=p["role"]) for p in terms["parties"]
           if p["id"] != terms["lead_institution"]["id"]])
    agreement.researchers.all().delete()
    people = ([AgreementResearcher(agreement=agreement, researcher_id=terms["pi"]["id"], is_pi=True)]
              if terms.get("pi") else [])
    people += [AgreementResearcher(agreement=agreement, researcher_id=s["id"]) for s in terms["staff"]
               if not terms.get("pi") or s["id"] != terms["pi"]["id"]]
    AgreementResearcher.objects.bulk_create(people)
    agreement.stages.all().delete()
    AgreementStage.objects.bulk_create([
        AgreementStage(agreement=agreement, number=s["number"], start_date=dt.date.fromisoformat(s["start_date"]),
                       end_date=dt.date.fromisoformat(s["end_date"])) for s in terms["stages"]])
    agreement.goals.all().delete()
    AgreementGoal.objects.bulk_create([AgreementGoal(agreement=agreement, order=i, text=text)
                                       for i, text in enumerate(terms["goals"], start=1)])
    agreement.kpis.all().delete()
    AgreementKpi.objects.bulk_create([
        AgreementKpi(agreement=agreement, name=k["name"], unit=k.get("unit", ""),
                     baseline=None if k.get("baseline") is None else Decimal(k["baseline"]),
                     target=Decimal(k["target"]), year=k.get("year")) for k in terms["kpis"]])
    agreement.budgets.all().delete()
    ApprovedBudget.objects.bulk_create([
        ApprovedBudget(agreement=agreement, year=b["year"], category=b["category"],
                       organization_id=b["organization_id"], gov_krw=b["gov_krw"], cash_krw=b["cash_krw"],
                       other_cash_krw=other_cash_of(b), in_kind_krw=b["in_kind_krw"],
                       approved_krw=b["gov_krw"] + b["cash_krw"] + other_cash_of(b),
                       items=b.get("items", [])) for b in terms["budget"]])
