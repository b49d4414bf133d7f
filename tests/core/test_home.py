import datetime as dt
import html
import re

import pytest
from django.utils import timezone
from tests.proposals import conftest as _proposal_factories

from doyak.accounts.enums import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_home_renders_for_each_role_in_korean(client, make_user, make_organization, role):
    org = make_organization() if role == "applicant" else None
    client.force_login(make_user(role=role, organization=org))
    response = client.get("/")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ko">' in body
    assert "환영합니다" in body


def test_home_in_english_after_switch(client, make_user):
    client.force_login(make_user(role="program_manager"))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get("/").content.decode()
    assert '<html lang="en">' in body
    assert "Welcome" in body


def test_council_home_shows_plan_targets(client, make_user):
    client.force_login(make_user(role="council_member"))
    body = client.get("/").content.decode()
    assert "AI 팩토리 구축" in body
    assert "500" in body


def test_audit_page_forbidden_for_applicant(client, make_user, make_organization):
    client.force_login(make_user(role="applicant", organization=make_organization()))
    assert client.get("/audit/").status_code == 403


def test_audit_page_for_auditor(client, make_user):
    client.force_login(make_user(role="auditor"))
    assert client.get("/audit/").status_code == 200


def test_home_korean_even_when_browser_prefers_english(client, make_user):
    client.force_login(make_user(role="program_manager"))
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="ko">' in body


# --------------------------------------------------------------------------------------------
# Cards with live counts
# --------------------------------------------------------------------------------------------

make_program = _proposal_factories.make_program
make_call = _proposal_factories.make_call
make_proposal = _proposal_factories.make_proposal

CARD = re.compile(r'<section class="dy-card">\s*<h2>(?P<label>[^<]*)</h2>\s*<div class="dy-figure">'
                  r'(?:<a href="(?P<url>[^"]*)"[^>]*>)?(?:<data value="(?P<number>\d+)">)?(?P<value>[^<]*)(?:</data>)?'
                  r'(?:</a>)?</div>\s*'
                  r'(?:<div class="dy-sub">(?P<sub>[^<]*)</div>)?')


def _cards(client) -> dict[str, dict]:
    body = client.get("/").content.decode()
    return {html.unescape(m["label"]): {"value": m["value"], "url": html.unescape(m["url"] or ""),
                                        "sub": html.unescape(m["sub"] or "")} for m in CARD.finditer(body)}


def test_evaluator_card_counts_open_assignments(client, make_user, make_organization, make_call, make_proposal,
                                                 django_assert_max_num_queries):
    from doyak.evaluation.models import Assignment, EvaluatorProfile, Panel

    user = make_user(role="evaluator")
    mine = EvaluatorProfile.objects.create(user=user, name="평가위원")
    other = EvaluatorProfile.objects.create(name="다른 위원")
    call = make_call(status="closed")
    scoring = Panel.objects.create(call=call, name="1분과", stage="scoring")
    published = Panel.objects.create(call=call, name="2분과", stage="published")
    now = timezone.now()
    rows = [(scoring, mine, "assigned", None), (scoring, mine, "assigned", None), (scoring, mine, "assigned", now),
            (scoring, mine, "submitted", now), (scoring, mine, "withdrawn", None), (published, mine, "assigned", None),
            (scoring, other, "assigned", None)]
    for panel, profile, status, pledged in rows:
        Assignment.objects.create(panel=panel, proposal=make_proposal(call=call, status="under_review"),
                                  profile=profile, source="auto", status=status, pledge_signed_at=pledged)
    client.force_login(user)
    with django_assert_max_num_queries(12):
        card = _cards(client)["배정된 제안서"]
    # three open: not submitted, not withdrawn, not on a published panel, not someone else's; two unsigned
    assert card == {"value": "3", "url": "/evaluation/", "sub": "2건이 이해충돌 서약을 기다립니다."}
    Assignment.objects.filter(profile=mine, pledge_signed_at=None).update(pledge_signed_at=now)
    assert _cards(client)["배정된 제안서"]["sub"] == "서약을 마쳤습니다. 점수를 제출해 주세요."
    Assignment.objects.filter(profile=mine).update(status="submitted")
    assert _cards(client)["배정된 제안서"] == {"value": "0", "url": "/evaluation/", "sub": "아직 배정된 평가가 없습니다."}


