"""Each role's home page in Korean and English, at desktop and mobile width, as a person sees it."""

import pytest

from doyak.accounts.enums import Role

from .conftest import screenshot

# serialized_rollback like every transactional test here: a plain one re-creates content types on its flush,
# which the next serialized test then fails to load again (order-dependent under xdist).
pytestmark = [pytest.mark.browser, pytest.mark.presentation, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDTHS = {"desktop": 1280, "mobile": 390}
WELCOME = {"ko": "환영합니다", "en": "Welcome"}


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_role_home_renders_in_both_languages_and_widths(logged_in_page, live_server, make_user, make_organization, role):
    org = make_organization(name="(주)가람소재") if role == "applicant" else None
    user = make_user(role=role, organization=org, display_name=f"{role} 사용자")
    for lang in ("ko", "en"):
        for label, width in WIDTHS.items():
            page = logged_in_page(user, lang=lang, width=width)
            page.goto(f"{live_server.url}/")
            screenshot(page, f"home-{role}-{lang}-{label}")
            assert page.locator("html").get_attribute("lang") == lang
            assert WELCOME[lang] in page.locator("h1").inner_text()
            # the KRDS stylesheet and the Pretendard font family are in use
            font = page.evaluate("getComputedStyle(document.body).fontFamily")
            assert "Pretendard" in font
            # nothing is wider than the screen
            overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{role} {lang} {label}: page is {overflow}px wider than the screen"
            # every form control has an accessible label
            unlabeled = page.evaluate(
                "[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]"
                ".filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).length"
            )
            assert unlabeled == 0
            page.close()


def test_login_form_keyboard_only(browser, live_server, make_user):
    # given a user and a fresh browser
    make_user(username="kbd", password="correct-horse-battery", role="program_manager")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    # when they sign in with the keyboard alone (the username field has focus)
    page.keyboard.type("kbd")
    page.keyboard.press("Tab")
    page.keyboard.type("correct-horse-battery")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    # then the Korean home page greets them
    assert "환영합니다" in page.locator("h1").inner_text()
    screenshot(page, "login-then-home-pm-ko-desktop")
    context.close()
