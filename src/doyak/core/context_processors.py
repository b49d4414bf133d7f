"""Navigation for the signed-in user's role."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from doyak.accounts.enums import Role
from doyak.accounts.rules import can_manage_users, can_view_audit_log, sees_all_organizations

ALL_ROLES = frozenset(Role)
# (label, URL name, roles that see the entry). Entries whose URL is not (yet) defined are skipped.
DOMAIN_ENTRIES = [
    (_("Calls"), "calls:list", ALL_ROLES),
    (_("Proposals"), "proposals:list", frozenset({Role.APPLICANT, Role.PROGRAM_MANAGER, Role.ADMINISTRATOR,
                                                 Role.AUDITOR})),
    (_("Evaluation"), "evaluation:home", frozenset({Role.EVALUATOR, Role.PROGRAM_MANAGER, Role.ADMINISTRATOR})),
    (_("Portfolio"), "portfolio:home", frozenset({Role.PROGRAM_MANAGER, Role.COUNCIL_MEMBER, Role.ADMINISTRATOR})),
    # the others reach agreements from the research-funds pages (their menus are full)
    (_("Agreements"), "agreements:list", frozenset({Role.COUNCIL_MEMBER})),
    (_("Project execution"), "execution:queue", frozenset({Role.PROGRAM_MANAGER, Role.COUNCIL_MEMBER, Role.AUDITOR,
                                                          Role.ADMINISTRATOR})),
    (_("Research funds"), "finance:home", frozenset({Role.APPLICANT, Role.PROGRAM_MANAGER, Role.AUDITOR,
                                                    Role.ADMINISTRATOR})),
    (_("M.AX assets"), "max:list", frozenset({Role.APPLICANT, Role.PROGRAM_MANAGER, Role.ADMINISTRATOR,
                                              Role.COUNCIL_MEMBER, Role.AUDITOR})),
    (_("KPI board"), "kpi:board", ALL_ROLES),
    (_("Innovation capacity"), "capacity:home", frozenset({Role.PROGRAM_MANAGER, Role.ADMINISTRATOR, Role.INVESTOR,
                                                           Role.COUNCIL_MEMBER, Role.AUDITOR, Role.APPLICANT})),
]


def _url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [(_("Home"), _url("core:home"))]
    items += [(label, _url(name)) for label, name, roles in DOMAIN_ENTRIES if user.role in roles or user.is_superuser]
    if sees_all_organizations(user):
        items.append((_("Organizations"), _url("organizations:list")))
    elif user.organization_id:
        items.append((_("My organization"), _url("organizations:detail", user.organization_id)))
    items.append((_("Researchers"), _url("organizations:researchers")))
    items.append((_("Policies"), _url("policies:list")))
    if can_manage_users(user):
        items.append((_("Users"), _url("accounts:users")))
    if can_view_audit_log(user):
        items.append((_("Audit log"), _url("core:audit")))
    items.append((_("API tokens"), _url("accounts:tokens")))
    path = request.path
    return {
        "nav_items": [
            (label, url, url == path or (url != "/" and path.startswith(url))) for label, url in items if url is not None
        ]
    }
