"""Navigation for the signed-in user's role."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from doyak.accounts.rules import can_view_audit_log, sees_all_organizations


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [(_("Home"), reverse("core:home"))]
    if sees_all_organizations(user):
        items.append((_("Organizations"), reverse("organizations:list")))
        items.append((_("Researchers"), reverse("organizations:researchers")))
    elif user.organization_id:
        items.append((_("My organization"), reverse("organizations:detail", args=[user.organization_id])))
        items.append((_("Researchers"), reverse("organizations:researchers")))
    items.append((_("Policies"), reverse("policies:list")))
    if can_view_audit_log(user):
        items.append((_("Audit log"), reverse("core:audit")))
    items.append((_("API tokens"), reverse("accounts:tokens")))
    path = request.path
    return {"nav_items": [(label, url, url == path or (url != "/" and path.startswith(url))) for label, url in items]}
