"""Pure rules of regulation-free R&D: the status of a project's dependency on a regulation, the expiry that
counts (extensions, the automatic extension while a law amendment is pending) and the next milestone.

A dependency is

* **blocked** when a milestone that needs the exemption has come (today or before) without it, or when the
  exemption in hand ends on or before a milestone it is needed for (expiry on the milestone day is blocked);
* **at risk** when the next milestone is within the warning days (exactly at the warning distance counts) and
  no exemption covers it;
* **expiring** when the exemption in hand ends within the expiry warning days (or has ended);
* **on track** otherwise.

An exemption covers a milestone when it was granted before the milestone day (the day before clears it) and
ends after it. The first of blocked, at risk, expiring that applies is the status.

No Django: the regulation app passes the policy values in and stores what comes out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

ON_TRACK = "on_track"
AT_RISK = "at_risk"
BLOCKED = "blocked"
EXPIRING = "expiring"
STATUSES = (ON_TRACK, AT_RISK, BLOCKED, EXPIRING)


@dataclass(frozen=True)
class StatusPolicy:
    """``regulation.milestone_warning_days`` and ``regulation.expiry_warning_days``."""

    milestone_warning_days: int
    expiry_warning_days: int


def covers(*, milestone: dt.date, granted_on: dt.date | None, expires_on: dt.date | None) -> bool:
    """The exemption is in hand before the milestone day and still runs after it."""
    return granted_on is not None and granted_on < milestone and (expires_on is None or expires_on > milestone)


def next_milestone(*, today: dt.date, milestones: Iterable[dt.date]) -> dt.date | None:
    """The first milestone today or later."""
    upcoming = [m for m in milestones if m >= today]
    return min(upcoming) if upcoming else None


def dependency_status(*, today: dt.date, milestones: Iterable[dt.date], granted_on: dt.date | None,
                      expires_on: dt.date | None, policy: StatusPolicy) -> str:
    """One of ``STATUSES`` for a dependency on ``today`` (see the module's rules). ``expires_on`` is the
    expiry that counts (:func:`effective_expiry`); ``None`` is an exemption without an end."""
    dates = sorted(set(milestones))
    granted = granted_on is not None and granted_on <= today
    granted_on = granted_on if granted else None
    for milestone in dates:
        if covers(milestone=milestone, granted_on=granted_on, expires_on=expires_on):
            continue
        if milestone <= today or granted:
            return BLOCKED
    upcoming = [m for m in dates if m > today
                and not covers(milestone=m, granted_on=granted_on, expires_on=expires_on)]
    if upcoming and (upcoming[0] - today).days <= policy.milestone_warning_days:
        return AT_RISK
    if granted and expires_on is not None and (expires_on - today).days <= policy.expiry_warning_days:
        return EXPIRING
    return ON_TRACK


def effective_expiry(*, expires_on: dt.date | None, law_amendment_pending: bool,
                     automatic_extension: bool) -> dt.date | None:
    """The expiry that counts: none while a law-amendment request is pending and the policy extends
    exemptions automatically meanwhile (since 2020), otherwise the recorded one."""
    if law_amendment_pending and automatic_extension:
        return None
    return expires_on


def add_years(day: dt.date, years: int) -> dt.date:
    """``day`` ``years`` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def extension_allowed(*, extensions_used: int, max_extensions: int) -> bool:
    return extensions_used < max_extensions
