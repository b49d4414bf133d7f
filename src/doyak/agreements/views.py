"""Agreement pages: the project page (versions, compare, signing, change requests, ledger link), the change
request page, the printable agreement and the program manager's queue. Thin: parse, check the rule, call."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from doyak.core.errors import AccessDenied, DoyakError
from doyak.core.pagination import page_of
from doyak.core.params import int_param

from .documents import agreement_pdf
from .enums import AgreementStatus, ChangeStatus, SignatureSide
from .forms import ORGANIZATION_MATCHES_MAX, ChangeForms, DecisionForm, OrganizationSearchForm
from .models import Signature
from .presentation import difference_rows, item_rows, organization_names
from .rules import (
    agreement_organization_ids,
    can_edit_change,
    can_manage_agreements,
    can_propose_change,
    can_sign_as_institution,
    can_sign_as_manager,
    is_read_only,
    reads_all_agreements,
)
from .selectors import (
    agreement_get_for_user_or_raise,
    agreement_list_for_user,
    change_get_for_user_or_raise,
    change_list_for_user,
    change_queue,
    is_overdue,
    organization_matches,
    version_get_or_raise,
    version_list,
    versions_compare,
)
from .services import agreement_sign, change_propose, change_transition, change_update
from .workflow import Owner, transitions_from


@login_required
def agreement_list(request):
    q = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("status", "")
    status = status if status in AgreementStatus.values else ""
    page_obj = page_of(request, agreement_list_for_user(user=request.user, q=q, status=status))
    return render(request, "agreements/list.html", {
        "page_obj": page_obj, "agreements": page_obj.object_list, "q": q, "status": status,
        "statuses": AgreementStatus.choices, "queue": reads_all_agreements(request.user)})


@login_required
def detail(request, agreement_id: int):
    agreement = agreement_get_for_user_or_raise(user=request.user, agreement_id=agreement_id)
    versions = list(version_list(agreement=agreement))
    numbers = [v.number for v in versions]
    before = int_param(request.GET, "a", default=None) if len(numbers) > 1 else None
    after = int_param(request.GET, "b", default=None) if len(numbers) > 1 else None
    compared = None
    if before in numbers and after in numbers:
        terms = [v.terms for v in versions if v.number in (before, after)]
        compared = difference_rows(versions_compare(agreement=agreement, before=before, after=after),
                                   organizations=organization_names(*terms))
    signatures = {s.side: s for s in Signature.objects.filter(agreement=agreement).select_related("signed_by")}
    return render(request, "agreements/detail.html", {
        "agreement": agreement, "versions": versions, "version_in_force": versions[-1] if versions else None,
        "compare_a": before if before in numbers else (numbers[-2] if len(numbers) > 1 else None),
        "compare_b": after if after in numbers else (numbers[-1] if numbers else None),
        "compared": compared, "changes": change_list_for_user(user=request.user, agreement=agreement),
        "can_propose": can_propose_change(request.user, agreement),
        "can_sign": can_sign_as_institution(request.user, agreement) or can_sign_as_manager(request.user, agreement),
        "signatures": [(label, signatures.get(side)) for side, label in SignatureSide.choices],
        "budgets": agreement.budgets.select_related("organization").order_by("year", "organization", "category"),
        "parties": agreement.parties.select_related("organization").order_by("role", "organization__name"),
        "researchers": agreement.researchers.select_related("researcher"),
        "goals": agreement.goals.all(), "kpis": agreement.kpis.all(), "stages": agreement.stages.all(),
        "read_only": is_read_only(request.user),
    })


@login_required
@require_POST
def sign(request, agreement_id: int):
    agreement_get_for_user_or_raise(user=request.user, agreement_id=agreement_id)
    agreement_sign(actor=request.user, agreement_id=agreement_id)
    messages.success(request, _("Signed."))
    return redirect("agreements:detail", agreement_id)


@login_required
def version_pdf(request, agreement_id: int, number: int):
    agreement = agreement_get_for_user_or_raise(user=request.user, agreement_id=agreement_id)
    version = version_get_or_raise(agreement=agreement, number=number)
    response = HttpResponse(agreement_pdf(agreement=agreement, version=version), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{agreement.number}-v{number}.pdf"'
    return response


@login_required
@require_POST
def change_new(request, agreement_id: int):
    agreement_get_for_user_or_raise(user=request.user, agreement_id=agreement_id)
    change = change_propose(actor=request.user, agreement_id=agreement_id)
    return redirect("agreements:change", change.pk)


@login_required
def change_detail(request, change_id: int):
    change = change_get_for_user_or_raise(user=request.user, change_id=change_id)
    agreement = change.agreement
    editable = can_edit_change(request.user, change)
    form, search, found, more = None, None, [], False
    if editable:
        people_orgs = agreement_organization_ids(agreement)
        if request.method == "POST" and request.POST.get("find") == "1":
            # the institution search: the page comes back as it was typed, the matches added to its choices
            search = OrganizationSearchForm(request.POST)
            if search.is_valid():
                found, more = organization_matches(q=search.cleaned_data["find_q"], limit=ORGANIZATION_MATCHES_MAX)
            form = ChangeForms(request.POST, terms=change.proposed_terms, organization_ids=people_orgs,
                               effective_date=change.effective_date, found=found)
        elif request.method == "POST":
            form = ChangeForms(request.POST, terms=change.proposed_terms, organization_ids=people_orgs,
                               effective_date=change.effective_date)
            if form.is_valid():
                try:
                    change = change_update(actor=request.user, change_id=change.pk, edits=form.edits(),
                                           reason=form.main.cleaned_data["reason"])
                    if request.POST.get("submit") == "1":
                        change = change_transition(actor=request.user, change_id=change.pk, name="submit")
                        messages.success(request, _("Applied: a notice takes effect on submission.")
                                         if change.status == ChangeStatus.APPLIED
                                         else _("Submitted: the program manager decides before it takes effect."))
                    else:
                        messages.success(request, _("Draft of the request saved."))
                    return redirect("agreements:change", change.pk)
                except DoyakError as error:
                    messages.error(request, str(error.message))
        else:
            form = ChangeForms(terms=change.proposed_terms, organization_ids=people_orgs,
                               effective_date=change.effective_date)
            form.main.initial["reason"] = change.reason
    elif request.method == "POST":
        raise AccessDenied(_("You may not edit this change request."), code="change_forbidden")
    manager = can_manage_agreements(request.user) and not is_read_only(request.user)
    decisions = [t for t in transitions_from(change.status) if t.owner == Owner.MANAGER] if manager else []
    organizations = organization_names(change.proposed_terms)
    base = version_get_or_raise(agreement=agreement, number=change.base_version)
    preview = None
    if editable:
        from .services import change_items

        preview = item_rows(change_items(before=base.terms, after=change.proposed_terms),
                            organizations=organizations | organization_names(base.terms))
    return render(request, "agreements/change.html", {
        "change": change, "agreement": agreement, "form": form, "editable": editable,
        "items": item_rows(change.items, organizations=organizations) if change.items and not editable else preview,
        "decisions": decisions, "decision_form": DecisionForm(), "overdue": is_overdue(change),
        "search": search or OrganizationSearchForm(), "found": found, "more_found": more,
        "matches_max": ORGANIZATION_MATCHES_MAX,
    })


@login_required
@require_POST
def change_transition_view(request, change_id: int, name: str):
    change_get_for_user_or_raise(user=request.user, change_id=change_id)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        change = change_transition(actor=request.user, change_id=change_id, name=name, note=note)
    except DoyakError as error:
        if error.http_status in (403, 404):
            raise
        messages.error(request, str(error.message))
        return redirect("agreements:change", change_id)
    messages.success(request, _("Saved: %(status)s.") % {"status": change.get_status_display()})
    return redirect("agreements:change", change_id)


@login_required
def queue(request):
    if not reads_all_agreements(request.user):
        raise AccessDenied(_("Only the ministry side sees the change queue."), code="queue_forbidden")
    page_obj = page_of(request, change_queue(user=request.user))
    rows = [(c, is_overdue(c)) for c in page_obj.object_list]
    return render(request, "agreements/queue.html", {"page_obj": page_obj, "rows": rows,
                                                     "overdue": sum(1 for _c, late in rows if late)})
