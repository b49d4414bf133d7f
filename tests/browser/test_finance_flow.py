"""An institution sees a flag on its ledger and answers it; the program manager accepts the explanation
from the settlement dashboard and sees the amounts at risk. Screenshots at desktop and mobile width."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from tests.proposals import conftest as _proposal_factories

from .conftest import screenshot

# the proposals app's factories, shared (the chain fixture makes proposals with them)
make_program = _proposal_factories.make_program
make_call = _proposal_factories.make_call
make_proposal = _proposal_factories.make_proposal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
SEOUL = ZoneInfo("Asia/Seoul")


def test_institution_answers_a_flag_and_pm_accepts_it(logged_in_page, live_server, make_user, make_organization,
                                                     make_call, chain):
    from django.utils import timezone

    from doyak.agreements.models import Agreement
    from doyak.agreements.services import agreements_conclude_for_call
    from doyak.finance.models import Flag, Transaction
    from doyak.finance.services import settlement_run_execute, settlement_run_start
    from doyak.programs.models import Program
    from doyak.proposals.models import BudgetLine

    # given a proposal selected by an approved portfolio, its agreement concluded, whose ledger has a bar bill
    # and a missing receipt (the reagents' supporting documents are missing too; the payroll has its statement),
    # settled once
    now = timezone.now()
    program = Program.objects.create(code="MCT", year=2026, name_ko="소재부품기술개발", budget_krw=420_000_000_000)
    call = make_call(program=program, title_ko="소재부품 신규과제 공고", status="closed",
                     opens_at=now - dt.timedelta(days=90), closes_at=now - dt.timedelta(days=60))
    lead = make_organization(name="(주)가람소재", org_type="sme", region_code="26")
    proposal = chain.submitted(call, lead=lead, gov=255_000_000, title_ko="고니켈 양극재 핵심기술 개발",
                               start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31))
    for category, gov, cash in (("materials", 90_000_000, 30_000_000), ("activities", 15_000_000, 5_000_000),
                                ("personnel", 150_000_000, 50_000_000)):
        BudgetLine.objects.create(proposal=proposal, year=2026, organization=lead, category=category, gov_krw=gov,
                                  cash_krw=cash)
    chain.selected(call, [proposal])
    agreements_conclude_for_call(actor=chain.pm, call_id=call.pk)
    agreement = Agreement.objects.get(proposal=proposal)
    rows = [("T0001", "materials", 1_250_000, "2026-03-03 10:00", "M1", "lab_supply", "tax_invoice"),
            ("T0002", "activities", 184_000, "2026-03-05 21:30", "M2", "bar", "card_slip"),
            ("T0003", "materials", 4_200_000, "2026-03-10 11:00", "M3", "lab_supply", "none"),
            ("T0004", "personnel", 8_000_000, "2026-03-25 09:00", "M4", "payroll", "transfer"),
            ("T0005", "materials", -150_000, "2026-04-02 10:00", "M1", "lab_supply", "card_slip")]
    for txn_id, category, amount, when, merchant, mtype, evidence in rows:
        Transaction.objects.create(agreement=agreement, txn_id=txn_id, category=category, amount_krw=amount,
                                   occurred_at=dt.datetime.fromisoformat(when).replace(tzinfo=SEOUL),
                                   merchant_id=merchant, merchant_type=mtype, evidence=evidence, source="import")
    from doyak.accounts.rules import SYSTEM
    from doyak.finance.services import evidence_attach

    evidence_attach(actor=SYSTEM, transaction_id=Transaction.objects.get(agreement=agreement, txn_id="T0004").pk,
                    name="급여명세서.pdf", content=b"%PDF-1.4 payroll statement")
    pm = make_user(role="program_manager", display_name="김지훈")
    run = settlement_run_start(actor=pm, agreement_ids=[agreement.pk])
    settlement_run_execute(run_id=run.pk)
    institution = make_user(role="applicant", organization=lead, display_name="이서연")

    # when the institution opens its research funds and sees the flags
    page = logged_in_page(institution, width=1280)
    page.goto(f"{live_server.url}/finance/")
    page.wait_for_url(f"**/finance/agreements/{agreement.pk}/")
    flags = page.get_by_test_id("flags")
    assert flags.get_by_text("증빙 누락").count() == 1
    assert flags.get_by_text("집행 불가 업종").count() == 1
    screenshot(page, "finance-ledger-institution-desktop")
    mobile = logged_in_page(institution, width=390, height=844)
    mobile.goto(f"{live_server.url}/finance/agreements/{agreement.pk}/")
    screenshot(mobile, "finance-ledger-institution-mobile")

    # and answers the missing-evidence flag with an explanation and the reissued receipt
    flags.get_by_role("row").filter(has_text="증빙 누락").get_by_role("link", name="소명하기").click()
    page.get_by_label("소명").fill("시약 구매 영수증을 분실해 공급사에서 재발급받았습니다.")
    page.get_by_label("증빙 (PDF, JPEG, PNG · 선택)").set_input_files(
        files=[{"name": "영수증.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 reissued receipt"}])
    page.get_by_role("button", name="소명 제출").click()
    page.wait_for_url(f"**/finance/agreements/{agreement.pk}/")
    assert page.get_by_text("소명을 사업 담당자에게 보냈습니다.").count() == 1
    assert Flag.objects.get(run=run, txn_ref="T0003", code="MISSING_EVIDENCE").status == "explained"

    # then the program manager sees it on the dashboard and accepts it
    manager_page = logged_in_page(pm, width=1280)
    manager_page.goto(f"{live_server.url}/finance/dashboard/?call={call.pk}")
    waiting = manager_page.get_by_test_id("waiting")
    assert waiting.get_by_text("시약 구매 영수증을 분실해").count() == 1
    screenshot(manager_page, "finance-dashboard-pm-desktop")
    waiting.get_by_role("button", name="인정").first.click()
    manager_page.wait_for_url("**/finance/dashboard/?call=*")
    assert manager_page.get_by_text("판정을 저장했습니다.").count() == 1
    assert Flag.objects.get(run=run, txn_ref="T0003", code="MISSING_EVIDENCE").status == "accepted"
    by_flag = manager_page.get_by_test_id("by-flag")
    assert by_flag.get_by_text("증빙 누락").count() == 1
    assert by_flag.get_by_text("집행 불가 업종").count() == 1
    pm_mobile = logged_in_page(pm, width=390, height=844)
    pm_mobile.goto(f"{live_server.url}/finance/dashboard/?call={call.pk}")
    screenshot(pm_mobile, "finance-dashboard-pm-mobile")
