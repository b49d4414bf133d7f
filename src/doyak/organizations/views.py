from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from doyak.accounts.rules import is_administrator
from doyak.core.errors import AccessDenied, ValidationFailed
from doyak.core.pagination import page_of
from doyak.regions.enums import RegionGroup

from .enums import CareerStage, OrganizationType
from .forms import OrganizationAdminForm, OrganizationMemberForm
from .rules import can_change_organization
from .selectors import (
    organization_get_for_user_or_raise,
    organization_list_for_user,
    researcher_list_for_user,
)
from .services import organization_update


@login_required
def organization_list(request):
    filters = {k: request.GET.get(k, "").strip() for k in ("q", "org_type", "region_group")}
    qs = organization_list_for_user(user=request.user, **filters)
    page_obj = page_of(request, qs)
    return render(request, "organizations/list.html", {
        "page_obj": page_obj, "filters": filters, "org_types": OrganizationType.choices,
        "region_groups": [("non_capital", _("Non-capital"))] + list(RegionGroup.choices),
    })


@login_required
def organization_detail(request, organization_id: int):
    organization = organization_get_for_user_or_raise(user=request.user, organization_id=organization_id)
    researchers = organization.researchers.order_by("name")[:50]
    return render(request, "organizations/detail.html", {
        "organization": organization, "researchers": researchers,
        "can_change": can_change_organization(request.user, organization),
    })


@login_required
def organization_edit(request, organization_id: int):
    organization = organization_get_for_user_or_raise(user=request.user, organization_id=organization_id)
    if not can_change_organization(request.user, organization):
        raise AccessDenied(_("You may not change this organization."), code="organization_forbidden")
    is_admin = is_administrator(request.user)
    form_class = OrganizationAdminForm if is_admin else OrganizationMemberForm
    form = form_class(request.POST or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        try:
            organization_update(actor=request.user, organization_id=organization.pk, data={
                name: form.cleaned_data[name] for name in form.changed_data
            })
        except ValidationFailed as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("Saved."))
            return redirect("organizations:detail", organization.pk)
    return render(request, "organizations/edit.html", {"organization": organization, "form": form})


@login_required
def researcher_list(request):
    filters = {k: request.GET.get(k, "").strip() for k in ("q", "career_stage")}
    qs = researcher_list_for_user(user=request.user, **filters)
    page_obj = page_of(request, qs)
    return render(request, "organizations/researchers.html", {
        "page_obj": page_obj, "filters": filters, "career_stages": CareerStage.choices,
    })
