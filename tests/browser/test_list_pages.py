"""A long list is paged with the shared pager, in Korean."""

from __future__ import annotations

import pytest

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_organization_list_shows_the_korean_pager(logged_in_page, live_server, make_user, make_organization):
    # given more organisations than one page holds
    for i in range(55):
        make_organization(name=f"(주)쪽나눔{i:02d}")
    page = logged_in_page(make_user(role="program_manager"))
    # when the program manager opens the list
    page.goto(f"{live_server.url}/organizations/?q=쪽나눔")
    # then the first page and the pager say where they are, in Korean, and "next" opens page 2
    pager = page.locator(".dy-pagination")
    assert pager.inner_text().split("\n")[0].strip().startswith("1")
    screenshot(page, "organizations-paged")
    pager.get_by_role("link").last.click()
    assert "page=2" in page.url
    assert page.locator(".dy-pagination").count() == 1
