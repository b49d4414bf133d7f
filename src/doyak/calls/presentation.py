"""What the call screens compute only for display: codes the call stores, as the labels people read."""

from __future__ import annotations

from doyak.core.labels import choice_labels
from doyak.organizations.enums import OrganizationType
from doyak.proposals.enums import AttachmentKind
from doyak.regions.models import Region

from .models import Call


def region_names(codes) -> list[str]:
    """Province names of region codes (the latest name of each code), in the order given."""
    names: dict[str, str] = {}
    for region in Region.objects.filter(code__in=list(codes or [])).order_by("code", "valid_from"):
        names[region.code] = region.name
    return [names.get(code, code) for code in codes or []]


def call_facts(call: Call) -> dict[str, str]:
    """The call's eligible regions, organization types and required documents as text ("" when any)."""
    return {
        "regions": ", ".join(region_names(call.eligible_region_codes)),
        "org_types": ", ".join(choice_labels(OrganizationType, call.eligible_org_types)),
        "documents": ", ".join(choice_labels(AttachmentKind, call.required_documents)),
    }
