"""Finance services: import all or nothing, permissions, chunked resumable runs, flag answers, closing."""

from __future__ import annotations

import io

import pytest

from doyak.agreements.models import Agreement
from doyak.core.errors import AccessDenied, ValidationFailed
from doyak.core.models import AuditEvent
from doyak.finance import services
from doyak.finance.models import Flag, SettlementResult, SettlementRun, Transaction
from doyak.finance.services import (
    flag_decide,
    flag_explain,
    settlement_close,
    settlement_run_execute,
    settlement_run_resume,
    settlement_run_start,
    transactions_import,
)

from .conftest import at

HEADER = "txn_id,category,amount,occurred_at,merchant_id,merchant_type,evidence,description\n"
GOOD = [
    "T1,materials,120000,2026-03-03 10:00,M1,office,card_slip,펜\n",
    "T2,activities,-30000,2026-03-04T11:00:00+09:00,M2,restaurant,card_slip,취소\n",
    "T3,materials,4000000,2026-03-05 09:30,M3,lab_supply,none,시약\n",
]


@pytest.fixture
def institution(make_agreement, make_organization, make_user):
    org = make_organization()
    agreement = make_agreement(lead=org)
    return agreement, make_user(role="applicant", organization=org)


def test_import_csv_adds_every_row_and_checks_the_agreement(institution, django_capture_on_commit_callbacks):
    # given an institution's agreement and a valid UTF-8 CSV
    agreement, user = institution
    # when it imports the file
    with django_capture_on_commit_callbacks(execute=True):
        count = transactions_import(actor=user, agreement_id=agreement.pk, name="ledger.csv",
                                    content=(HEADER + "".join(GOOD)).encode())
    # then every row is in the ledger with its sign, and a check run flagged the reagents of 4M that have neither a
    # payment record nor supporting documents
    assert count == 3
    assert list(Transaction.objects.filter(agreement=agreement).order_by("txn_id")
                .values_list("txn_id", "amount_krw", "description")) == [
        ("T1", 120_000, "펜"), ("T2", -30_000, "취소"), ("T3", 4_000_000, "시약")]
    agreement.refresh_from_db()
    assert list(Flag.objects.filter(run=agreement.current_run).values_list("txn_ref", "code")) == [
        ("T3", "MISSING_DOCUMENTS"), ("T3", "MISSING_EVIDENCE")]


def test_import_cp949_csv_reads_korean(institution):
    agreement, user = institution
    count = transactions_import(actor=user, agreement_id=agreement.pk, name="원장.csv",
                                content=(HEADER + GOOD[0]).encode("cp949"))
    assert count == 1
    assert Transaction.objects.get(agreement=agreement).description == "펜"


def test_import_with_one_malformed_row_imports_nothing_and_names_the_row(institution):
    # given a file whose second data row has a non-numeric amount
    agreement, user = institution
    bad = GOOD[1].replace("-30000", "삼만원")
    # when it is imported
    with pytest.raises(ValidationFailed) as caught:
        transactions_import(actor=user, agreement_id=agreement.pk, name="ledger.csv",
                            content=(HEADER + GOOD[0] + bad + GOOD[2]).encode())
    # then nothing is added and the error names the file, row and column
    assert str(caught.value.message) == "ledger.csv 데이터 2행 amount 열: '삼만원'은(는) 정수가 아닙니다"
    assert caught.value.field == "amount"
    assert Transaction.objects.count() == 0


