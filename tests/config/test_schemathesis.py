"""Schemathesis over every operation of the API as three roles, on demo-like data: no 5xx, and every response
whose status the OpenAPI document describes conforms to its schema.

Bounded: ``EXAMPLES`` generated cases per operation (positive and negative data alternate, half of the cases aim
their path ids at rows that exist), a fixed seed, derandomised, no shrinking; each case is sent as every role in
turn, in one world, so a case is generated once (generating costs more than sending). Statuses the
document does not list yet (403/404/409/422) are checked only for "not a server error"; documenting them is
the security-settings work of issue 16.

A bigger run outside the suite: ``DOYAK_SCHEMATHESIS_EXAMPLES=100 pytest tests/config/test_schemathesis.py``.
``DOYAK_SCHEMATHESIS_ROLES`` (comma-separated) narrows the roles: the PostgreSQL run of ``make test`` fuzzes as
one role, the administrator: every operation still gets its cases there, and what the other roles add is who
may do what, which does not depend on the database and is fuzzed on SQLite.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

EXAMPLES = int(os.environ.get("DOYAK_SCHEMATHESIS_EXAMPLES", "12"))
SEED = 16
ALL_ROLES = ("applicant", "program_manager", "administrator")
ROLES = tuple(role for role in os.environ.get("DOYAK_SCHEMATHESIS_ROLES", ",".join(ALL_ROLES)).split(",")
              if role in ALL_ROLES)


@pytest.fixture
def api_world(make_agreement, add_txn, make_user, chain):
    """One agreement with a ledger and a settlement run, its proposal selected through the chain (so a call,
    a panel with scores, an approved scenario exist), an applicant of the lead organisation, the chain's PM
    and administrator, each with an API token."""
    from doyak.accounts.services import api_token_create
    from doyak.finance.services import settlement_run_start
    from doyak.portfolio.models import Scenario

    agreement = make_agreement(budget={"materials": 10_000_000, "activities": 5_000_000})
    for n in range(3):
        add_txn(agreement, f"T{n}", amount=100_000 * (n + 1))
    run = settlement_run_start(actor=chain.pm, agreement_ids=[agreement.pk])
    proposal = agreement.proposal
    users = {"applicant": make_user(role="applicant", organization=proposal.lead_organization),
             "program_manager": chain.pm, "administrator": chain.admin}
    issued = {role: api_token_create(user=user, name="schemathesis") for role, user in users.items()}
    tokens = {role: raw for role, (_token, raw) in issued.items()}
    # a second token per role: the one ``DELETE /tokens/{token_id}`` may revoke (never the one signing in)
    spare = {role: api_token_create(user=user, name="spare")[0].pk for role, user in users.items()}
    from doyak.max.services import asset_evidence_add, asset_register

    asset = asset_register(actor=users["applicant"], kind="ai_factory", organization_id=proposal.lead_organization_id,
                           name="시험 공장", region_code="26", planned_date=agreement.start_date,
                           proposal_ids=[proposal.pk], industry="기계", adoption_level="basic")
    asset_evidence_add(actor=users["applicant"], asset_id=asset.pk, name="e.pdf", content=b"%PDF-1.4\nproof")
    panel = proposal.call.panels.first()
    from doyak.regulation.services import dependency_create, task_create

    task = task_create(actor=chain.pm, data={"code": "RT-S-1", "title": "실증 규제", "industry": "자동차",
                                             "ministry": "국토교통부", "law": "도로교통법", "change_kind": "notice"})
    dependency = dependency_create(actor=chain.pm, proposal_id=proposal.pk, regulation="도로교통법",
                                   route="law_change", task_id=task.pk)
    ids = {
        "agreement_id": agreement.pk, "proposal_id": proposal.pk, "call_id": proposal.call_id,
        "organization_id": proposal.lead_organization_id, "run_id": run.pk, "panel_id": panel.pk,
        "scenario_id": Scenario.objects.filter(call=proposal.call).first().pk,
        "flag_id": (agreement.flags.first().pk if agreement.flags.exists() else 1),
        "key": "evaluation.cutoff_score_default", "asset_id": asset.pk,
        "number": 1, "change_id": _change(agreement).pk,
        "report_id": agreement.reports.order_by("pk").first().pk,
        "evaluation_id": agreement.project_evaluations.order_by("pk").first().pk,
        "task_id": task.pk, "dependency_id": dependency.pk,
        **_capacity_ids(chain.pm, proposal),
    }
    return {"tokens": tokens, "ids": ids, "spare": spare,
            "signing_in": {token.pk for token, _raw in issued.values()}}


def _capacity_ids(pm, proposal):
    """An open demand survey and a fund with an investment (through the capacity services)."""
    from django.utils import timezone

    from doyak.capacity.services import fund_create, investment_record, survey_open

    survey = survey_open(actor=pm, program_id=proposal.call.program_id, title="수요조사",
                         closes_on=timezone.localdate(), topics=[{"title": "주제"}])
    fund = fund_create(actor=pm, name="펀드", size_krw=10**10, vintage=2026, manager_id=proposal.lead_organization_id)
    investment = investment_record(actor=pm, fund_id=fund.pk, invested_on=timezone.localdate(), amount_krw=10**8,
                                   instrument="equity", stage="seed", proposal_id=proposal.pk)
    return {"survey_id": survey.pk, "topic_id": survey.topics.first().pk, "fund_id": fund.pk,
            "investment_id": investment.pk}


def _change(agreement):
    """A change request waiting for the PM (a longer period: major), proposed by the PM."""
    from doyak.accounts.rules import SYSTEM
    from doyak.agreements.services import change_propose, change_transition

    change = change_propose(actor=SYSTEM, agreement_id=agreement.pk,
                            edits={"end_date": agreement.end_date.replace(year=agreement.end_date.year + 1)})
    return change_transition(actor=SYSTEM, change_id=change.pk, name="submit")


@pytest.fixture
def wsgi_keeps_the_test_connection():
    """Requests go through Django's WSGI handler, which closes the database connection when a request ends;
    the test client disconnects that signal so the test's transaction survives, and so does this."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _schema():
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


