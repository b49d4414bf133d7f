"""KRDS's date input works with the keyboard alone (doyak/datepicker.js): the calendar button opens KRDS's
calendar on the field's month, arrows move, Enter picks, and the filter then reads the picked day."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_date_input_calendar_by_keyboard(logged_in_page, live_server, make_user):
    # given the policy list's "in force on" filter on 2026-03-30
    page = logged_in_page(make_user(role="administrator"))
    page.goto(f"{live_server.url}/policies/?on=2026-03-30")
    field = page.get_by_label("기준일")
    expect(field).to_have_value("2026-03-30")
    opener = page.get_by_role("button", name="달력 열기")
    # when the administrator opens the calendar from the keyboard
    opener.focus()
    page.keyboard.press("Enter")
    calendar = page.get_by_role("dialog", name="달력")
    expect(calendar).to_be_visible()
    expect(calendar.get_by_role("grid", name="2026년 3월")).to_be_visible()
    expect(page.get_by_role("button", name="3월 30일")).to_be_focused()
    screenshot(page, "krds-date-input-ko-desktop")
    # then arrows move a day and a week (into April), Enter picks the day and closes the calendar
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("button", name="4월 7일")).to_be_focused()
    page.keyboard.press("Enter")
    expect(calendar).to_have_count(0)
    expect(field).to_have_value("2026-04-07")
    expect(field).to_be_focused()
    # and Escape closes it again without a change, returning focus to its button
    opener.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="4월 7일")).to_be_focused()
    page.keyboard.press("Escape")
    expect(opener).to_be_focused()
    expect(field).to_have_value("2026-04-07")
