"""Screens: the applicant's step-by-step proposal form (drafts saved at every step, a budget table that sums
and checks as you type), the program manager's filtered list, a proposal's detail, and the import screen."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from doyak.calls.models import Call
from doyak.calls.selectors import call_get_for_user_or_raise, call_list_for_user
from doyak.core.errors import AccessDenied, DoyakError
from doyak.core.pagination import page_of
from doyak.core.params import parse_int
from doyak.organizations.enums import OrganizationType
from doyak.organizations.models import Organization, Researcher
from doyak.programs.enums import Track
from doyak.regions.enums import RegionGroup

from .enums import CostCategory, MemberRole, ProposalStatus, SanctionKind
from .forms import (
    AttachmentForm,
    BasicsForm,
    ImportForm,
    InvestorLetterForm,
    KpiForm,
    MemberForm,
    ProposalStartForm,
    RegulationForm,
    RippleForm,
    SanctionForm,
    TeamMemberForm,
)
from .imports import ImportFailed, organizations_import, proposals_import
from .models import ConsortiumMember, TeamMember
from .presentation import SOURCES, budget_grid, budget_summary_rows, consortium_notes, team_notes, team_rows
from .rules import (
    can_create_proposal,
    can_edit_proposal,
    can_import,
    can_record_sanction,
    can_trigger,
    can_view_history,
)
from .selectors import (
    HISTORY_LIMIT,
    proposal_get_for_user_or_raise,
    proposal_history_for_user_or_raise,
    proposal_list_for_user,
    sanction_list_for_user,
)
from .services import (
    budget_lines_parse,
    project_months,
    proposal_attachment_add,
    proposal_budget_set,
    proposal_create,
    proposal_investor_letter_add,
    proposal_kpi_add,
    proposal_member_add,
    proposal_part_remove,
    proposal_regulation_add,
    proposal_ripple_add,
    proposal_team_member_add,
    proposal_transition,
    proposal_update,
    sanction_record,
)
from .validation import proposal_check, violation_for_display
from .workflow import TRANSITIONS, transitions_from

STEPS = [
    ("basics", gettext_lazy("Basics")),
    ("consortium", gettext_lazy("Consortium")),
    ("team", gettext_lazy("Team")),
    ("budget", gettext_lazy("Budget")),
    ("ripple", gettext_lazy("Ripple and KPIs")),
    ("extras", gettext_lazy("Regulations, investors, files")),
    ("review", gettext_lazy("Review and submit")),
]
STEP_NAMES = [name for name, _label in STEPS]


# --------------------------------------------------------------------------------------------
# List, create, detail
# --------------------------------------------------------------------------------------------

FILTER_KEYS = ("q", "call", "status", "track", "region_group", "org_type", "order")


def _filters(request) -> dict:
    raw = {k: request.GET.get(k, "").strip() for k in FILTER_KEYS}
    return raw


@login_required
def proposal_list(request):
    raw = _filters(request)
    call_id = parse_int(raw["call"], "call")
    qs = proposal_list_for_user(user=request.user, q=raw["q"], call_id=call_id, status=raw["status"],
                                track=raw["track"], region_group=raw["region_group"], org_type=raw["org_type"],
                                order=raw["order"])
    page_obj = page_of(request, qs)
    statuses = ProposalStatus.choices if request.user.role == "applicant" else [
        c for c in ProposalStatus.choices if c[0] != ProposalStatus.DRAFT]
    context = {
        "page_obj": page_obj, "filters": raw, "statuses": statuses, "tracks": Track.choices,
        "org_types": OrganizationType.choices,
        "region_groups": [("non_capital", _("Non-capital"))] + list(RegionGroup.choices),
        "calls": Call.objects.exclude(status="draft").order_by("-opens_at").only("id", "reference", "title_ko",
                                                                                 "title_en")[:200],
        "orderings": [("-submitted_at", _("Newest submitted")), ("submitted_at", _("Oldest submitted")),
                      ("-gov_total_krw", _("Largest government funds")), ("gov_total_krw", _("Smallest government funds")),
                      ("reference", _("Proposal number"))],
        "can_create": can_create_proposal(request.user), "can_import": can_import(request.user),
        "can_record_sanction": can_record_sanction(request.user),
        "open_calls": call_list_for_user(user=request.user, accepting=True)[:10] if can_create_proposal(request.user) else [],
    }
    return render(request, "proposals/list.html", context)


@login_required
def proposal_start(request):
    if not can_create_proposal(request.user):
        raise AccessDenied(_("Only applicants with an organization may start a proposal."), code="proposal_forbidden")
    call_id = parse_int(request.GET.get("call") or request.POST.get("call"), "call")
    if not call_id:
        calls = call_list_for_user(user=request.user, accepting=True)
        return render(request, "proposals/start.html", {"calls": calls, "call": None, "form": None})
    call = call_get_for_user_or_raise(user=request.user, call_id=call_id)
    form = ProposalStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = proposal_create(actor=request.user, call_id=call.pk, data=form.cleaned_data)
        except DoyakError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("Draft saved. Continue step by step; every step saves the draft."))
            return redirect("proposals:edit", proposal.pk, "basics")
    return render(request, "proposals/start.html", {"call": call, "form": form, "calls": None})


def _violations(proposal, **kwargs) -> list[dict]:
    return [violation_for_display(v) for v in proposal_check(proposal=proposal, **kwargs)]


@login_required
def proposal_detail(request, proposal_id: int):
    proposal = proposal_get_for_user_or_raise(user=request.user, proposal_id=proposal_id)
    budget_rows = budget_summary_rows(proposal)
    transitions = [t for t in transitions_from(proposal.status, manual=True) if can_trigger(request.user, proposal, t)]
    history = (proposal_history_for_user_or_raise(user=request.user, proposal_id=proposal.pk)[:HISTORY_LIMIT]
               if can_view_history(request.user, proposal) else [])
    return render(request, "proposals/detail.html", {
        "proposal": proposal, "members": proposal.members.select_related("organization__region"),
        "team": proposal.team.select_related("researcher__organization"), "budget_rows": budget_rows,
        "ripple": proposal.ripple_commitments.select_related("region"), "kpis": proposal.kpi_targets.all(),
        "regulations": proposal.regulations.all(), "letters": proposal.investor_letters.all(),
        "attachments": proposal.attachments.all(), "transitions": transitions,
        "violations": _violations(proposal, at_submission=proposal.status == ProposalStatus.DRAFT),
        "can_edit": can_edit_proposal(request.user, proposal) and proposal.call.is_accepting(),
        "history": history,
    })


@login_required
@require_POST
def proposal_transition_view(request, proposal_id: int, name: str):
    proposal = proposal_get_for_user_or_raise(user=request.user, proposal_id=proposal_id)
    if name not in TRANSITIONS or not TRANSITIONS[name].manual:
        raise Http404
    try:
        proposal_transition(actor=request.user, proposal_id=proposal.pk, name=name, note=request.POST.get("note", ""))
    except DoyakError as exc:
        if exc.http_status == 403:
            raise
        messages.error(request, str(exc.message))
        if name == "submit":
            return redirect("proposals:edit", proposal.pk, "review")
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": TRANSITIONS[name].label})
        if name == "submit":  # the submission receipt (접수증) comes first after submitting
            return redirect("proposals:receipt", proposal.pk)
    return redirect("proposals:detail", proposal.pk)


@login_required
def proposal_receipt(request, proposal_id: int):
    """The submission receipt (접수증): proposal number and submission time (Asia/Seoul), printable."""
    proposal = proposal_get_for_user_or_raise(user=request.user, proposal_id=proposal_id)
    if proposal.status == ProposalStatus.DRAFT:  # not received yet: no receipt
        raise Http404
    return render(request, "proposals/receipt.html", {
        "proposal": proposal, "members": proposal.members.select_related("organization"),
        "issued_at": timezone.now()})


@login_required
def attachment_download(request, proposal_id: int, attachment_id: int):
    proposal = proposal_get_for_user_or_raise(user=request.user, proposal_id=proposal_id)
    attachment = proposal.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name,
                            content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --------------------------------------------------------------------------------------------
# The step-by-step form
# --------------------------------------------------------------------------------------------


def _editable_or_raise(request, proposal_id: int):
    proposal = proposal_get_for_user_or_raise(user=request.user, proposal_id=proposal_id)
    if not can_edit_proposal(request.user, proposal):
        if request.user.role == "applicant" and proposal.status != ProposalStatus.DRAFT:
            return proposal, False
        raise AccessDenied(_("You may not change this proposal."), code="proposal_forbidden")
    return proposal, True


def _parse_posted_budget(proposal, post):
    grid = budget_grid(proposal, posted=post)
    lines = None
    if not grid["cell_errors"]:
        lines = budget_lines_parse(grid["rows"])
    return grid, lines


PART_FORMS = {
    "members": (MemberForm, "consortium"),
    "team": (TeamMemberForm, "team"),
    "ripple": (RippleForm, "ripple"),
    "kpis": (KpiForm, "ripple"),
    "regulations": (RegulationForm, "extras"),
    "investor_letters": (InvestorLetterForm, "extras"),
    "attachments": (AttachmentForm, "extras"),
}


def _part_add(request, proposal, part: str, data: dict) -> None:
    actor, pid = request.user, proposal.pk
    if part == "members":
        org = Organization.objects.filter(business_registration_number=data["business_registration_number"]).first()
        proposal_member_add(actor=actor, proposal_id=pid, organization_id=org.pk if org else 0, role=data["role"])
    elif part == "team":
        researcher = Researcher.objects.filter(national_researcher_number=data["national_researcher_number"]).first()
        if not (proposal.start_date and proposal.end_date):
            from doyak.core.errors import ValidationFailed

            raise ValidationFailed(_("Enter the project period in Basics first."), code="period_missing", field="percent")
        proposal_team_member_add(actor=actor, proposal_id=pid, researcher_id=researcher.pk if researcher else 0,
                                 is_pi=data["is_pi"], monthly_percent=data["monthly_percent"])
    elif part == "ripple":
        proposal_ripple_add(actor=actor, proposal_id=pid, region_id=data["region"].pk,
                            investment_krw=data["investment_krw"], jobs=data["jobs"],
                            production_krw=data["production_krw"])
    elif part == "kpis":
        proposal_kpi_add(actor=actor, proposal_id=pid, name=data["name"], unit=data["unit"], baseline=data["baseline"],
                         target=data["target"], year=data["year"])
    elif part == "regulations":
        proposal_regulation_add(actor=actor, proposal_id=pid, regulation=data["regulation"],
                                description=data["description"], needed_by=data["needed_by"])
    elif part == "investor_letters":
        proposal_investor_letter_add(actor=actor, proposal_id=pid, investor_name=data["investor_name"],
                                     amount_krw=data["amount_krw"], note=data["note"])
    elif part == "attachments":
        upload = data["file"]
        proposal_attachment_add(actor=actor, proposal_id=pid, kind=data["kind"], name=upload.name,
                                content=upload.read())


def _part_form(proposal, part: str, data=None, files=None):
    """The add form of ``part``; the team form has one input per month of the project period."""
    form_class = PART_FORMS[part][0]
    if part == "team":
        months = (project_months(start=proposal.start_date, end=proposal.end_date)
                  if proposal.start_date and proposal.end_date and proposal.start_date <= proposal.end_date else [])
        return form_class(data, files, months=months)
    return form_class(data, files)


_FIELD_ALIASES = {"organization": "business_registration_number", "researcher": "national_researcher_number",
                  "monthly_percent": "percent"}


def _step_context(request, proposal, step: str, *, editable: bool, forms_override=None, grid=None) -> dict:
    forms_override = forms_override or {}
    context = {"proposal": proposal, "step": step, "steps": STEPS, "editable": editable,
               "step_index": STEP_NAMES.index(step) + 1, "step_count": len(STEPS),
               "next_step": STEP_NAMES[STEP_NAMES.index(step) + 1] if step != "review" else None,
               "previous_step": STEP_NAMES[STEP_NAMES.index(step) - 1] if step != "basics" else None}
    for part, (_form_class, part_step) in PART_FORMS.items():
        if part_step == step:
            context[f"{part}_form"] = forms_override.get(part) or _part_form(proposal, part)
    if step == "basics":
        context["form"] = forms_override.get("basics") or BasicsForm(initial={
            f: getattr(proposal, f) for f in BasicsForm.base_fields})
    elif step == "consortium":
        context["track_hint"] = proposal.call.track
        context["violations"] = _violations(proposal, scope="consortium")
        anchors = {v["anchor"] for v in context["violations"]}
        context["members"] = [{"member": m, "error": f"member-{m.organization_id}" in anchors}
                              for m in proposal.members.select_related("organization__region")]
        context.update(consortium_notes(None, []))
    elif step == "team":
        context["violations"] = _violations(proposal, scope="team")
        context["team"] = team_rows(proposal, context["violations"])
        context["team_size"] = len(context["team"])
        context["researchers"] = Researcher.objects.filter(
            organization_id__in=proposal.members.values("organization_id")).order_by("name")[:200]
        context.update(team_notes(context["team_form"], None, []))
    elif step == "budget":
        if grid is None:
            violations = _violations(proposal, scope="budget")
            grid = budget_grid(proposal, violations=violations)
        else:
            violations = grid["violations"]
        context.update({"grid": grid, "violations": violations, "categories": CostCategory.choices,
                        "sources": SOURCES})
    elif step == "ripple":
        context["ripple"] = proposal.ripple_commitments.select_related("region")
        context["kpis"] = proposal.kpi_targets.all()
    elif step == "extras":
        context["regulations"] = proposal.regulations.all()
        context["letters"] = proposal.investor_letters.all()
        context["attachments"] = proposal.attachments.all()
        from doyak.policies.services import policy_value

        context["max_mb"] = policy_value("proposals.attachment_max_bytes") // 1048576
    elif step == "review":
        context["violations"] = _violations(proposal, at_submission=True)
        context["transitions"] = [t for t in transitions_from(proposal.status, manual=True) if can_trigger(request.user, proposal, t)]
    return context


@login_required
def proposal_edit(request, proposal_id: int, step: str):
    if step not in STEP_NAMES:
        raise Http404
    proposal, editable = _editable_or_raise(request, proposal_id)
    if not editable:
        return redirect("proposals:detail", proposal.pk)
    if not proposal.call.is_accepting():
        messages.error(request, _("The call no longer accepts proposals: editing is refused."))
        return redirect("proposals:detail", proposal.pk)
    forms_override, grid = {}, None
    if request.method == "POST":
        go_next = "next" in request.POST
        try:
            if step == "basics":
                form = BasicsForm(request.POST)
                forms_override["basics"] = form
                if form.is_valid():
                    proposal_update(actor=request.user, proposal_id=proposal.pk, data=form.cleaned_data)
                    messages.success(request, _("Draft saved."))
                    return redirect("proposals:edit", proposal.pk, "consortium" if go_next else "basics")
            elif step == "budget":
                grid, lines = _parse_posted_budget(proposal, request.POST)
                if lines is not None:
                    proposal_budget_set(actor=request.user, proposal_id=proposal.pk, lines=lines)
                    messages.success(request, _("Budget saved."))
                    return redirect("proposals:edit", proposal.pk, "ripple" if go_next else "budget")
                grid["violations"] = []
            else:
                return redirect("proposals:edit", proposal.pk, step)
        except DoyakError as exc:
            if exc.http_status == 403:
                raise
            messages.error(request, str(exc.message))
            if step == "budget" and grid is not None:
                grid.setdefault("violations", [])
        proposal.refresh_from_db()
    return render(request, f"proposals/edit_{step}.html",
                  _step_context(request, proposal, step, editable=True, forms_override=forms_override, grid=grid))


@login_required
@require_POST
def budget_check(request, proposal_id: int):
    """htmx: re-check the posted (unsaved) budget table; returns the sums and violations, swapped in place."""
    proposal, editable = _editable_or_raise(request, proposal_id)
    grid = budget_grid(proposal, posted=request.POST)
    violations = []
    if not grid["cell_errors"]:
        lines = budget_lines_parse(grid["rows"])
        violations = _violations(proposal, budget=lines, scope="budget")
        grid = budget_grid(proposal, posted=request.POST, violations=violations)
    return render(request, "proposals/_budget_check.html", {"grid": grid, "violations": violations, "oob": True,
                                                            "proposal": proposal})


# --------------------------------------------------------------------------------------------
# The consortium and team steps, checked as you type
# --------------------------------------------------------------------------------------------


def _team_candidate(proposal, form):
    """The researcher typed in the add form, as an unsaved team member joined to the saved team."""
    form.is_valid()
    data = form.cleaned_data
    team = list(proposal.team.select_related("researcher__organization"))
    number = data.get("national_researcher_number", "")
    researcher = (Researcher.objects.select_related("organization").filter(national_researcher_number=number).first()
                  if number else None)
    problem = ""
    if number and researcher is None and len(number) == 8:
        problem = _("No researcher with this national researcher number.")
    elif researcher is not None and any(m.researcher_id == researcher.pk for m in team):
        problem = _("%(name)s is already on the team.") % {"name": researcher.name}
        researcher = None
    if researcher is None:
        return team, None, problem
    months = {m: p for m, p in (data.get("monthly_percent") or {}).items() if p is not None}
    is_pi = bool(data.get("is_pi"))
    if is_pi:
        for member in team:
            member.is_pi = False  # in memory only: the new PI replaces the old one
    team.append(TeamMember(proposal=proposal, researcher=researcher, is_pi=is_pi, monthly_percent=months))
    return team, researcher, problem


@login_required
@require_POST
def team_check(request, proposal_id: int):
    """htmx: check the typed (unsaved) researcher and monthly time with the saved team; violations in place."""
    proposal, _editable = _editable_or_raise(request, proposal_id)
    form = _part_form(proposal, "team", request.POST)
    team, researcher, problem = _team_candidate(proposal, form)
    violations = _violations(proposal, scope="team", team=team)
    notes = team_notes(form, researcher, violations)
    return render(request, "proposals/_team_check.html", {
        "proposal": proposal, "violations": violations, "oob": True, "researcher": researcher, "problem": problem,
        "team_size": len(team), **notes})


@login_required
@require_POST
def consortium_check(request, proposal_id: int):
    """htmx: check the typed (unsaved) member with the saved consortium; violations in place."""
    proposal, _editable = _editable_or_raise(request, proposal_id)
    form = MemberForm(request.POST)
    form.is_valid()
    number = form.cleaned_data.get("business_registration_number", "")
    role = form.cleaned_data.get("role") or MemberRole.PARTICIPANT
    members = list(proposal.members.select_related("organization__region__successor"))
    organization = (Organization.objects.select_related("region__successor")
                    .filter(business_registration_number=number).first() if number else None)
    problem = ""
    if number and organization is None and len(number) == 10:
        problem = _("No organization with this registration number.")
    elif organization is not None and any(m.organization_id == organization.pk for m in members):
        problem = _("%(name)s is already in the consortium.") % {"name": organization.name}
        organization = None
    if organization is not None:
        members.append(ConsortiumMember(proposal=proposal, organization=organization, role=role))
    violations = _violations(proposal, scope="consortium", members=members)
    return render(request, "proposals/_consortium_check.html", {
        "proposal": proposal, "violations": violations, "oob": True, "problem": problem,
        **consortium_notes(organization, violations)})


@login_required
@require_POST
def part_add(request, proposal_id: int, part: str):
    if part not in PART_FORMS:
        raise Http404
    proposal, editable = _editable_or_raise(request, proposal_id)
    step = PART_FORMS[part][1]
    form = _part_form(proposal, part, request.POST, request.FILES)
    if form.is_valid():
        try:
            _part_add(request, proposal, part, form.cleaned_data)
        except DoyakError as exc:
            if exc.http_status == 403:
                raise
            field = _FIELD_ALIASES.get(exc.field, exc.field)
            form.add_error(field if field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("Added."))
            return redirect(reverse("proposals:edit", args=[proposal.pk, step]) + f"#{part}")
    proposal.refresh_from_db()
    return render(request, f"proposals/edit_{step}.html",
                  _step_context(request, proposal, step, editable=True, forms_override={part: form}), status=422)


@login_required
@require_POST
def part_remove(request, proposal_id: int, part: str, item_id: int):
    if part not in PART_FORMS:
        raise Http404
    proposal, editable = _editable_or_raise(request, proposal_id)
    try:
        proposal_part_remove(actor=request.user, proposal_id=proposal.pk, part=part, item_id=item_id)
    except DoyakError as exc:
        if exc.http_status == 403:
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Removed."))
    return redirect(reverse("proposals:edit", args=[proposal.pk, PART_FORMS[part][1]]) + f"#{part}")


# --------------------------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------------------------


@login_required
def import_upload(request):
    if not can_import(request.user):
        raise AccessDenied(_("Only program managers may import."), code="import_forbidden")
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        service = proposals_import if form.cleaned_data["kind"] == "proposals" else organizations_import
        try:
            result = service(actor=request.user, name=upload.name, content=upload.read())
        except ImportFailed as exc:
            errors = exc.errors
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Imported %(n)s rows.") % {"n": result.created})
            return redirect("proposals:import")
    return render(request, "proposals/import.html", {"form": form, "errors": errors}, status=422 if errors else 200)


# --------------------------------------------------------------------------------------------
# Sanctions (selection bars), for program managers
# --------------------------------------------------------------------------------------------

SANCTION_FILTER_KEYS = ("kind", "q", "subject")


@login_required
def sanction_list(request):
    """Sanctions, abandoned projects and unpaid surcharges, filtered; program managers record new ones here."""
    raw = {k: request.GET.get(k, "").strip() for k in SANCTION_FILTER_KEYS}
    qs = sanction_list_for_user(user=request.user, **raw)  # refuses everyone but program managers and admins
    form = SanctionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organization = researcher = None
        if data["business_registration_number"]:
            organization = Organization.objects.filter(
                business_registration_number=data["business_registration_number"]).first()
            if organization is None:
                form.add_error("business_registration_number", _("No organization with this registration number."))
        if data["national_researcher_number"]:
            researcher = Researcher.objects.filter(national_researcher_number=data["national_researcher_number"]).first()
            if researcher is None:
                form.add_error("national_researcher_number", _("No researcher with this national researcher number."))
        if not form.errors:
            try:
                sanction_record(actor=request.user, kind=data["kind"], date=data["date"], note=data["note"],
                                settled_on=data["settled_on"],
                                organization_id=organization.pk if organization else None,
                                researcher_id=researcher.pk if researcher else None)
            except DoyakError as exc:
                if exc.http_status == 403:
                    raise
                field = {"organization": "business_registration_number"}.get(exc.field, exc.field)
                form.add_error(field if field in form.fields else None, str(exc.message))
            else:
                messages.success(request, _("Sanction recorded."))
                return redirect("proposals:sanctions")
    page_obj = page_of(request, qs)
    return render(request, "proposals/sanctions.html", {
        "page_obj": page_obj, "filters": raw, "form": form, "kinds": SanctionKind.choices,
        "subjects": [("organization", _("Organizations")), ("researcher", _("Researchers"))],
    }, status=422 if form.errors else 200)
