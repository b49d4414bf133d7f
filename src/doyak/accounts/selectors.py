"""Reads for accounts."""

from __future__ import annotations

from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.db.models import Sum
from django.utils import timezone


def account_is_locked(*, username: str) -> bool:
    """Whether sign-in failures for this account, from any address, have locked it out for now (django-axes)."""
    attempts = AccessAttempt.objects.filter(username=username)
    cool_off = get_cool_off()
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
    return failures >= get_failure_limit(None, {"username": username})
