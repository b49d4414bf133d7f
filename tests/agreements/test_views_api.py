"""Agreement pages and API: the project page per role, version comparison, the PDF, the request page with
each difference's class and rule by name, the PM's queue with overdue requests, and the API contract."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.urls import reverse

from doyak.agreements.models import ApprovedBudget, ChangeRequest
from doyak.agreements.services import change_propose, change_transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(make_agreement, make_user, make_researcher, make_organization):
    lead = make_organization()
    agreement = make_agreement(lead=lead, pi=make_researcher(organization=lead, name="김책임"),
                               budget={"materials": 20_000_000, "activities": 8_000_000})
    return agreement, make_user(role="applicant", organization=lead), make_researcher(organization=lead, name="박책임")


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _moved(agreement):
    return [{"year": b.year, "category": b.category, "organization_id": b.organization_id,
             "gov_krw": b.gov_krw + (-1_000_000 if b.category == "materials" else 1_000_000), "cash_krw": b.cash_krw,
             "in_kind_krw": 0} for b in ApprovedBudget.objects.filter(agreement=agreement)]


def test_project_page_per_role(project, chain, make_user):
    agreement, applicant, _ = project
    url = reverse("agreements:detail", args=[agreement.pk])
    for user, may_propose in ((applicant, True), (chain.pm, True), (make_user(role="council_member"), False),
                              (make_user(role="auditor"), False)):
        response = _client(user).get(url)
        assert response.status_code == 200
        assert (b'data-testid="propose-change"' in response.content) is may_propose
        assert reverse("finance:ledger", args=[agreement.pk]).encode() in response.content


def test_versions_are_compared_field_by_field_on_the_page(project):
    agreement, applicant, new_pi = project
    change = change_propose(actor=applicant, agreement_id=agreement.pk, edits={"budget": _moved(agreement)})
    change_transition(actor=applicant, change_id=change.pk, name="submit")
    response = _client(applicant).get(reverse("agreements:detail", args=[agreement.pk]), {"a": 1, "b": 2})
    rows = response.context["compared"]
    # activities 6M → 7M, then materials 15M → 14M (government funds)
    assert [("6,000,000" in r["before"], "7,000,000" in r["after"], "15,000,000" in r["before"],
             "14,000,000" in r["after"]) for r in rows] == [(True, True, False, False), (False, False, True, True)]
    assert response.context["versions"][-1].number == 2


def test_printable_agreement_is_a_pdf(project):
    agreement, applicant, _ = project
    response = _client(applicant).get(reverse("agreements:version_pdf", args=[agreement.pk, 1]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


def test_request_page_shows_each_difference_with_its_rule_by_name(project, chain):
    agreement, applicant, new_pi = project
    change = change_propose(actor=applicant, agreement_id=agreement.pk, edits={"pi_id": new_pi.pk})
    change_transition(actor=applicant, change_id=change.pk, name="submit")
    response = _client(chain.pm).get(reverse("agreements:change", args=[change.pk]))
    item = response.context["items"][0]
    assert (item.before, item.after, item.change_class, item.rule_key) == (
        "김책임", "박책임", "major", "agreement_change.class.pi")
    assert item.rule_label == "연구책임자 변경 (사전 승인)" and "국가연구개발혁신법" in item.rule_source
    assert [t.name for t in response.context["decisions"]] == ["approve", "return", "reject"]


def _page_data(forms) -> dict:
    """What a browser posts back from the request page untouched: the main form and every formset row."""
    fields = [(forms.main, name) for name in forms.main.fields]
    for formset in forms.formsets:
        fields += [(formset.management_form, name) for name in formset.management_form.fields]
        fields += [(form, name) for form in formset.forms for name in form.fields if name != "DELETE"]
    return {form[name].html_name: form[name].value() for form, name in fields if form[name].value() is not None}


def test_request_made_and_approved_through_the_pages(project, chain, make_organization):
    agreement, applicant, new_pi = project
    partner = make_organization(name="새참여기관")
    client = _client(applicant)
    client.post(reverse("agreements:change_new", args=[agreement.pk]))
    change = ChangeRequest.objects.get(agreement=agreement)
    page = client.get(reverse("agreements:change", args=[change.pk]))
    data = _page_data(page.context["form"])
    # when the institution names a new PI, adds a KPI and a subcontractor in the rows left empty, and submits
    kpis = int(data["kpi-TOTAL_FORMS"]) - 1  # the empty extra row
    data.update({"pi": new_pi.pk, "staff": [], "submit": "1", "reason": "책임자 퇴직",
                 f"kpi-{kpis}-name": "특허 출원", f"kpi-{kpis}-unit": "건", f"kpi-{kpis}-target": "3",
                 "party-0-organization": partner.pk, "party-0-role": "subcontractor"})
    response = client.post(reverse("agreements:change", args=[change.pk]), data)
    assert response.status_code == 302
    change = ChangeRequest.objects.get(pk=change.pk)
    assert (change.status, [i["field"] for i in change.items]) == ("submitted", ["pi", "parties", "kpis"])
    assert change.proposed_terms["kpis"][-1] == {"name": "특허 출원", "unit": "건", "baseline": None, "target": "3",
                                                 "year": None}
    _client(chain.pm).post(reverse("agreements:change_transition", args=[change.pk, "approve"]))
    assert ChangeRequest.objects.get(pk=change.pk).status == "applied"
    assert list(agreement.parties.filter(role="subcontractor").values_list("organization_id", flat=True)) == [
        partner.pk]


def test_request_page_refuses_an_unbounded_row_count(project):
    agreement, applicant, _ = project
    client = _client(applicant)
    client.post(reverse("agreements:change_new", args=[agreement.pk]))
    change = ChangeRequest.objects.get(agreement=agreement)
    data = _page_data(client.get(reverse("agreements:change", args=[change.pk])).context["form"])
    data.update({"kpi-TOTAL_FORMS": "100000", "submit": "1"})
    response = client.post(reverse("agreements:change", args=[change.pk]), data)
    assert response.status_code == 200 and not response.context["form"].kpis.is_valid()
    assert ChangeRequest.objects.get(pk=change.pk).status == "draft"


def test_queue_lists_overdue_requests(project, chain, make_user):
    agreement, applicant, new_pi = project
    change = change_propose(actor=applicant, agreement_id=agreement.pk, edits={"pi_id": new_pi.pk})
    change_transition(actor=applicant, change_id=change.pk, name="submit", today=dt.date(2026, 1, 5))
    response = _client(chain.pm).get(reverse("agreements:queue"))
    assert [(c.pk, late) for c, late in response.context["rows"]] == [(change.pk, True)]
    assert response.context["overdue"] == 1
    assert _client(applicant).get(reverse("agreements:queue")).status_code == 403


def test_api_contract(project, chain):
    agreement, applicant, new_pi = project
    client = _client(applicant)
    listing = client.get("/api/v1/agreements").json()
    assert [{k: a[k] for k in ("id", "number", "status", "version")} for a in listing["items"]] == [
        {"id": agreement.pk, "number": agreement.number, "status": "active", "version": 1}]
    body = {"pi_id": new_pi.pk, "budget": _moved(agreement), "reason": "책임자 퇴직", "submit": True}
    created = client.post(f"/api/v1/agreements/{agreement.pk}/changes", json.dumps(body),
                          content_type="application/json")
    assert created.status_code == 201
    change = created.json()
    assert (change["status"], change["classification"]) == ("submitted", "major")
    assert change["items"][0] == {"field": "pi", "before": "김책임", "after": "박책임", "class": "major",
                                  "rule": "agreement_change.class.pi"}
    assert {i["class"] for i in change["items"][1:]} == {"minor"}
    decided = _client(chain.pm).post(f"/api/v1/agreements/changes/{change['id']}/decision",
                                     json.dumps({"action": "approve"}), content_type="application/json")
    assert (decided.json()["status"], decided.json()["applied_version"]) == ("applied", 2)
    versions = client.get(f"/api/v1/agreements/{agreement.pk}/versions").json()
    assert [v["number"] for v in versions] == [1, 2]
    assert [c["status"] for c in client.get(f"/api/v1/agreements/{agreement.pk}/changes").json()] == ["applied"]


def test_api_refuses_a_stranger_and_changes_nothing(project, make_user, make_organization):
    agreement, _applicant, new_pi = project
    stranger = _client(make_user(role="applicant", organization=make_organization()))
    response = stranger.post(f"/api/v1/agreements/{agreement.pk}/changes", json.dumps({"pi_id": new_pi.pk}),
                             content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "agreement_forbidden"
    assert ChangeRequest.objects.count() == 0


def test_untouched_extra_rows_with_selects_post_nothing(project):
    """A browser posts a select's first option; the extra rows' selects start empty, so an untouched page
    saves without a row error."""
    agreement, applicant, _ = project
    client = _client(applicant)
    client.post(reverse("agreements:change_new", args=[agreement.pk]))
    change = ChangeRequest.objects.get(agreement=agreement)
    forms = client.get(reverse("agreements:change", args=[change.pk])).context["form"]
    extra = [forms.parties.forms[-1], forms.equipment.forms[-1]]
    assert [(f["role"].value() if "role" in f.fields else f["line"].value()) for f in extra] == [None, None]
    assert [f.fields["role" if "role" in f.fields else "line"].choices[0][0] for f in extra] == ["", ""]


def test_request_page_offers_the_agreements_institutions_and_finds_others(project, make_organization):
    from doyak.agreements.forms import ORGANIZATION_MATCHES_MAX
    from doyak.core.models import AuditEvent

    # given an agreement whose only institution is its lead, and a registry of many others
    agreement, applicant, _ = project
    lead = agreement.proposal.lead_organization
    partner = make_organization(name="새참여기관")
    alike = [make_organization(name=f"유사기관{n:02d}") for n in range(ORGANIZATION_MATCHES_MAX + 2)]
    client = _client(applicant)
    client.post(reverse("agreements:change_new", args=[agreement.pk]))
    change = ChangeRequest.objects.get(agreement=agreement)
    url = reverse("agreements:change", args=[change.pk])
    forms = client.get(url).context["form"]

    def choices(forms):
        lead_ids = [o.pk for o in forms.main.fields["lead_institution"].queryset]
        party_ids = [o.pk for o in forms.parties.forms[-1].fields["organization"].queryset]
        assert lead_ids == party_ids
        return lead_ids

    # when the page opens: the choices are the agreement's institutions only
    assert choices(forms) == [lead.pk]
    data = {**_page_data(forms), "reason": "참여기관 추가"}
    events, terms = AuditEvent.objects.count(), change.proposed_terms

    # when the institution is searched by its registration number with dashes: it is added, nothing is saved
    brn = partner.business_registration_number
    found = client.post(url, {**data, "find": "1", "find_q": f"{brn[:3]}-{brn[3:5]}-{brn[5:]}"})
    assert (found.status_code, [o.pk for o in found.context["found"]], found.context["more_found"]) == (
        200, [partner.pk], False)
    assert sorted(choices(found.context["form"])) == sorted([lead.pk, partner.pk])
    assert found.context["form"].main["reason"].value() == "참여기관 추가"  # what was typed stays
    change.refresh_from_db()
    assert (AuditEvent.objects.count(), change.proposed_terms) == (events, terms)
    # by a part of the name shared by more than the bound: the first ones by name, and "more" said
    many = client.post(url, {**data, "find": "1", "find_q": "유사기관"})
    assert [o.pk for o in many.context["found"]] == [o.pk for o in alike[:ORGANIZATION_MATCHES_MAX]]
    assert many.context["more_found"] is True and len(choices(many.context["form"])) == ORGANIZATION_MATCHES_MAX + 1
    # too short a text: refused on the field, nothing added
    short = client.post(url, {**data, "find": "1", "find_q": "새"})
    assert (short.context["found"], list(short.context["search"].errors)) == ([], ["find_q"])
    assert choices(short.context["form"]) == [lead.pk]

    # then the found institution, chosen and saved, is a party; the page offers it from then on
    saved = client.post(url, {**data, "party-0-organization": partner.pk, "party-0-role": "participant"})
    assert saved.status_code == 302
    change.refresh_from_db()
    assert [p["id"] for p in change.proposed_terms["parties"]] == [partner.pk]
    assert sorted(choices(client.get(url).context["form"])) == sorted([lead.pk, partner.pk])
