"""The one permission layer: the reproductions of issue 16 (conflicts page leaking drafts, the liaison reading
ledgers, proposal history shown by the UI and refused by the API) and the explicit system actor."""

# ruff: noqa: F811  (the finance factories are imported as fixtures)
from __future__ import annotations

import pytest
from tests.finance.conftest import make_agreement, make_call, make_program, make_proposal  # noqa: F401

from doyak.accounts.rules import SYSTEM, is_ministry, is_signed_in
from doyak.core.audit import audit_record
from doyak.core.models import AuditEvent


def test_system_actor_is_explicit_and_audited_as_system(make_organization):
    # given an organisation changed by the system (a seed or an import)
    org = make_organization()
    # when the system records an event
    event = audit_record(actor=SYSTEM, action="test.system", obj=org)
    # then the event says the system did it, and the system acts for the ministry side
    assert (event.actor_id, event.actor_label) == (None, "system")
    assert is_signed_in(SYSTEM) and is_ministry(SYSTEM)


def test_conflicts_page_hides_other_organisations_drafts(client, make_user, make_proposal):
    # given another organisation's draft and a program manager
    draft = make_proposal(status="draft")
    client.force_login(make_user(role="program_manager"))
    before = AuditEvent.objects.count()
    # when the manager opens the draft's conflicts page
    response = client.get(f"/evaluation/proposals/{draft.pk}/conflicts/")
    # then the draft is not found, and nothing changed
    assert response.status_code == 404
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("path", ["/finance/agreements/{id}/", "/api/v1/finance/agreements/{id}",
                                  "/api/v1/finance/agreements/{id}/transactions"])
def test_liaison_reads_no_ledger(client, make_user, make_agreement, path):
    # given a concluded agreement and the regulation liaison
    agreement = make_agreement()
    client.force_login(make_user(role="regulation_liaison"))
    # when the liaison opens its ledger (UI and API)
    response = client.get(path.format(id=agreement.pk))
    # then it is refused
    assert response.status_code == 403


def test_liaison_lists_no_agreement(client, make_user, make_agreement):
    make_agreement()
    client.force_login(make_user(role="regulation_liaison"))
    assert client.get("/api/v1/finance/agreements").json()["items"] == []


@pytest.mark.parametrize(("role", "shown"), [("council_member", True), ("auditor", True), ("program_manager", True),
                                             ("investor", False), ("regulation_liaison", False)])
def test_proposal_history_ui_and_api_agree(client, make_user, make_proposal, role, shown):
    # given a submitted proposal with history
    proposal = make_proposal(status="submitted")
    audit_record(actor=SYSTEM, action="proposal.submit", obj=proposal)
    client.force_login(make_user(role=role))
    # when the role opens the detail page and the history endpoint
    page = client.get(f"/proposals/{proposal.pk}/")
    api = client.get(f"/api/v1/proposals/{proposal.pk}/history")
    # then both show it (the page by its label) or both refuse it
    assert ("제안서 제출" in page.content.decode()) is shown
    assert (api.status_code == 200) is shown
    if shown:
        assert [e["action"] for e in api.json()["items"]] == ["proposal.submit"]