def test_api_no_server_error_and_documented_responses_conform(api_world, wsgi_keeps_the_test_connection):
    # given the API's document and demo-like data, and each role signed in with a token
    schema = _schema()
    headers = {role: {"Authorization": f"Bearer {api_world['tokens'][role]}"} for role in ROLES}
    ids = api_world["ids"]
    signing_in = api_world["signing_in"]
    failures: list[str] = []
    statuses = {role: Counter() for role in ROLES}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 50
    assert ROLES, f"DOYAK_SCHEMATHESIS_ROLES names none of {ALL_ROLES}"

    # when every operation gets EXAMPLES generated cases, each sent as every role in turn (generating a case
    # costs more than sending it, and the roles differ in who may do what, not in what is sent)
    for operation in operations:
        strategy = st.one_of(operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
                             operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))

        @seed(SEED)
        @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                  phases=[Phase.explicit, Phase.generate], report_multiple_bugs=False,
                  suppress_health_check=list(HealthCheck))
        @given(case=strategy, aim=st.booleans())
        def run(case, aim):
            generated = case.path_parameters
            if aim and generated:
                generated = {k: ids.get(k, v) for k, v in generated.items()}
            for role in ROLES:
                case.path_parameters = generated
                # never revoke a token that signs a role in: aim ``DELETE /tokens/{token_id}`` at the spare one
                if generated and "token_id" in generated and (aim or generated["token_id"] in signing_in):
                    case.path_parameters = {**generated, "token_id": api_world["spare"][role]}
                response = case.call(headers=headers[role])
                statuses[role][response.status_code // 100] += 1
                statuses[role][response.status_code] += 1
                try:
                    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance],
                                           headers=headers[role])
                except Exception as exc:  # noqa: BLE001 - collected, reported together below
                    failures.append(f"{case.operation.label} as {role}: {str(exc)[:600]}")

        run()

    # then no server error, and every documented response conforms
    for role, counted in statuses.items():
        print(f"schemathesis {role}: {len(operations)} operations, {sum(counted[c] for c in (2, 3, 4, 5))} requests,"
              f" statuses {sorted((k, v) for k, v in counted.items() if k >= 100)}")
        assert counted[2] > 0, role
        assert counted[401] == 0, role  # the role stayed signed in throughout (its token was never revoked)
    assert failures == []
