"""What the call screens compute only for display: codes the call stores, as the labels people read."""

from __future__ import annotations

from doyak.core.labels import choice_labels
from doyak.organizations.enums import OrganizationType
from doyak.proposals.enums import AttachmentKind
from doyak.regions.presentation import region_names

from .models import Call


def call_facts(call: Call) -> dict[str, str]:
    """The call's eligible regions, organization types and required documents as text ("" when any)."""
    return {
        "regions": ", ".join(region_names(call.eligible_region_codes)),
        "org_types": ", ".join(choice_labels(OrganizationType, call.eligible_org_types)),
        "documents": ", ".join(choice_labels(AttachmentKind, call.required_documents)),
    }
