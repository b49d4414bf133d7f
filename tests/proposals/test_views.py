"""The applicant's step-by-step form, the budget table checked as you type, the PM's list and detail,
attachments, and who may see what — through the screens and the API."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from doyak.core.models import AuditEvent
from doyak.proposals.models import Attachment, BudgetLine, Proposal

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year + 1
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def applicant_setup(make_organization, make_user, make_call, make_researcher):
    lead = make_organization(name="(주)가람소재", org_type="sme", region_code="26")
    applicant = make_user(role="applicant", organization=lead)
    call = make_call(title_ko="이차전지 소재 공고")
    researcher = make_researcher(organization=lead, name="박책임")
    return lead, applicant, call, researcher


def test_applicant_creates_and_fills_steps(client, applicant_setup):
    lead, applicant, call, researcher = applicant_setup
    client.force_login(applicant)
    response = client.post("/proposals/new/", {"call": call.pk, "title_ko": "고니켈 양극재"})
    proposal = Proposal.objects.get(title_ko="고니켈 양극재")
    assert response.status_code == 302 and response["Location"] == f"/proposals/{proposal.pk}/edit/basics/"
    assert proposal.status == "draft" and proposal.lead_organization == lead and proposal.reference.startswith("P")
    response = client.post(f"/proposals/{proposal.pk}/edit/basics/", {
        "title_ko": "고니켈 양극재", "abstract_ko": "요약", "abstract_en": "Summary", "keywords": "양극재, 이차전지",
        "start_date": f"{YEAR}-01-01", "end_date": f"{YEAR}-12-31", "next": "1"})
    assert response["Location"].endswith("/edit/consortium/")
    proposal.refresh_from_db()
    assert proposal.keywords == ["양극재", "이차전지"]
    response = client.post(f"/proposals/{proposal.pk}/parts/team/add/", {
        "national_researcher_number": researcher.national_researcher_number, "is_pi": "on", "percent": "30"})
    assert response.status_code == 302
    member = proposal.team.get()
    assert member.is_pi and len(member.monthly_percent) == 12 and member.monthly_percent[f"{YEAR}-06"] == 30
    # every step page renders, in Korean
    for step in ("basics", "consortium", "team", "budget", "ripple", "extras", "review"):
        page = client.get(f"/proposals/{proposal.pk}/edit/{step}/")
        assert page.status_code == 200, step
        assert 'lang="ko"' in page.content.decode()


def test_budget_check_as_you_type_returns_sums_and_korean_violation(client, applicant_setup, make_proposal):
    lead, applicant, call, _ = applicant_setup
    proposal = make_proposal(lead=lead, call=call, created_by=applicant)
    client.force_login(applicant)
    name = f"b-{YEAR}-{lead.pk}-personnel"
    response = client.post(f"/proposals/{proposal.pk}/budget/check/", {f"{name}-gov": "750,001", f"{name}-cash": "250000"},
                           HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="budget-check"' in body and "1,000,001원" in body
    assert "정부지원연구개발비 비율 한도 초과" in body and 'data-rule="gov_share"' in body
    assert 'hx-swap-oob="true"' in body and f'id="sum-{YEAR}-{lead.pk}"' in body
    assert BudgetLine.objects.count() == 0  # nothing saved while typing
    fixed = client.post(f"/proposals/{proposal.pk}/budget/check/", {f"{name}-gov": "750000", f"{name}-cash": "250000"})
    assert "gov_share" not in fixed.content.decode()


def test_budget_save_without_js_rerenders_with_errors(client, applicant_setup, make_proposal):
    lead, applicant, call, _ = applicant_setup
    proposal = make_proposal(lead=lead, call=call, created_by=applicant)
    client.force_login(applicant)
    name = f"b-{YEAR}-{lead.pk}-allowance"
    bad_cell = client.post(f"/proposals/{proposal.pk}/edit/budget/", {f"{name}-gov": "12.5", "save": "1"})
    assert bad_cell.status_code == 200 and 'aria-invalid="true"' in bad_cell.content.decode()
    assert BudgetLine.objects.count() == 0
    saved = client.post(f"/proposals/{proposal.pk}/edit/budget/", {f"{name}-gov": "100", "save": "1"}, follow=True)
    body = saved.content.decode()
    assert BudgetLine.objects.get().gov_krw == 100
    assert "연구수당 한도 초과" in body and 'class="dy-row-error"' in body
    assert AuditEvent.objects.filter(action="proposal.budget_set").count() == 1


def test_budget_check_names_the_unlisted_equipment_line_until_its_items_are_listed(client, applicant_setup,
                                                                                      make_proposal):
    lead, applicant, call, _ = applicant_setup
    proposal = make_proposal(lead=lead, call=call, created_by=applicant)
    client.force_login(applicant)
    name = f"b-{YEAR}-{lead.pk}-equipment"
    amounts = {f"{name}-gov": "30,000,000", f"{name}-cash": "10,000,000"}
    # when ₩40M of equipment is typed without its items
    unlisted = client.post(f"/proposals/{proposal.pk}/budget/check/", amounts, HTTP_HX_REQUEST="true").content.decode()
    # then the equipment line is flagged
    assert 'data-rule="equipment_plan"' in unlisted and "연구장비 개별 기재 필요" in unlisted
    # when its ₩35M analyser is listed (₩5M left unlisted) and saved
    listed = {**amounts, f"{name}-items": "X선 회절분석기 | 35,000,000", "save": "1"}
    saved = client.post(f"/proposals/{proposal.pk}/edit/budget/", listed, follow=True).content.decode()
    # then the violation is gone, the item is kept and shown again
    assert 'data-rule="equipment_plan"' not in saved
    assert BudgetLine.objects.get().items == [{"description": "X선 회절분석기", "amount_krw": 35_000_000}]
    assert "X선 회절분석기 | 35,000,000" in saved
    assert "연구장비 품목별 기재" in saved and "한 줄에 한 품목씩 입력하세요" in saved


def test_budget_equipment_item_without_amount_is_a_cell_error(client, applicant_setup, make_proposal):
    lead, applicant, call, _ = applicant_setup
    proposal = make_proposal(lead=lead, call=call, created_by=applicant)
    client.force_login(applicant)
    name = f"b-{YEAR}-{lead.pk}-equipment"
    response = client.post(f"/proposals/{proposal.pk}/edit/budget/",
                           {f"{name}-gov": "30000000", f"{name}-items": "분석기", "save": "1"})
    assert response.status_code == 200 and 'aria-invalid="true"' in response.content.decode()
    assert BudgetLine.objects.count() == 0


def test_api_budget_takes_equipment_items(client, applicant_setup, make_proposal):
    lead, applicant, call, _ = applicant_setup
    proposal = make_proposal(lead=lead, call=call, created_by=applicant)
    client.force_login(applicant)
    line = {"year": YEAR, "organization_id": lead.pk, "category": "equipment", "gov_krw": 30_000_000,
            "cash_krw": 10_000_000}
    # when the line is checked without items, then put with them
    check = client.post(f"/api/v1/proposals/{proposal.pk}/budget/check", data=json.dumps([line]),
                        content_type="application/json").json()
    line["items"] = [{"description": "X선 회절분석기", "amount_krw": 35_000_000}]
    put = client.put(f"/api/v1/proposals/{proposal.pk}/budget", data=json.dumps([line]),
                     content_type="application/json").json()
    # then
    assert [(v["rule"], v["field"]) for v in check["violations"]] == [
        ("equipment_plan", f"budget[{YEAR}][{lead.pk}].equipment")]
    assert put["ok"] is True
    detail = client.get(f"/api/v1/proposals/{proposal.pk}").json()
    assert detail["budget_lines"][0]["items"] == [{"description": "X선 회절분석기", "amount_krw": 35_000_000}]


def test_pm_list_filters_and_hides_drafts(client, make_user, make_proposal, make_organization, make_call):
    pm = make_user(role="program_manager")
    busan = make_organization(region_code="26")
    call = make_call(track="regional_only", eligible_region_codes=["26"])
    submitted = make_proposal(lead=busan, call=call, status="submitted", title_ko="부산 과제")
    make_proposal(lead=make_organization(region_code="11"), status="submitted", title_ko="서울 과제")
    make_proposal(lead=busan, call=call, status="draft", title_ko="초안 과제")
    client.force_login(pm)
    body = client.get("/proposals/", {"region_group": "dongnam", "track": "regional_only"}).content.decode()
    assert "부산 과제" in body and "서울 과제" not in body and "초안 과제" not in body
    api = client.get("/api/v1/proposals", {"region_group": "non_capital"}).json()
    assert [item["id"] for item in api["items"]] == [submitted.pk]
    assert api["items"][0]["track"] == "regional_only" and api["items"][0]["region_code"] == "26"
    assert client.get(f"/proposals/{submitted.pk}/").status_code == 200


def test_applicant_sees_own_and_consortium_proposals_only(client, make_user, make_proposal, make_organization):
    own = make_organization()
    applicant = make_user(role="applicant", organization=own)
    mine = make_proposal(lead=own, title_ko="우리 과제")
    partner = make_proposal(title_ko="참여 과제", status="submitted")
    partner.members.create(organization=own, role="participant")
    other = make_proposal(title_ko="남의 과제", status="submitted")
    client.force_login(applicant)
    body = client.get("/proposals/").content.decode()
    assert "우리 과제" in body and "참여 과제" in body and "남의 과제" not in body
    assert client.get(f"/proposals/{other.pk}/").status_code == 403
    assert client.get(f"/api/v1/proposals/{other.pk}").json()["code"] == "proposal_forbidden"
    assert client.get(f"/proposals/{partner.pk}/").status_code == 200
    # a participant reads but does not edit
    response = client.post(f"/api/v1/proposals/{mine.pk}", data=json.dumps({"title_ko": "x"}),
                           content_type="application/json")
    assert response.status_code in (404, 405)
    denied = client.patch(f"/api/v1/proposals/{partner.pk}", data=json.dumps({"title_ko": "탈취"}),
                          content_type="application/json")
    assert denied.status_code in (403, 409)
    partner.refresh_from_db()
    assert partner.title_ko == "참여 과제"


def test_council_reads_but_cannot_transition(client, make_user, make_proposal):
    proposal = make_proposal(status="submitted")
    council = make_user(role="council_member")
    client.force_login(council)
    assert client.get(f"/proposals/{proposal.pk}/").status_code == 200
    response = client.post(f"/api/v1/proposals/{proposal.pk}/transitions/start_review")
    assert response.status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == "submitted"


def test_attachment_only_pdf_and_downloaded_through_permission(client, applicant_setup, make_proposal, make_user,
                                                               make_organization):
    lead, applicant, call, _ = applicant_setup
    proposal = make_proposal(lead=lead, call=call, created_by=applicant)
    client.force_login(applicant)
    fake = client.post(f"/proposals/{proposal.pk}/parts/attachments/add/", {
        "kind": "plan", "file": SimpleUploadedFile("plan.pdf", b"MZ not a pdf", "application/pdf")})
    assert fake.status_code == 422 and Attachment.objects.count() == 0
    wrong_ext = client.post(f"/api/v1/proposals/{proposal.pk}/attachments", {
        "kind": "plan", "file": SimpleUploadedFile("plan.exe", PDF)})
    assert wrong_ext.json()["code"] == "attachment_not_pdf"
    ok = client.post(f"/proposals/{proposal.pk}/parts/attachments/add/", {
        "kind": "plan", "file": SimpleUploadedFile("연구계획서.pdf", PDF, "application/pdf")})
    assert ok.status_code == 302
    attachment = Attachment.objects.get()
    assert "static" not in attachment.file.path and attachment.size == len(PDF)
    download = client.get(f"/proposals/{proposal.pk}/attachments/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    client.force_login(make_user(role="applicant", organization=make_organization()))
    assert client.get(f"/proposals/{proposal.pk}/attachments/{attachment.pk}/").status_code == 403


def test_attachment_size_limit_from_policy(client, applicant_setup, make_proposal):
    from doyak.policies.services import policy_change

    lead, applicant, call, _ = applicant_setup
    policy_change(actor=None, key="proposals.attachment_max_bytes", value=len(PDF) - 1,
                  effective_from=timezone.localdate(), source="test")
    proposal = make_proposal(lead=lead, call=call, created_by=applicant)
    client.force_login(applicant)
    response = client.post(f"/api/v1/proposals/{proposal.pk}/attachments", {
        "kind": "plan", "file": SimpleUploadedFile("a.pdf", PDF)})
    assert response.status_code == 422 and response.json()["code"] == "attachment_too_large"


def test_api_full_flow_with_violation_then_submit(client, applicant_setup, make_user):
    lead, applicant, call, researcher = applicant_setup
    client.force_login(applicant)
    created = client.post("/api/v1/proposals", data=json.dumps({"call_id": call.pk, "title_ko": "API 과제"}),
                          content_type="application/json")
    assert created.status_code == 201
    pid = created.json()["id"]
    client.patch(f"/api/v1/proposals/{pid}", data=json.dumps({
        "abstract_ko": "요약", "abstract_en": "Summary", "start_date": f"{YEAR}-01-01", "end_date": f"{YEAR}-06-30"}),
        content_type="application/json")
    team = client.post(f"/api/v1/proposals/{pid}/team", data=json.dumps({
        "national_researcher_number": researcher.national_researcher_number, "is_pi": True,
        "monthly_percent": {f"{YEAR}-01": 50}}), content_type="application/json")
    assert team.status_code == 201
    line = {"year": YEAR, "organization_id": lead.pk, "category": "personnel", "gov_krw": 750_001, "cash_krw": 250_000}
    check = client.post(f"/api/v1/proposals/{pid}/budget/check", data=json.dumps([line]),
                        content_type="application/json").json()
    assert check["ok"] is False and check["violations"][0]["rule"] == "gov_share"
    assert check["violations"][0]["message"].startswith("정부지원연구개발비")
    client.put(f"/api/v1/proposals/{pid}/budget", data=json.dumps([line]), content_type="application/json")
    refused = client.post(f"/api/v1/proposals/{pid}/transitions/submit")
    assert refused.status_code == 422 and refused.json()["code"] == "proposal_rules_violated"
    assert refused.json()["violations"][0]["field"] == f"budget[{YEAR}][{lead.pk}].gov"
    line["gov_krw"] = 750_000
    client.put(f"/api/v1/proposals/{pid}/budget", data=json.dumps([line]), content_type="application/json")
    submitted = client.post(f"/api/v1/proposals/{pid}/transitions/submit")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    pm = make_user(role="program_manager")
    client.force_login(pm)
    assert [p["id"] for p in client.get("/api/v1/proposals").json()["items"]] == [pid]


@pytest.mark.parametrize("name", ["select", "reject", "pass_evaluation", "fail_evaluation", "reinstate"])
def test_no_screen_or_api_call_decides_a_proposal(client, make_user, make_proposal, name):
    """Decisions belong to publication, appeals and portfolio approval: the proposal's own screen and API refuse
    them, even to the administrator and on a proposal in the transition's source state."""
    from doyak.proposals.workflow import TRANSITIONS

    state = sorted(TRANSITIONS[name].source)[0]
    proposal = make_proposal(status=state)
    client.force_login(make_user(role="administrator"))
    api = client.post(f"/api/v1/proposals/{proposal.pk}/transitions/{name}")
    assert api.status_code == 409 and api.json()["code"] == "transition_owned_elsewhere"
    assert client.post(f"/proposals/{proposal.pk}/transitions/{name}/").status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == state and proposal.decided_at is None


