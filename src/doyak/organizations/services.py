"""Writes for organisations and researchers. Atomic, permission-checked, audited."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from doyak.accounts.rules import Actor, is_administrator
from doyak.core.audit import audit_record, changed_fields, model_snapshot
from doyak.core.errors import AccessDenied, NotFound, ValidationFailed
from doyak.core.labels import audit_actions_register

from .models import Organization
from .rules import can_change_organization

# Fields an organisation's own members may change; the rest is the administrator's.
MEMBER_EDITABLE_FIELDS = ("name", "name_en", "corporate_group")
ADMIN_EDITABLE_FIELDS = MEMBER_EDITABLE_FIELDS + (
    "org_type", "region", "is_demand_anchor", "indirect_cost_rate", "self_settlement_eligible",
)


AUDIT_ACTIONS = audit_actions_register({
    "organization.update": gettext_lazy("Organization changed"),
})


@transaction.atomic
def organization_update(*, actor: Actor, organization_id: int, data: dict[str, Any]) -> Organization:
    """Change an organisation's editable fields; refuses fields the actor may not touch."""
    organization = Organization.objects.select_for_update().filter(pk=organization_id).first()
    if organization is None:
        raise NotFound(_("Organization not found."), code="organization_not_found")
    if not can_change_organization(actor, organization):
        raise AccessDenied(_("You may not change this organization."), code="organization_forbidden")
    allowed = ADMIN_EDITABLE_FIELDS if is_administrator(actor) else MEMBER_EDITABLE_FIELDS
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValidationFailed(_("Field %(field)s cannot be changed here.") % {"field": unknown[0]}, code="field_not_editable", field=unknown[0])
    before = model_snapshot(organization, data.keys())
    for key, value in data.items():
        if key == "indirect_cost_rate" and value is not None:
            value = Decimal(str(value))
        setattr(organization, key if key != "region" else "region_id", value if key != "region" else getattr(value, "pk", value))
    try:
        organization.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ValidationFailed(messages[0], field=field) from exc
    organization.save()
    changes = changed_fields(before, model_snapshot(organization, data.keys()))
    if changes:
        audit_record(actor=actor, action="organization.update", obj=organization, changes=changes)
    return organization
