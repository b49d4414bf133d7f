"""The iCalendar feed (RFC 5545, with the maintained ``icalendar`` library) of the milestones and regulatory
dates a user follows: all-day events, one per date."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import translation
from icalendar import Calendar, Event

from .selectors import calendar_events


def calendar_ics(*, user, now: dt.datetime | None = None) -> bytes:
    with translation.override(getattr(user, "language", "") or settings.LANGUAGE_CODE):
        events = calendar_events(user=user)
    cal = Calendar()
    cal.add("prodid", "-//doyak//regulation//KO")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "doyak")
    stamp = now or dt.datetime.now(dt.UTC)
    for item in events:
        event = Event()
        event.add("uid", f"{item['uid']}@doyak")
        event.add("dtstamp", stamp)
        event.add("dtstart", item["on"])
        event.add("dtend", item["on"] + dt.timedelta(days=1))
        event.add("summary", item["summary"])
        cal.add_component(event)
    return cal.to_ical()