def test_a_refused_transition_says_nothing_of_another_organisations_proposal(client, make_user, make_proposal,
                                                                             make_organization):
    # given an applicant of another organisation and proposals in every state
    intruder = make_user(role="applicant", organization=make_organization())
    client.force_login(intruder)
    answers = set()
    for state in ("draft", "submitted", "under_review", "evaluated", "selected", "not_selected"):
        proposal = make_proposal(status=state)
        response = client.post(f"/api/v1/proposals/{proposal.pk}/transitions/select")
        answers.add((response.status_code, response.content))
    # then the answer is the same whatever the state
    assert len(answers) == 1
    assert next(iter(answers))[0] == 403


def test_calls_list_counts_each_calls_proposals_but_not_drafts(client, make_call, make_proposal, make_user):
    busy, quiet = make_call(title_ko="붐비는 공고"), make_call(title_ko="조용한 공고")
    for status in ("submitted", "submitted", "under_review", "draft"):
        make_proposal(call=busy, status=status)
    make_proposal(call=quiet, status="draft")
    client.force_login(make_user(role="program_manager"))
    body = client.get("/calls/").content.decode()
    rows = {title: body.split(title, 1)[1].split("</tr>", 1)[0] for title in ("붐비는 공고", "조용한 공고")}
    assert rows["붐비는 공고"].rstrip().endswith('<td class="num">3</td>')
    assert rows["조용한 공고"].rstrip().endswith('<td class="num">0</td>')


