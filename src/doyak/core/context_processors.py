"""Navigation for the signed-in user's role: the main menu (``nav_items``: the role's own work) and, under
"More" (``nav_more``), the role's entries beyond ``MAIN_MENU_LIMIT`` and the reference and account pages every role
shares, so the menu stays on one line at 1280 px in Korean and English (KRDS main menu with a submenu)."""

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
    # an evaluator's own stage, final and special evaluation seats (execution panels)
    (_("My project evaluations"), "execution:my_evaluations", frozenset({Role.EVALUATOR})),
    (_("Portfolio"), "portfolio:home", frozenset({Role.PROGRAM_MANAGER, Role.COUNCIL_MEMBER, Role.ADMINISTRATOR})),
    # the others reach agreements from the research-funds pages (their menus are full)
    (_("Agreements"), "agreements:list", frozenset({Role.COUNCIL_MEMBER})),
    (_("Project execution"), "execution:queue", frozenset({Role.PROGRAM_MANAGER, Role.COUNCIL_MEMBER, Role.AUDITOR,
                                                          Role.ADMINISTRATOR})),
    (_("Research funds"), "finance:home", frozenset({Role.APPLICANT, Role.PROGRAM_MANAGER, Role.AUDITOR,
                                                    Role.ADMINISTRATOR})),
    (_("M.AX assets"), "max:list", frozenset({Role.APPLICANT, Role.PROGRAM_MANAGER, Role.ADMINISTRATOR,
                                              Role.COUNCIL_MEMBER, Role.AUDITOR})),
    (_("Regulation innovation"), "regulation:registry", frozenset({Role.REGULATION_LIAISON, Role.COUNCIL_MEMBER,
                                                                  Role.PROGRAM_MANAGER, Role.ADMINISTRATOR})),
    (_("KPI board"), "kpi:board", ALL_ROLES),
    (_("Innovation capacity"), "capacity:home", frozenset({Role.PROGRAM_MANAGER, Role.ADMINISTRATOR, Role.INVESTOR,
                                                           Role.COUNCIL_MEMBER, Role.AUDITOR, Role.APPLICANT})),
]
# The main menu holds at most this many entries (Home included), so that it stays on one line at 1280 px in
# English, the longer language; the role's other entries lead its "More" submenu. Which entries stay is the role's
# own work first (PRIMARY, most important first), then the order above.
MAIN_MENU_LIMIT = 8
PRIMARY = {
    Role.COUNCIL_MEMBER: ("kpi:board", "portfolio:home", "regulation:registry"),
    Role.AUDITOR: ("core:audit", "finance:home", "execution:queue"),
    Role.REGULATION_LIAISON: ("regulation:registry",),
    Role.INVESTOR: ("capacity:home",),
}


def _url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    entries = [(label, name) for label, name, roles in DOMAIN_ENTRIES if user.role in roles or user.is_superuser]
    if can_view_audit_log(user) and user.role == Role.AUDITOR:
        entries.append((_("Audit log"), "core:audit"))  # the auditor's own work: in the main menu
    entries = [(label, name) for label, name in entries if _url(name) is not None]
    primary = PRIMARY.get(user.role, ())
    ranked = sorted(range(len(entries)), key=lambda i: (
        primary.index(entries[i][1]) if entries[i][1] in primary else len(primary), i))
    kept = set(ranked[:MAIN_MENU_LIMIT - 1])
    items = [(_("Home"), _url("core:home"))] + [(label, _url(name)) for i, (label, name) in enumerate(entries)
                                                 if i in kept]
    more = [(label, _url(name)) for i, (label, name) in enumerate(entries) if i not in kept]
    if sees_all_organizations(user):
        more.append((_("Organizations"), _url("organizations:list")))
    elif user.organization_id:
        more.append((_("My organization"), _url("organizations:detail", user.organization_id)))
    more.append((_("Researchers"), _url("organizations:researchers")))
    more.append((_("Policies"), _url("policies:list")))
    if can_manage_users(user):
        more.append((_("Users"), _url("accounts:users")))
    if can_view_audit_log(user) and user.role != Role.AUDITOR:
        more.append((_("Audit log"), _url("core:audit")))  # for the administrator, one of the reference pages
    more.append((_("API tokens"), _url("accounts:tokens")))
    path = request.path

    def marked(entries):
        return [(label, url, url == path or (url != "/" and path.startswith(url))) for label, url in entries
                if url is not None]

    nav_more = marked(more)
    return {"nav_items": marked(items), "nav_more": nav_more, "nav_more_current": any(c for _l, _u, c in nav_more)}
