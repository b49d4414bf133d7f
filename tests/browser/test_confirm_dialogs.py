"""Irreversible actions ask first, in a KRDS dialog that works with the keyboard alone (doyak/confirm.js)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from tests.proposals import conftest as _proposal_factories

from .conftest import screenshot

make_program = _proposal_factories.make_program
make_call = _proposal_factories.make_call

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_opening_a_call_asks_first_and_works_by_keyboard(logged_in_page, live_server, make_call, make_user):
    from doyak.calls.models import Call

    # given a draft call ready to open and its program manager on its page
    now = timezone.now()
    call = make_call(status="draft", opens_at=now + dt.timedelta(days=1), closes_at=now + dt.timedelta(days=40))
    page = logged_in_page(make_user(role="program_manager"))
    page.goto(f"{live_server.url}/calls/{call.pk}/")
    open_button = page.get_by_role("button", name="공고 게시")
    dialog = page.get_by_role("dialog", name="이 공고를 게시할까요?")
    assert not dialog.is_visible()

    # when the manager presses the button with the keyboard
    open_button.focus()
    page.keyboard.press("Enter")
    # then a dialog asks, focus on its Cancel button, and Tab stays inside it
    dialog.wait_for()
    assert "게시한 공고는 작성 중으로 되돌릴 수 없습니다" in dialog.inner_text()
    cancel, confirm = dialog.get_by_role("button", name="취소"), dialog.get_by_role("button", name="공고 게시")
    expect(cancel).to_be_focused()
    screenshot(page, "confirm-open-call-pm-ko-desktop")
    page.keyboard.press("Tab")
    expect(confirm).to_be_focused()
    page.keyboard.press("Tab")
    expect(cancel).to_be_focused()

    # when Escape closes it, nothing happened and focus is back on the button
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert Call.objects.get(pk=call.pk).status == "draft"
    expect(open_button).to_be_focused()

    # when the manager asks again and confirms
    page.keyboard.press("Enter")
    dialog.wait_for()
    expect(cancel).to_be_focused()
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # then the call is open
    assert Call.objects.get(pk=call.pk).status == "open"
    assert page.get_by_role("button", name="공고 마감").is_visible()