def test_applicant_lists_proposals_it_leads_or_joins_and_no_others(client, make_organization, make_proposal, make_user):
    from doyak.proposals.models import ConsortiumMember

    mine = make_organization(name="(주)가온")
    led = make_proposal(lead=mine, status="submitted", title_ko="주관 과제")
    joined = make_proposal(status="submitted", title_ko="참여 과제")
    ConsortiumMember.objects.create(proposal=joined, organization=mine, role="participant")
    make_proposal(status="submitted", title_ko="남의 과제")
    client.force_login(make_user(role="applicant", organization=mine))
    body = client.get("/proposals/").content.decode()
    assert led.title_ko in body and joined.title_ko in body and "남의 과제" not in body
    assert client.get("/api/v1/proposals").json()["count"] == 2


@pytest.mark.parametrize(("typed", "saved"), [("1" * 26, None), ("12.5", None), ("1,000.0", 1000)])
def test_budget_cell_follows_the_money_rule(client, applicant_setup, make_proposal, typed, saved):
    # given a draft and its applicant
    lead, applicant, call, _ = applicant_setup
    proposal = make_proposal(lead=lead, call=call, created_by=applicant)
    client.force_login(applicant)
    name = f"b-{YEAR}-{lead.pk}-materials-gov"
    # when a 26-digit amount, a fraction of a won or a whole amount written with ".0" is saved
    response = client.post(f"/proposals/{proposal.pk}/edit/budget/", {name: typed, "save": "1"})
    # then the first two are cell errors (never a 500, nothing saved), the third is 1,000 won
    if saved is None:
        assert response.status_code == 200 and 'aria-invalid="true"' in response.content.decode()
        assert BudgetLine.objects.count() == 0
    else:
        assert response.status_code == 302 and BudgetLine.objects.get().gov_krw == saved


