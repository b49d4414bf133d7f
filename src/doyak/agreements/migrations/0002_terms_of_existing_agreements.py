"""Agreements made before this app existed get their terms: budget sources from the proposal's budget lines
(a line without its proposal line counts as government funds), parties, researchers, one stage, a goal and the
KPIs from the proposal; those concluded (not drafts) get version 1 frozen from them, in force from the start.
Written against the historical models (no app code), as ``agreements.terms.terms_of`` shapes a snapshot."""

from django.db import migrations
from django.utils import timezone


def _decimal(value):
    return None if value is None else format(value.normalize(), "f")


def forwards(apps, schema_editor):
    Agreement = apps.get_model("agreements", "Agreement")
    ApprovedBudget = apps.get_model("agreements", "ApprovedBudget")
    Party = apps.get_model("agreements", "AgreementParty")
    Person = apps.get_model("agreements", "AgreementResearcher")
    Stage = apps.get_model("agreements", "AgreementStage")
    Goal = apps.get_model("agreements", "AgreementGoal")
    Kpi = apps.get_model("agreements", "AgreementKpi")
    Version = apps.get_model("agreements", "AgreementVersion")
    BudgetLine = apps.get_model("proposals", "BudgetLine")
    Member = apps.get_model("proposals", "ConsortiumMember")
    TeamMember = apps.get_model("proposals", "TeamMember")
    KpiTarget = apps.get_model("proposals", "KpiTarget")
    now = timezone.now()
    for agreement in Agreement.objects.select_related("proposal__lead_organization").iterator():
        proposal = agreement.proposal
        if Party.objects.filter(agreement=agreement).exists():
            continue
        lines = {(b.year, b.category, b.organization_id): b for b in BudgetLine.objects.filter(proposal=proposal)}
        for budget in ApprovedBudget.objects.filter(agreement=agreement):
            line = lines.get((budget.year, budget.category, budget.organization_id))
            if line is not None and line.gov_krw + line.cash_krw == budget.approved_krw:
                budget.gov_krw, budget.cash_krw, budget.in_kind_krw = line.gov_krw, line.cash_krw, line.in_kind_krw
                budget.items = list(line.items or [])
            else:
                budget.gov_krw, budget.cash_krw = budget.approved_krw, 0
            budget.save(update_fields=["gov_krw", "cash_krw", "in_kind_krw", "items"])
        Party.objects.create(agreement=agreement, organization_id=proposal.lead_organization_id, role="lead")
        for member in Member.objects.filter(proposal=proposal).exclude(organization_id=proposal.lead_organization_id):
            Party.objects.create(agreement=agreement, organization_id=member.organization_id,
                                 role="subcontractor" if member.role == "subcontractor" else "participant")
        team = {m.researcher_id: m.is_pi for m in TeamMember.objects.filter(proposal=proposal)}
        if proposal.pi_id:
            team = {rid: False for rid in team} | {proposal.pi_id: True}
        for rid, is_pi in team.items():
            Person.objects.create(agreement=agreement, researcher_id=rid, is_pi=is_pi)
        Stage.objects.create(agreement=agreement, number=1, start_date=agreement.start_date,
                             end_date=agreement.end_date)
        Goal.objects.create(agreement=agreement, order=1, text=proposal.title_ko)
        for k in KpiTarget.objects.filter(proposal=proposal):
            Kpi.objects.create(agreement=agreement, name=k.name, unit=k.unit, baseline=k.baseline, target=k.target,
                               year=k.year)
        if agreement.status == "draft":
            continue
        parties = list(Party.objects.filter(agreement=agreement).select_related("organization")
                       .order_by("organization_id"))
        people = list(Person.objects.filter(agreement=agreement).select_related("researcher").order_by("researcher_id"))
        pi = next((p.researcher for p in people if p.is_pi), None)
        lead = proposal.lead_organization
        terms = {
            "lead_institution": {"id": lead.pk, "name": lead.name},
            "parties": [{"id": p.organization_id, "name": p.organization.name, "role": p.role} for p in parties
                        if p.role != "lead"],
            "pi": {"id": pi.pk, "name": pi.name} if pi else None,
            "staff": [{"id": p.researcher_id, "name": p.researcher.name} for p in people if not p.is_pi],
            "start_date": agreement.start_date.isoformat(), "end_date": agreement.end_date.isoformat(),
            "stages": [{"number": 1, "start_date": agreement.start_date.isoformat(),
                        "end_date": agreement.end_date.isoformat()}],
            "goals": [proposal.title_ko],
            "kpis": [{"name": k.name, "unit": k.unit, "baseline": _decimal(k.baseline), "target": _decimal(k.target),
                      "year": k.year} for k in Kpi.objects.filter(agreement=agreement).order_by("id")],
            "method": agreement.method,
            "budget": sorted(({"year": b.year, "category": b.category, "organization_id": b.organization_id,
                               "organization": b.organization.name, "gov_krw": b.gov_krw, "cash_krw": b.cash_krw,
                               "in_kind_krw": b.in_kind_krw, "items": list(b.items or [])}
                              for b in ApprovedBudget.objects.filter(agreement=agreement).select_related("organization")),
                             key=lambda line: (line["year"], line["organization_id"], line["category"])),
        }
        Version.objects.create(agreement=agreement, number=1, terms=terms, effective_from=agreement.start_date,
                               frozen_at=now)
        Agreement.objects.filter(pk=agreement.pk).update(version=1, signed_at=agreement.updated_at)


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0001_move_agreement_from_finance"),
        ("finance", "0006_agreement_moves_to_agreements_app"),
        ("proposals", "0006_input_bounds"),
    ]
    # the reverse leaves the rows: 0001's reverse drops their tables
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
