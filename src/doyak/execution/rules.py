"""Who may do what in project execution, composed of the shared predicates (doyak.accounts.rules) and the
agreements app's rules (who is the agreement's institution).

Whoever reads the agreement reads its reports, evaluations, stop requests and sanction cases (the ministry side,
council and auditor read-only, the institution its own). The lead institution's applicants write reports,
request a stop or goal change, give their statement on a proposed sanction and object once; the ministry side
(never a read-only role) requests stops, forms panels, records results, reviews reports and decides sanctions.
"""

from __future__ import annotations

from doyak.accounts.rules import (
    Actor,
    is_applicant_of,
    is_ministry,
    is_read_only,
    is_signed_in,
    is_system,
    reads_as_ministry,
)
from doyak.agreements.enums import IN_FORCE
from doyak.agreements.rules import can_view_agreement, is_institution_of, is_lead_applicant_of

from .enums import OWED_REPORT_STATUSES, EvaluationStatus, ReportStatus, SanctionCaseStatus


def can_manage_execution(user: Actor) -> bool:
    return is_ministry(user) and not is_read_only(user)


def reads_all_execution(user: Actor) -> bool:
    return reads_as_ministry(user)


def sees_panel_grades(user: Actor) -> bool:
    """Each panel member's own grade is for the ministry side (read-only roles included), never the
    institution's or another evaluator's to read."""
    return reads_all_execution(user)


def can_view_execution(user: Actor, agreement) -> bool:
    return can_view_agreement(user, agreement)


def can_request_stop(user: Actor, agreement) -> bool:
    return agreement.status in IN_FORCE and (is_lead_applicant_of(user, agreement) or can_manage_execution(user))


def can_edit_report(user: Actor, report) -> bool:
    return report.status in OWED_REPORT_STATUSES and is_lead_applicant_of(user, report.agreement)


def can_review_report(user: Actor, report) -> bool:
    return report.status == ReportStatus.SUBMITTED and can_manage_execution(user)


def can_run_evaluation(user: Actor, evaluation) -> bool:
    return evaluation.status in (EvaluationStatus.PENDING, EvaluationStatus.PANEL) and can_manage_execution(user)


def is_panel_member(user: Actor, evaluation) -> bool:
    """An evaluator on the evaluation's panel (through the evaluator profile's sign-in)."""
    return (is_signed_in(user) and getattr(user, "pk", None) is not None
            and evaluation.panel.filter(profile__user_id=user.pk).exists())


def can_view_evaluation(user: Actor, evaluation) -> bool:
    """Whoever reads the agreement, and the panel's own evaluators (only their own evaluations)."""
    return can_view_execution(user, evaluation.agreement) or is_panel_member(user, evaluation)


def can_grade_evaluation(user: Actor, evaluation) -> bool:
    """A panel member enters their own grade while the panel sits; the system only for a panel that met
    outside the application (seeds, imports), naming the member."""
    return evaluation.status == EvaluationStatus.PANEL and (is_panel_member(user, evaluation) or is_system(user))


def can_view_sanction(user: Actor, case) -> bool:
    return reads_all_execution(user) or is_institution_of(user, case.agreement)


def can_give_statement(user: Actor, case) -> bool:
    return case.status == SanctionCaseStatus.PROPOSED and is_applicant_of(user, case.organization_id)


def can_decide_sanction(user: Actor, case) -> bool:
    return case.status == SanctionCaseStatus.PROPOSED and can_manage_execution(user)


def can_object(user: Actor, case) -> bool:
    return (case.status == SanctionCaseStatus.DECIDED and not case.objection_at
            and is_applicant_of(user, case.organization_id))


def can_answer_objection(user: Actor, case) -> bool:
    return case.status == SanctionCaseStatus.OBJECTED and can_manage_execution(user)