def test_service_and_view_agree_on_the_money_rule(applicant_setup, make_proposal):
    from doyak.core.errors import ValidationFailed
    from doyak.proposals.services import budget_lines_parse

    lead, applicant, call, _ = applicant_setup
    row = {"year": YEAR, "organization_id": lead.pk, "category": "materials"}
    assert budget_lines_parse([{**row, "gov_krw": "1,000.0"}])[0].gov == 1000
    for bad in ("12.5", "1" * 26):
        with pytest.raises(ValidationFailed) as info:
            budget_lines_parse([{**row, "gov_krw": bad}])
        assert info.value.field == f"budget[{YEAR}][{lead.pk}].materials.gov_krw"


def test_submission_leads_to_a_printable_receipt_with_number_and_seoul_time(client, applicant_setup, make_user,
                                                                           make_organization):
    # given a complete draft of the applicant (through the API, as the flow above)
    lead, applicant, call, researcher = applicant_setup
    client.force_login(applicant)
    pid = client.post("/api/v1/proposals", data=json.dumps({"call_id": call.pk, "title_ko": "접수증 과제"}),
                      content_type="application/json").json()["id"]
    client.patch(f"/api/v1/proposals/{pid}", data=json.dumps({
        "abstract_ko": "요약", "abstract_en": "Summary", "start_date": f"{YEAR}-01-01", "end_date": f"{YEAR}-06-30"}),
        content_type="application/json")
    client.post(f"/api/v1/proposals/{pid}/team", data=json.dumps({
        "national_researcher_number": researcher.national_researcher_number, "is_pi": True,
        "monthly_percent": {f"{YEAR}-01": 50}}), content_type="application/json")
    client.put(f"/api/v1/proposals/{pid}/budget", data=json.dumps([{
        "year": YEAR, "organization_id": lead.pk, "category": "personnel", "gov_krw": 750_000, "cash_krw": 250_000}]),
        content_type="application/json")
    assert client.get(f"/proposals/{pid}/receipt/").status_code == 404  # a draft has no receipt
    # when she submits it on the proposal's screen
    response = client.post(f"/proposals/{pid}/transitions/submit/")
    # then she lands on the receipt: the proposal number and the time of submission in Asia/Seoul
    proposal = Proposal.objects.get(pk=pid)
    assert proposal.status == "submitted"
    assert response.status_code == 302 and response["Location"] == f"/proposals/{pid}/receipt/"
    body = client.get(response["Location"]).content.decode()
    seoul = timezone.localtime(proposal.submitted_at, timezone.get_fixed_timezone(9 * 60))
    assert f'data-testid="receipt-reference"><strong>{proposal.reference}</strong>' in body
    assert f'data-testid="receipt-time">{seoul:%Y-%m-%d %H:%M:%S} (한국 표준시)' in body
    assert "접수증" in body and "접수증 과제" in body
    # and the proposal's page links to it; a program manager may open it, another applicant may not
    assert f'href="/proposals/{pid}/receipt/" data-testid="receipt-link"' in client.get(f"/proposals/{pid}/").content.decode()
    client.force_login(make_user(role="program_manager"))
    assert client.get(f"/proposals/{pid}/receipt/").status_code == 200
    client.force_login(make_user(role="applicant", organization=make_organization()))
    assert client.get(f"/proposals/{pid}/receipt/").status_code in (403, 404)
