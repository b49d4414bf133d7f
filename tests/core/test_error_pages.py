"""Error pages (issue 14): 400/403/404/405/500 in the application shell, Korean and English, each with what
to do next; the API keeps JSON errors; malformed input answers 400/field errors, never 500."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.error_urls")]

SHELL = 'class="dy-header"'

PAGES = {
    # status: (url, method, Korean heading, English heading)
    400: ("/audit/?since=2026-13-45", "get", "요청을 읽을 수 없습니다", "The request could not be read"),
    403: ("/test-denied/", "get", "이 페이지를 열 권한이 없습니다", "You may not open this page"),
    404: ("/no-such-page/", "get", "페이지를 찾을 수 없습니다", "Page not found"),
    405: ("/accounts/tokens/1/revoke/", "get", "이 방법으로는 열 수 없는 페이지입니다",
          "This page cannot be opened this way"),
    500: ("/test-boom/", "get", "처리 중 문제가 생겼습니다", "Something went wrong on our side"),
}


@pytest.fixture
def auditor_client(client, make_user):
    client.force_login(make_user(role="auditor"))
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize("status", sorted(PAGES))
@pytest.mark.parametrize("lang", ["ko", "en"])
def test_error_page_renders_in_the_shell_in_each_language(auditor_client, status, lang):
    # given a signed-in user who reads Korean (the default) or chose English
    url, method, korean, english = PAGES[status]
    if lang == "en":
        auditor_client.cookies["django_language"] = "en"
    # when the page fails with this status
    response = getattr(auditor_client, method)(url)
    body = response.content.decode()
    # then the page is in the application shell, in the language, with what to do next
    assert response.status_code == status
    assert SHELL in body and f'<html lang="{lang}">' in body
    assert (korean if lang == "ko" else english) in body
    assert ("홈으로" if lang == "ko" else "Back to home") in body
    assert ("할 수 있는 일" if lang == "ko" else "What you can do") in body


def test_bad_since_names_the_parameter(auditor_client):
    response = auditor_client.get("/audit/", {"since": "2026-13-45"})
    body = response.content.decode()
    assert response.status_code == 400
    assert 'data-testid="error-detail">since' in body and "YYYY-MM-DD" in body


def test_405_keeps_the_allow_header(auditor_client):
    response = auditor_client.get("/accounts/tokens/1/revoke/")
    assert response.status_code == 405 and response["Allow"] == "POST"


def test_403_for_a_visitor_offers_sign_in(client):
    client.raise_request_exception = False
    body = client.get("/test-denied/").content.decode()
    assert "/accounts/login/?next=/test-denied/" in body


def test_application_403_says_why_in_the_shell(client, make_user):
    # an evaluator may not start a proposal: the service's sentence is shown, with the stable code
    client.force_login(make_user(role="evaluator"))
    response = client.get("/proposals/new/")
    body = response.content.decode()
    assert response.status_code == 403 and SHELL in body
    assert "proposal_forbidden" in body


@pytest.mark.parametrize(("url", "status", "code"), [("/api/v1/no-such-endpoint", 404, "not_found"),
                                                      ("/api/v1/test-boom", 500, "server_error")])
def test_api_errors_stay_json(auditor_client, url, status, code):
    response = auditor_client.get(url)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json" and response.json()["code"] == code


def test_back_link_only_to_our_own_pages(auditor_client):
    ours = auditor_client.get("/no-such-page/", HTTP_REFERER="http://testserver/audit/").content.decode()
    theirs = auditor_client.get("/no-such-page/", HTTP_REFERER="https://evil.example/").content.decode()
    assert 'href="http://testserver/audit/" data-action="back"' in ours
    assert "evil.example" not in theirs