def test_applicant_card_counts_calls_open_now(client, make_user, make_organization, make_call):
    now = timezone.now()
    make_call(status="open")
    make_call(status="open", opens_at=now - dt.timedelta(days=40), closes_at=now + dt.timedelta(hours=1))
    make_call(status="open", opens_at=now + dt.timedelta(days=1), closes_at=now + dt.timedelta(days=30))  # not yet
    make_call(status="open", opens_at=now - dt.timedelta(days=30), closes_at=now - dt.timedelta(minutes=1))  # over
    make_call(status="closed")
    make_call(status="draft")
    make_call(status="cancelled")
    client.force_login(make_user(role="applicant", organization=make_organization()))
    card = _cards(client)["진행 중인 공고"]
    assert card == {"value": "2", "url": "/calls/?status=open", "sub": "지금 제안서를 접수하는 공고입니다."}


def test_applicant_card_without_open_calls(client, make_user, make_organization, make_call):
    make_call(status="closed")
    client.force_login(make_user(role="applicant", organization=make_organization()))
    card = _cards(client)["진행 중인 공고"]
    assert card == {"value": "0", "url": "/calls/?status=open", "sub": "사업 공고가 열리면 여기에 표시됩니다."}


@pytest.mark.parametrize("role", ["program_manager", "administrator"])
def test_manager_cards_count_submitted_and_under_review(client, make_user, make_call, make_proposal, role):
    call = make_call()
    for status, n in [("draft", 4), ("submitted", 3), ("under_review", 2), ("selected", 1), ("withdrawn", 1)]:
        for _ in range(n):
            make_proposal(call=call, status=status)
    client.force_login(make_user(role=role))
    cards = _cards(client)
    assert cards["제출된 제안서"] == {"value": "3", "url": "/proposals/?status=submitted",
                                  "sub": "평가위원회 구성을 기다리는 중입니다."}
    assert cards["평가 중인 제안서"] == {"value": "2", "url": "/evaluation/", "sub": "평가위원회에서 평가하고 있습니다."}


def test_council_sees_no_proposal_cards(client, make_user, make_call, make_proposal):
    make_proposal(call=make_call(), status="submitted")
    client.force_login(make_user(role="council_member"))
    assert "제출된 제안서" not in _cards(client)


# --------------------------------------------------------------------------------------------
# Cards and sections come from the apps' providers (core imports none of them)
# --------------------------------------------------------------------------------------------


def test_home_content_follows_the_providers_order_cards_before_sections(make_user, make_program, settings):
    from doyak.core.audit import audit_record
    from doyak.core.home import HomeCard, home_content_for_user

    # given an administrator, a program this year, one audit event, and the providers in the reverse order
    admin = make_user(role="administrator")
    program = make_program()
    audit_record(actor=admin, action="program.create", obj=program)
    settings.HOME_PAGE_PROVIDERS = ["doyak.core.selectors.home_content", "doyak.programs.selectors.home_content"]
    # when the home content is collected
    content = home_content_for_user(user=admin, lang="ko")
    # then each provider's cards come in the listed order, then each one's sections
    assert [card.label for card in content.cards] == ["감사 이벤트", f"{timezone.localdate().year}년 사업"]
    assert content.cards[0] == HomeCard(label="감사 이벤트", value="1", number=1)
    assert [section.template for section in content.sections] == [
        "core/_home_recent_events.html", "programs/_home_programs.html"]
    assert content.sections[1].data == {"programs": [program]}


def test_home_content_empty_for_a_role_no_provider_serves(make_user, settings, django_assert_num_queries):
    from doyak.core.home import HomeContent, home_content_for_user

    # given a regulation liaison and only the providers that serve other roles
    user = make_user(role="regulation_liaison")
    settings.HOME_PAGE_PROVIDERS = ["doyak.programs.selectors.home_content", "doyak.proposals.selectors.home_content",
                                    "doyak.evaluation.selectors.home_content", "doyak.core.selectors.home_content"]
    # when the home content is collected, then it is empty and no query ran
    with django_assert_num_queries(0):
        assert home_content_for_user(user=user, lang="ko") == HomeContent()


def test_a_count_card_marks_its_figure_up_as_a_quantity(client, make_user):
    # given an administrator, whose home counts the audit events
    user = make_user(role="administrator")
    client.force_login(user)
    # when the home page is shown
    body = client.get("/").content.decode()
    card = _cards(client)["감사 이벤트"]
    # then the figure is a <data> element whose value is the count without separators (a quantity, not a year)
    from doyak.core.models import AuditEvent

    n = AuditEvent.objects.count()
    assert card["value"] == f"{n:,}"
    assert f'<data value="{n}">{n:,}</data>' in body
