"""Budget parsing and saving: equipment is kept item by item."""

import pytest
from django.utils import timezone

from doyak.core.errors import ValidationFailed
from doyak.core.models import AuditEvent
from doyak.proposals.models import BudgetLine
from doyak.proposals.services import budget_lines_parse, proposal_budget_set

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year + 1


@pytest.fixture
def draft(make_proposal, make_organization, make_user):
    lead = make_organization(org_type="sme")
    applicant = make_user(role="applicant", organization=lead)
    return make_proposal(lead=lead, created_by=applicant), lead, applicant


def test_budget_set_keeps_the_equipment_items(draft):
    proposal, lead, applicant = draft
    rows = [{"year": YEAR, "organization_id": lead.pk, "category": "equipment", "gov_krw": 40_000_000,
             "cash_krw": 20_000_000, "items": [{"description": "X선 회절분석기", "amount_krw": 45_000_000}]}]
    # when
    proposal_budget_set(actor=applicant, proposal_id=proposal.pk, lines=budget_lines_parse(rows))
    # then
    line = BudgetLine.objects.get(proposal=proposal)
    assert (line.category, line.gov_krw, line.items) == (
        "equipment", 40_000_000, [{"description": "X선 회절분석기", "amount_krw": 45_000_000}])
    assert AuditEvent.objects.get(action="proposal.budget_set").changes["items"] == 1


def test_budget_parse_refuses_items_outside_equipment(draft):
    _proposal, lead, _applicant = draft
    rows = [{"year": YEAR, "organization_id": lead.pk, "category": "materials", "gov_krw": 1,
             "items": [{"description": "시약", "amount_krw": 1}]}]
    with pytest.raises(ValidationFailed) as info:
        budget_lines_parse(rows)
    assert (info.value.code, info.value.field) == ("budget_items_category", f"budget[{YEAR}][{lead.pk}].materials.items")


def test_budget_parse_refuses_an_item_without_description(draft):
    _proposal, lead, _applicant = draft
    rows = [{"year": YEAR, "organization_id": lead.pk, "category": "equipment", "gov_krw": 1,
             "items": [{"description": " ", "amount_krw": 1}]}]
    with pytest.raises(ValidationFailed) as info:
        budget_lines_parse(rows)
    assert (info.value.code, info.value.field) == (
        "budget_item_description_required", f"budget[{YEAR}][{lead.pk}].equipment.items[0].description")
    assert BudgetLine.objects.count() == 0
