"""Demo agreements, through the services: the demo applicant's institution signs its agreement in the
application with the program manager (before the finance seed concludes the other drafts on paper); then, once
agreements are in force, a pending major change (a longer period, proposed by the institution), and on another
agreement two major requests the program manager answered in the past weeks (a year's extension rejected, then
three months approved and in force: the board's change-answer days count them) before an applied notice (a
budget move between direct categories, by the program manager). Running it again adds nothing."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from doyak.accounts.enums import Role
from doyak.accounts.models import User

from .enums import IN_FORCE, AgreementStatus
from .models import Agreement, ApprovedBudget, ChangeRequest, Signature
from .rules import lead_organization_id
from .services import agreement_sign, change_propose, change_transition


def _pm() -> User | None:
    return (User.objects.filter(Q(username="pm") | Q(role=Role.PROGRAM_MANAGER), is_active=True)
            .order_by("-username").first())


def _lead_applicant(agreement: Agreement) -> User | None:
    return (User.objects.filter(role=Role.APPLICANT, is_active=True, organization_id=lead_organization_id(agreement))
            .order_by("username").first())


def agreements_signing_seed(*, scale: str, seed: int,
                            progress: Callable[[str, int, int], None] | None = None) -> dict[str, int]:
    added = {"agreements_signed": 0}
    pm = _pm()
    if pm is None or Signature.objects.exists():
        return added
    with transaction.atomic():
        for agreement in Agreement.objects.filter(status=AgreementStatus.DRAFT).order_by("pk"):
            applicant = _lead_applicant(agreement)
            if applicant is None:
                continue
            agreement_sign(actor=applicant, agreement_id=agreement.pk)
            agreement_sign(actor=pm, agreement_id=agreement.pk)
            added["agreements_signed"] += 1
            if progress:
                progress("agreements", added["agreements_signed"], added["agreements_signed"])
    return added


def _moved_budget(agreement: Agreement) -> list[dict] | None:
    """1M of government funds from materials to activities of the first institution having both, or None."""
    lines = list(ApprovedBudget.objects.filter(agreement=agreement).order_by("year", "organization_id", "category"))
    for line in lines:
        if line.category == "materials" and line.gov_krw >= 1_000_000:
            target = next((b for b in lines if b.category == "activities" and b.year == line.year
                           and b.organization_id == line.organization_id), None)
            if target is None:
                continue
            return [{"year": b.year, "category": b.category, "organization_id": b.organization_id,
                     "gov_krw": b.gov_krw - 1_000_000 if b is line else b.gov_krw + 1_000_000 if b is target
                     else b.gov_krw, "cash_krw": b.cash_krw, "in_kind_krw": b.in_kind_krw, "items": b.items}
                    for b in lines]
    return None


def agreements_changes_seed(*, scale: str, seed: int,
                            progress: Callable[[str, int, int], None] | None = None) -> dict[str, int]:
    added = {"change_requests": 0}
    pm = _pm()
    if pm is None or ChangeRequest.objects.exists():
        return added
    in_force = list(Agreement.objects.filter(status__in=IN_FORCE).select_related("proposal").order_by("pk"))
    signed = [a for a in in_force if a.signatures.exists()]
    with transaction.atomic():
        major = next(iter(signed or in_force), None)
        if major is not None:
            owner = _lead_applicant(major) or pm
            change = change_propose(actor=owner, agreement_id=major.pk, reason="시제품 시험 일정 지연으로 6개월 연장",
                                    edits={"end_date": major.end_date.replace(year=major.end_date.year + 1, month=6,
                                                                              day=30)})
            change_transition(actor=owner, change_id=change.pk, name="submit")
            added["change_requests"] += 1
        for agreement in in_force:
            budget = _moved_budget(agreement) if agreement != major else None
            if budget is None:
                continue
            added["change_requests"] += _answered_changes(agreement, pm=pm)
            change = change_propose(actor=pm, agreement_id=agreement.pk, edits={"budget": budget},
                                    reason="재료 구매 대신 외부 시험 의뢰")
            change_transition(actor=pm, change_id=change.pk, name="submit")
            added["change_requests"] += 1
            break
    return added


# The answered requests' moments, in days before the seed runs: (submitted, answered) of the rejected request,
# then of the approved one; squeezed into the days since the agreement started when it started later.
ANSWERED_DAYS_AGO = ((26, 22), (18, 11))


def _answered_changes(agreement: Agreement, *, pm: User) -> int:
    """The institution asks for a year's extension, which the program manager rejects; then for three months,
    which the program manager approves (in force at once, as the next version)."""
    owner = _lead_applicant(agreement) or pm
    now = timezone.now()
    started = timezone.make_aware(dt.datetime.combine(agreement.start_date, dt.time(9)))
    span = max(dt.timedelta(0), now - started)

    def moment(days_ago: int) -> dt.datetime:
        return now - min(dt.timedelta(days=days_ago), span * (days_ago / ANSWERED_DAYS_AGO[0][0]))

    end = agreement.end_date
    asks = [(_months_later(end, 12), "양산 라인 시험 일정 지연으로 12개월 연장", "reject",
             "연장 기간이 남은 과제 기간과 단계 평가 일정에 비해 깁니다. 필요한 기간으로 다시 신청해 주십시오."),
            (_months_later(end, 3), "양산 라인 시험 일정 지연으로 3개월 연장", "approve", "")]
    for (end_date, reason, answer, note), (submitted, answered) in zip(asks, ANSWERED_DAYS_AGO, strict=True):
        change = change_propose(actor=owner, agreement_id=agreement.pk, reason=reason, edits={"end_date": end_date})
        change_transition(actor=owner, change_id=change.pk, name="submit", now=moment(submitted))
        change_transition(actor=pm, change_id=change.pk, name=answer, note=note, now=moment(answered))
    return len(asks)


def _months_later(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or that month's last day (31 December + 3 months: 31 March)."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
