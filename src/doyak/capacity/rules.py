"""Who may do what with innovation-capacity records, composed of the shared predicates (doyak.accounts.rules).

- Demand surveys: the ministry side opens, closes and carries topics into calls and sees every answer; an
  investor, or an applicant of a demand-anchor company, answers for their organisation and sees only their
  organisation's answers (never another investor's amount, nor the sums); read-only roles read as the ministry.
- The fund: the ministry side keeps funds, commitments, investments, follow-ons and exits; an investor reads
  and records those of the funds their organisation manages; read-only roles read everything.
- Talent: the ministry side reads careers and counts, accepts stage suggestions, forms the star-engineer panel
  and decides; an applicant nominates a researcher of their own institution and reads its nominations.
- Joint labs and graduate schools: registered by the ministry side, read by everyone signed in.
"""

from __future__ import annotations

from doyak.accounts.enums import Role
from doyak.accounts.rules import (
    Actor,
    belongs_to,
    has_role,
    is_applicant,
    is_applicant_of,
    is_ministry,
    is_signed_in,
    reads_as_ministry,
)


def is_investor(user: Actor | None) -> bool:
    """An investor (their firm is their organisation; one without a firm reads lists and sees nothing of anyone's)."""
    return has_role(user, Role.INVESTOR) and not user.is_superuser


def is_firm_investor(user: Actor | None) -> bool:
    return is_investor(user) and bool(user.organization_id)


def is_demand_anchor_applicant(user: Actor | None) -> bool:
    if not (is_applicant(user) and user.organization_id):
        return False
    from doyak.organizations.models import Organization

    return Organization.objects.filter(pk=user.organization_id, is_demand_anchor=True).exists()


# ---------------------------------------------------------------------------------------------- surveys
def can_manage_surveys(user: Actor | None) -> bool:
    return is_ministry(user)


def can_view_surveys(user: Actor | None) -> bool:
    return reads_as_ministry(user) or is_investor(user) or is_demand_anchor_applicant(user)


def can_view_all_demand(user: Actor | None) -> bool:
    """Sums, counts, every respondent and amount: the ministry side and read-only roles only."""
    return reads_as_ministry(user)


def can_answer_survey(user: Actor | None) -> bool:
    return is_firm_investor(user) or is_demand_anchor_applicant(user)


# ---------------------------------------------------------------------------------------------- fund
def can_manage_funds(user: Actor | None) -> bool:
    return is_ministry(user)


def can_view_funds(user: Actor | None) -> bool:
    return reads_as_ministry(user) or is_investor(user)


def can_view_fund(user: Actor | None, fund) -> bool:
    return reads_as_ministry(user) or (is_firm_investor(user) and belongs_to(user, fund.manager_id))


def can_record_for_fund(user: Actor | None, fund) -> bool:
    """Commitments, investments, follow-ons and exits: the ministry side, or an investor of the fund's manager."""
    return is_ministry(user) or (is_firm_investor(user) and belongs_to(user, fund.manager_id))


# ---------------------------------------------------------------------------------------------- talent
def can_view_talent(user: Actor | None) -> bool:
    return reads_as_ministry(user)


def can_manage_talent(user: Actor | None) -> bool:
    return is_ministry(user)


def can_nominate(user: Actor | None, organization_id: int | None = None) -> bool:
    if organization_id is None:
        return is_applicant(user) and bool(user.organization_id)
    return is_applicant_of(user, organization_id)


def can_add_career_record(user: Actor | None, organization_id: int | None = None) -> bool:
    """The doctorate's date or a position: the ministry side, or an applicant of the researcher's institution
    (without an institution named: an applicant of any institution, who is then checked per researcher)."""
    return can_manage_talent(user) or can_nominate(user, organization_id)


def is_panel_member(user: Actor | None, nomination) -> bool:
    """A reviewer on the nomination's panel (through their evaluator profile)."""
    return (is_signed_in(user) and not user.is_superuser
            and nomination.panel.filter(profile__user_id=user.pk).exists())


def can_view_nomination(user: Actor | None, nomination) -> bool:
    return reads_as_ministry(user) or belongs_to(user, nomination.organization_id) or is_panel_member(user, nomination)


def can_view_panel_opinions(user: Actor | None) -> bool:
    """Every member's opinion: the ministry side and read-only roles (a member sees only their own)."""
    return reads_as_ministry(user)


# ---------------------------------------------------------------------------------------------- registries
def can_view_registries(user: Actor | None) -> bool:
    return is_signed_in(user)


def can_manage_registries(user: Actor | None) -> bool:
    return is_ministry(user)
