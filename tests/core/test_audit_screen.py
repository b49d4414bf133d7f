"""The audit log as people read it: actions in words, actors by name and role, objects as links, filters
from lists, bounded parameters, and the filtered log exported as CSV (streamed) and XLSX."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import BadRequest
from django.test import RequestFactory
from django.utils import timezone, translation
from openpyxl import load_workbook
from tests.proposals import conftest as _proposal_factories

from doyak.core.models import AuditEvent
from doyak.core.views import _audit_filters, audit_list
from doyak.policies.services import policy_change
from doyak.proposals.services import proposal_transition

pytestmark = pytest.mark.django_db
make_program = _proposal_factories.make_program
make_call = _proposal_factories.make_call
make_proposal = _proposal_factories.make_proposal


def _request(params, user):
    request = RequestFactory().get("/audit/", params)
    request.user = user
    return request


@pytest.fixture
def trail(chain, make_call, make_user):
    """A proposal whose review a program manager started, and a policy change by an administrator."""
    call = make_call()
    proposal = chain.submitted(call, gov=100_000_000, title_ko="감사 대상 과제")
    proposal_transition(actor=chain.pm, proposal_id=proposal.pk, name="start_review")
    admin = make_user(role="administrator", display_name="정관리")
    policy_change(actor=admin, key="rnd_act.gov_share_max.sme", value="0.70", effective_from=timezone.localdate(),
                  source="국가연구개발혁신법 시행령 제19조")
    auditor = make_user(role="auditor", display_name="한감사")
    return proposal, admin, auditor


def test_audit_page_shows_words_names_roles_and_links(client, trail):
    proposal, admin, auditor = trail
    client.force_login(auditor)
    page = client.get("/audit/").content.decode()
    assert "정책 설정 변경(새 버전)" in page and ">policy.change<" not in page  # codes only as option values
    assert "제안서 검토 시작" in page and ">proposal.start_review<" not in page
    assert "정관리" in page and "관리자" in page
    assert f'href="/proposals/{proposal.pk}/"' in page
    assert 'href="/policies/rnd_act.gov_share_max.sme/"' in page
    # filters are lists: people, actions and object types
    assert f'<option value="{admin.pk}">정관리 (관리자)</option>' in page
    assert '<option value="policy.change">정책 설정 변경(새 버전)</option>' in page
    assert '<option value="policies.policysetting">' in page


def test_audit_filters_by_person_action_and_type(client, trail):
    _proposal, admin, auditor = trail
    client.force_login(auditor)
    by_admin = client.get("/audit/", {"actor": admin.pk}).context["page_obj"].object_list
    assert [e.action for e in by_admin] == ["policy.change"]
    submitted = client.get("/audit/", {"action": "proposal.start_review"}).context["page_obj"].object_list
    assert [e.action for e in submitted] == ["proposal.start_review"]
    typed = client.get("/audit/", {"object_type": "policies.policysetting"}).context["page_obj"].object_list
    assert {e.object_type for e in typed} == {"policies.policysetting"}


@pytest.mark.parametrize(("params", "named"), [
    ({"since": "2026-13-45"}, "since"), ({"until": "x"}, "until"), ({"actor": "abc"}, "actor"),
    ({"since": "2026-03-02", "until": "2026-03-01"}, "since"), ({"export": "pdf"}, "export"),
])
def test_audit_bad_parameters_answer_400_naming_them(client, trail, params, named):
    _proposal, _admin, auditor = trail
    client.force_login(auditor)
    assert client.get("/audit/", params).status_code == 400
    # the message names the parameter (the 400 page that shows it is the error pages' work)
    with pytest.raises(BadRequest, match=named):
        _audit_filters(params) if "export" not in params else audit_list(_request(params, auditor))


def test_audit_csv_export_streams_the_filtered_log_in_words(client, trail):
    _proposal, admin, auditor = trail
    client.force_login(auditor)
    with translation.override("ko"):
        response = client.get("/audit/", {"export": "csv", "actor": admin.pk})
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    event = AuditEvent.objects.get(action="policy.change")
    assert rows[0][:5] == ["시각(한국 표준시)", "행위자", "역할", "행위", "행위 코드"]
    assert len(rows) == 2
    assert rows[1][:8] == [timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S"), "정관리", "관리자",
                           "정책 설정 변경(새 버전)", "policy.change", "정책 설정", str(event.object_id),
                           event.object_repr]


def test_audit_xlsx_export_holds_the_filtered_log(client, trail):
    _proposal, _admin, auditor = trail
    client.force_login(auditor)
    response = client.get("/audit/", {"export": "xlsx", "action": "proposal.start_review"})
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert len(values) == 2
    assert values[1][3:5] == ["제안서 검토 시작", "proposal.start_review"]


def test_audit_times_are_asia_seoul(client, trail):
    _proposal, _admin, auditor = trail
    client.force_login(auditor)
    event = AuditEvent.objects.get(action="policy.change")
    seoul = timezone.localtime(event.at, dt.timezone(dt.timedelta(hours=9))).strftime("%Y-%m-%d %H:%M:%S")
    assert seoul in client.get("/audit/").content.decode()


def test_audit_export_forbidden_for_applicants(client, trail, make_user, make_organization):
    client.force_login(make_user(role="applicant", organization=make_organization()))
    assert client.get("/audit/", {"export": "csv"}).status_code == 403


def test_audit_changes_show_choice_labels_and_keep_structured_data_in_a_disclosure(client, trail):
    proposal, _admin, auditor = trail
    from doyak.core.audit import audit_record

    audit_record(actor=auditor, action="proposal.start_review", obj=proposal,
                 changes={"status": ["submitted", "not_selected"],
                          "constraints": [{"kind": "budget_share_min", "region_group": "non_capital"}]})
    client.force_login(auditor)
    page = client.get("/audit/").content.decode()
    row = page.split("제출 → 미선정", 1)
    assert len(row) == 2, "the status change reads in the status's labels"
    assert "1개 항목" in page
    details = page.split('<summary>기록된 데이터</summary><code>', 1)[1].split("</code>", 1)[0]
    assert "budget_share_min" in details and "non_capital" in details
    assert "budget_share_min" not in page.replace(details, "")
