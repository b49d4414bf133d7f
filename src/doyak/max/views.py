from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from doyak.core.errors import AccessDenied, DoyakError
from doyak.core.pagination import page_of
from doyak.regions.enums import RegionGroup

from .enums import AssetKind, AssetStatus
from .forms import AssetRegisterForm, EvidenceForm, VerifyForm
from .models import Asset
from .rules import can_add_evidence, can_register_any_asset, can_verify_asset, can_view_evidence
from .selectors import (
    asset_get_for_user_or_raise,
    asset_list_for_user,
    evidence_get_for_user_or_raise,
    linkable_projects_for_user,
)
from .services import asset_evidence_add, asset_register, asset_verify


def _choice(value: str, choices) -> str:
    return value if value in choices else ""


@login_required
def asset_list(request):
    kind = _choice(request.GET.get("kind", ""), AssetKind.values)
    status = _choice(request.GET.get("status", ""), AssetStatus.values)
    group = _choice(request.GET.get("group", ""), RegionGroup.values)
    q = request.GET.get("q", "").strip()[:100]
    page_obj = page_of(request, asset_list_for_user(user=request.user, kind=kind, status=status, region_group=group,
                                                    q=q))
    return render(request, "max/list.html", {
        "assets": page_obj.object_list, "page_obj": page_obj, "kind": kind, "status": status, "group": group, "q": q,
        "kinds": AssetKind.choices, "statuses": AssetStatus.choices, "groups": RegionGroup.choices,
        "can_register": can_register_any_asset(request.user),
    })


@login_required
def asset_register_view(request):
    if not can_register_any_asset(request.user):
        raise AccessDenied(_("Only an institution's applicants register its assets."), code="asset_forbidden")
    projects = list(linkable_projects_for_user(user=request.user)[:200])
    form = AssetRegisterForm(request.POST or None, projects=projects)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            asset = asset_register(actor=request.user, organization_id=request.user.organization_id, **data)
        except DoyakError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Registered. Add the evidence; the asset counts once it is verified."))
            return redirect("max:detail", asset.pk)
    return render(request, "max/register.html", {"form": form, "has_projects": bool(projects)})


@login_required
def asset_detail(request, asset_id: int):
    asset = asset_get_for_user_or_raise(user=request.user, asset_id=asset_id)
    evidence = list(asset.evidence.all()) if can_view_evidence(request.user, asset) else None
    return render(request, "max/detail.html", {
        "asset": asset, "evidence": evidence, "projects": [link.proposal for link in asset.project_links.all()],
        "evidence_form": EvidenceForm() if can_add_evidence(request.user, asset) else None,
        "verify_form": VerifyForm(initial={"achieved_date": asset.achieved_date or asset.planned_date})
        if can_verify_asset(request.user, asset) else None,
    })


@login_required
@require_POST
def evidence_upload(request, asset_id: int):
    # permission before state: refused alike whether or not the asset is one the user may see
    asset = Asset.objects.filter(pk=asset_id).first()
    if asset is None:
        raise Http404
    if not can_add_evidence(request.user, asset):
        raise AccessDenied(_("You may not add evidence to this asset."), code="asset_evidence_forbidden")
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to upload."))
        return redirect("max:detail", asset.pk)
    upload = form.cleaned_data["file"]
    try:
        asset_evidence_add(actor=request.user, asset_id=asset.pk, name=upload.name, content=upload.read())
    except DoyakError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Evidence added."))
    return redirect("max:detail", asset.pk)


@login_required
def evidence_download(request, asset_id: int, evidence_id: int):
    item = evidence_get_for_user_or_raise(user=request.user, asset_id=asset_id, evidence_id=evidence_id)
    return FileResponse(item.file.open("rb"), content_type=item.content_type, as_attachment=True,
                        filename=item.original_name)


@login_required
@require_POST
def asset_verify_view(request, asset_id: int):
    if not can_verify_asset(request.user):
        raise AccessDenied(_("Only the ministry side verifies assets."), code="asset_verify_forbidden")
    asset = asset_get_for_user_or_raise(user=request.user, asset_id=asset_id)
    form = VerifyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision."))
        return redirect("max:detail", asset.pk)
    data = form.cleaned_data
    try:
        asset_verify(actor=request.user, asset_id=asset.pk, accept=data["decision"] == "verify", note=data["note"],
                     achieved_date=data["achieved_date"])
    except DoyakError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, pgettext("max asset", "Decision saved."))
    return redirect("max:detail", asset.pk)