def test_import_xlsx_malformed_row_named_like_csv(institution):
    from openpyxl import Workbook

    agreement, user = institution
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.strip().split(","))
    sheet.append(["T1", "materials", 120000, "2026-03-03 10:00", "M1", "office", "card_slip", ""])
    sheet.append(["T2", "furniture", 5000, "2026-03-03 11:00", "M1", "office", "card_slip", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(ValidationFailed) as caught:
        transactions_import(actor=user, agreement_id=agreement.pk, name="ledger.xlsx", content=buffer.getvalue())
    assert str(caught.value.message) == (
        "ledger.xlsx 데이터 2행 category 열: 'furniture'은(는) 알 수 없는 비목입니다 "
        "(personnel, student_personnel, equipment, materials, activities, allowance, subcontract, "
        "international, innovation, indirect)")
    assert Transaction.objects.count() == 0


def test_import_rejects_a_transaction_id_already_in_the_ledger(institution, add_txn):
    agreement, user = institution
    add_txn(agreement, "T3")
    with pytest.raises(ValidationFailed) as caught:
        transactions_import(actor=user, agreement_id=agreement.pk, name="ledger.csv",
                            content=(HEADER + "".join(GOOD)).encode())
    assert str(caught.value.message) == "ledger.csv 데이터 3행 txn_id 열: 'T3'은(는) 이미 원장에 있습니다."
    assert Transaction.objects.count() == 1


def test_import_by_another_institution_is_denied_and_changes_nothing(institution, make_user, make_organization):
    agreement, _user = institution
    outsider = make_user(role="applicant", organization=make_organization())
    events = AuditEvent.objects.count()
    with pytest.raises(AccessDenied):
        transactions_import(actor=outsider, agreement_id=agreement.pk, name="ledger.csv",
                            content=(HEADER + GOOD[0]).encode())
    assert Transaction.objects.count() == 0
    assert AuditEvent.objects.count() == events


def _ledger_of_every_rule(make_agreement, add_txn, count: int) -> list[Agreement]:
    agreements = []
    for i in range(count):
        agreement = make_agreement(budget={"materials": 5_000_000, "activities": 1_000_000, "personnel": 10_000_000,
                                           "allowance": 3_000_000}, self_settlement=i % 2 == 1)
        add_txn(agreement, "A1", amount=2_500_000, evidence="none")                      # missing evidence
        add_txn(agreement, "A2", amount=90_000, category="activities", mtype="bar")      # ineligible merchant
        add_txn(agreement, "A3", amount=6_000_000 + i, when=at("2026-03-05"), documents=2)  # over budget
        add_txn(agreement, "A4", amount=50_000, category="activities", when=at("2026-03-08"))  # Sunday
        add_txn(agreement, "A5", amount=5_000_000, category="personnel", mtype="payroll", evidence="transfer",
                documents=1)
        add_txn(agreement, "A6", amount=2_000_000, category="allowance", mtype="payroll", evidence="transfer",
                documents=1)
        add_txn(agreement, "A7", amount=-20_000, when=at("2026-03-06"))
        add_txn(agreement, "A8", amount=3_200_000, merchant="M8", when=at("2026-03-10"))  # missing documents
        agreements.append(agreement)
    return agreements


def _snapshot(run: SettlementRun) -> tuple[list, list]:
    results = list(SettlementResult.objects.filter(run=run).order_by("agreement_id").values_list(
        "agreement_id", "spent_krw", "eligible_krw", "ineligible_krw", "review_krw", "clawback_krw", "sampled"))
    flags = list(Flag.objects.filter(run=run).order_by("agreement_id", "txn_ref", "code").values_list(
        "agreement_id", "txn_ref", "code", "amount_at_risk_krw"))
    return results, flags


def test_settlement_killed_mid_run_and_resumed_equals_a_clean_run(make_agreement, add_txn, manager,
                                                                 django_capture_on_commit_callbacks):
    # given five agreements settled two per chunk
    agreements = _ledger_of_every_rule(make_agreement, add_txn, 5)
    ids = [a.pk for a in agreements]
    clean = settlement_run_start(actor=manager, agreement_ids=ids, chunk_size=2)
    settlement_run_execute(run_id=clean.pk)
    # when a second run crashes right after its first chunk committed
    crashing = settlement_run_start(actor=manager, agreement_ids=ids, chunk_size=2)

    def crash(run, index):
        if index == 0:
            raise RuntimeError("worker killed")

    services.chunk_committed_hook = crash
    try:
        with pytest.raises(RuntimeError):
            settlement_run_execute(run_id=crashing.pk)
    finally:
        services.chunk_committed_hook = None
    crashing.refresh_from_db()
    assert (crashing.status, crashing.chunks_done, crashing.chunks_total) == ("failed", 1, 3)
    assert SettlementResult.objects.filter(run=crashing).count() == 2
    # and is resumed
    with django_capture_on_commit_callbacks(execute=True):
        settlement_run_resume(actor=manager, run_id=crashing.pk)
    crashing.refresh_from_db()
    # then it finished with exactly the clean run's results and flags, nothing twice
    assert (crashing.status, crashing.chunks_done, crashing.attempts) == ("done", 3, 2)
    clean_results, clean_flags = _snapshot(clean)
    resumed_results, resumed_flags = _snapshot(crashing)
    assert resumed_results == clean_results
    assert resumed_flags == clean_flags
    assert len(resumed_flags) == len(set(resumed_flags))
    assert {code for _a, _t, code, _v in clean_flags} == {
        "MISSING_EVIDENCE", "MISSING_DOCUMENTS", "INELIGIBLE_MERCHANT", "OVER_BUDGET", "HOLIDAY_USE", "ALLOWANCE_CAP"}
    # re-running a finished run changes nothing
    settlement_run_execute(run_id=crashing.pk)
    assert _snapshot(crashing) == (clean_results, clean_flags)


def test_explain_accept_and_close_records_clawback(make_agreement, add_txn, make_user, manager):
    # given an agreement (government share 75%) with two ineligible transactions (materials of 2.5M, within the
    # documents exemption, without a payment record; a bar bill), settled
    agreement = make_agreement(budget={"materials": 50_000_000, "activities": 5_000_000})
    add_txn(agreement, "X1", amount=2_500_000, evidence="none")
    add_txn(agreement, "X2", amount=90_000, category="activities", mtype="bar")
    institution = make_user(role="applicant", organization=agreement.proposal.lead_organization)
    run = settlement_run_start(actor=manager, agreement_ids=[agreement.pk])
    settlement_run_execute(run_id=run.pk)
    result = SettlementResult.objects.get(run=run)
    assert (result.ineligible_krw, result.government_share_permille, result.clawback_krw) == (2_590_000, 750, 1_942_500)
    missing = Flag.objects.get(run=run, txn_ref="X1")
    # when the institution explains the missing evidence and the manager accepts it
    flag_explain(actor=institution, flag_id=missing.pk, explanation="영수증 재발급 받음",
                 evidence_name="receipt.pdf", evidence_content=b"%PDF-1.4 receipt")
    flag_decide(actor=manager, flag_id=missing.pk, accept=True)
    closed = settlement_close(actor=manager, agreement_id=agreement.pk)
    # then only the bar spending is clawed back at the government share
    assert (closed.ineligible_krw, closed.clawback_krw) == (90_000, 67_500)
    agreement.refresh_from_db()
    assert agreement.status == "closed"
    event = AuditEvent.objects.filter(action="settlement.close").get()
    assert event.changes["clawback_krw"] == 67_500


def test_close_waits_for_pending_explanations(make_agreement, add_txn, make_user, manager):
    agreement = make_agreement()
    add_txn(agreement, "X1", amount=90_000, category="activities", mtype="bar")
    institution = make_user(role="applicant", organization=agreement.proposal.lead_organization)
    run = settlement_run_start(actor=manager, agreement_ids=[agreement.pk])
    settlement_run_execute(run_id=run.pk)
    flag_explain(actor=institution, flag_id=Flag.objects.get(run=run).pk, explanation="학회 만찬")
    with pytest.raises(ValidationFailed) as caught:
        settlement_close(actor=manager, agreement_id=agreement.pk)
    assert caught.value.code == "settlement_decisions_pending"
    assert Agreement.objects.get(pk=agreement.pk).status == "active"


def test_institution_cannot_decide_its_own_flag(make_agreement, add_txn, make_user, manager):
    agreement = make_agreement()
    add_txn(agreement, "X1", amount=90_000, category="activities", mtype="bar")
    institution = make_user(role="applicant", organization=agreement.proposal.lead_organization)
    run = settlement_run_start(actor=manager, agreement_ids=[agreement.pk])
    settlement_run_execute(run_id=run.pk)
    flag = flag_explain(actor=institution, flag_id=Flag.objects.get(run=run).pk, explanation="사유")
    events = AuditEvent.objects.count()
    with pytest.raises(AccessDenied):
        flag_decide(actor=institution, flag_id=flag.pk, accept=True)
    flag.refresh_from_db()
    assert (flag.status, flag.decided_by_id, AuditEvent.objects.count()) == ("explained", None, events)


def test_explanations_carry_over_when_the_ledger_is_checked_again(make_agreement, add_txn, make_user, manager):
    agreement = make_agreement()
    add_txn(agreement, "X1", amount=90_000, category="activities", mtype="bar")
    institution = make_user(role="applicant", organization=agreement.proposal.lead_organization)
    first = settlement_run_start(actor=manager, agreement_ids=[agreement.pk])
    settlement_run_execute(run_id=first.pk)
    flag_explain(actor=institution, flag_id=Flag.objects.get(run=first).pk, explanation="사유")
    second = settlement_run_start(actor=manager, agreement_ids=[agreement.pk])
    settlement_run_execute(run_id=second.pk)
    assert list(Flag.objects.filter(run=second).values_list("txn_ref", "status", "explanation")) == [
        ("X1", "explained", "사유")]


def test_evidence_must_be_pdf_jpeg_or_png(make_agreement, add_txn, make_user):
    agreement = make_agreement()
    txn = add_txn(agreement, "X1", evidence="none")
    institution = make_user(role="applicant", organization=agreement.proposal.lead_organization)
    with pytest.raises(ValidationFailed) as caught:
        services.evidence_attach(actor=institution, transaction_id=txn.pk, name="receipt.pdf", content=b"MZ\x90")
    assert caught.value.code == "evidence_type"
    item = services.evidence_attach(actor=institution, transaction_id=txn.pk, name="r.png",
                                    content=b"\x89PNG\r\n\x1a\n....")
    txn.refresh_from_db()
    assert (item.content_type, txn.evidence) == ("image/png", "receipt")


def _summary(run) -> list[tuple]:
    from doyak.finance.models import FlagSummary

    return sorted(FlagSummary.objects.filter(run=run).values_list("code", "status", "flags", "at_risk_krw"))


def test_run_and_every_decision_keep_the_flag_summary_in_step(make_agreement, add_txn, make_user, manager):
    # given an agreement with a missing-evidence (within the documents exemption) and a bar transaction, settled
    agreement = make_agreement(budget={"materials": 50_000_000, "activities": 5_000_000})
    add_txn(agreement, "X1", amount=2_500_000, evidence="none")
    add_txn(agreement, "X2", amount=90_000, category="activities", mtype="bar")
    institution = make_user(role="applicant", organization=agreement.proposal.lead_organization)
    run = settlement_run_start(actor=manager, agreement_ids=[agreement.pk])
    settlement_run_execute(run_id=run.pk)
    # then the run stored the counts per code and status, and the ineligible amount after decisions
    assert _summary(run) == [("INELIGIBLE_MERCHANT", "open", 1, 90_000), ("MISSING_EVIDENCE", "open", 1, 2_500_000)]
    assert SettlementResult.objects.get(run=run).ineligible_after_decisions_krw == 2_590_000
    # when the institution explains the missing evidence and the manager accepts it
    missing = Flag.objects.get(run=run, txn_ref="X1")
    flag_explain(actor=institution, flag_id=missing.pk, explanation="영수증 재발급 받음")
    assert _summary(run) == [("INELIGIBLE_MERCHANT", "open", 1, 90_000),
                             ("MISSING_EVIDENCE", "explained", 1, 2_500_000)]
    flag_decide(actor=manager, flag_id=missing.pk, accept=True)
    # then the summary and the stored amount follow each decision
    assert _summary(run) == [("INELIGIBLE_MERCHANT", "open", 1, 90_000),
                             ("MISSING_EVIDENCE", "accepted", 1, 2_500_000)]
    assert SettlementResult.objects.get(run=run).ineligible_after_decisions_krw == 90_000
    assert services.settlement_ineligible_after_decisions(agreement=agreement, run_id=run.pk) == 90_000


def test_import_takes_korean_and_english_labels_of_categories_and_evidence(institution):
    # given rows that name the category and the evidence by their Korean or English labels, not their codes
    agreement, user = institution
    rows = ["K1,연구재료비,120000,2026-03-03 10:00,M1,office,카드전표,펜\n",
            "K2,Research activities,50000,2026-03-04 10:00,M2,restaurant,Tax invoice,회의\n",
            "K3, materials ,70000,2026-03-05 10:00,M3,office,세금계산서,시약\n"]
    # when the file is imported
    count = transactions_import(actor=user, agreement_id=agreement.pk, name="ledger.csv",
                                content=(HEADER + "".join(rows)).encode())
    # then every row is stored with the codes
    assert count == 3
    stored = dict(Transaction.objects.filter(agreement=agreement).values_list("txn_id", "category"))
    assert stored == {"K1": "materials", "K2": "activities", "K3": "materials"}
    assert list(Transaction.objects.filter(agreement=agreement).order_by("txn_id").values_list(
        "evidence", flat=True)) == ["card_slip", "tax_invoice", "tax_invoice"]


def test_import_lists_every_bad_row_and_imports_nothing(institution):
    # given a file with three bad rows (an amount in words, an unknown category, a date that is not one)
    agreement, user = institution
    rows = [GOOD[0], "B2,materials,삼만원,2026-03-04 10:00,M2,office,card_slip,\n",
            "B3,간식비,1000,2026-03-04 10:00,M2,office,card_slip,\n", GOOD[2],
            "B5,materials,1000,어제,M2,office,card_slip,\n"]
    # when it is imported
    with pytest.raises(ValidationFailed) as caught:
        transactions_import(actor=user, agreement_id=agreement.pk, name="ledger.csv",
                            content=(HEADER + "".join(rows)).encode())
    # then every bad row is listed in row order, the first is named, and nothing is imported
    errors = caught.value.errors
    assert len(errors) == 3
    assert errors[0] == "ledger.csv 데이터 2행 amount 열: '삼만원'은(는) 정수가 아닙니다"
    assert errors[1].startswith("ledger.csv 데이터 3행 category 열: '간식비'")
    assert errors[2].startswith("ledger.csv 데이터 5행 occurred_at 열: '어제'")
    assert caught.value.row == 2 and caught.value.field == "amount"
    assert not Transaction.objects.filter(agreement=agreement).exists()
