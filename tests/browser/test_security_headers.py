"""The Content-Security-Policy as a browser applies it: the pages work and nothing is refused."""

import pytest

from doyak.accounts.enums import Role

from .conftest import watch_csp

pytestmark = [pytest.mark.browser, pytest.mark.presentation, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_login_page_anonymous_no_csp_violation(browser, live_server):
    # given a visitor who is not signed in
    context = browser.new_context(locale="ko-KR")
    violations: list[str] = []
    watch_csp(context, violations)
    page = context.new_page()
    # when the login page loads with its styles, fonts and htmx
    response = page.goto(f"{live_server.url}/accounts/login/")
    page.wait_for_load_state("networkidle")
    # then it carries the policy, htmx runs with its config and the policy refused nothing
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert page.evaluate("window.htmx.config.includeIndicatorStyles") is False
    assert page.evaluate("window.htmx.config.allowEval") is False
    assert "Pretendard" in page.evaluate("getComputedStyle(document.body).fontFamily")
    context.close()
    assert violations == []


def test_api_docs_served_locally_no_csp_violation(browser, live_server, logged_in_page, make_user):
    # given a signed-in user, and a record of every request the page makes
    page = logged_in_page(make_user(role=Role.PROGRAM_MANAGER.value))
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    # when the API documentation opens
    page.goto(f"{live_server.url}/api/v1/docs")
    # then Swagger UI renders the operations from our own origin only (the fixture checks the policy)
    page.locator(".opblock").first.wait_for(timeout=15_000)
    assert page.locator(".opblock").count() > 10
    assert [url for url in requested if not url.startswith(live_server.url)] == []
    assert any("/static/swagger-ui/swagger-ui-bundle.js" in url for url in requested)


def test_password_change_in_browser_no_csp_violation(logged_in_page, live_server, make_user):
    # given a signed-in user on the home page
    user = make_user(role=Role.APPLICANT.value, password="correct-horse-battery")
    page = logged_in_page(user)
    page.goto(f"{live_server.url}/")
    # when she follows the user menu's link and changes her password
    page.get_by_role("link", name="비밀번호 변경").click()
    page.get_by_label("기존 비밀번호").fill("correct-horse-battery")
    page.get_by_label("새 비밀번호", exact=True).fill("violet-harbour-lantern-42")
    page.get_by_label("새 비밀번호 (확인)").fill("violet-harbour-lantern-42")
    page.get_by_role("button", name="비밀번호 변경").click()
    # then the done page shows, and the new password is hers (the fixture checks the policy refused nothing)
    page.get_by_role("heading", name="비밀번호 변경 완료").wait_for()
    user.refresh_from_db()
    assert user.check_password("violet-harbour-lantern-42")
