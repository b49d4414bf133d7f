"""Screens of innovation capacity: thin views (parse, check the rule, call one service or selector, render)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from doyak.core.errors import AccessDenied, DoyakError, NotFound
from doyak.core.exports import xlsx_response
from doyak.core.pagination import page_of
from doyak.core.params import int_param
from doyak.regions.enums import RegionGroup

from . import presentation, rules
from .enums import NominationStatus
from .forms import (
    CareerEventForm,
    CarryForm,
    CommitmentForm,
    DecisionForm,
    DemandForm,
    ExitForm,
    FundForm,
    GraduateSchoolForm,
    InvestmentForm,
    JointLabForm,
    LetterConfirmForm,
    NominationForm,
    OpinionForm,
    ProjectLinkForm,
    ReviewerForm,
    SurveyForm,
)
from .selectors import (
    career_history_for_user_or_raise,
    commitment_list_for_user,
    fund_figures_for,
    fund_get_for_user_or_raise,
    fund_list_for_user,
    graduate_school_list_for_user,
    investment_list_for_user,
    joint_lab_list_for_user,
    nomination_get_for_user_or_raise,
    nomination_list_for_user,
    suggestions_list,
    survey_get_for_user_or_raise,
    survey_list_for_user,
    survey_topics_for_user,
    talent_stage_counts,
)
from .services import (
    career_event_add,
    commitment_record,
    demand_state,
    exit_record,
    fund_create,
    graduate_school_projects_link,
    graduate_school_register,
    investment_record,
    investor_letter_confirm,
    joint_lab_projects_link,
    joint_lab_register,
    stage_suggestion_accept,
    star_decide,
    star_nominate,
    star_opinion_state,
    star_panel_add,
    survey_is_answerable,
    survey_open,
    topic_carry_into_call,
)


def _export(request) -> bool:
    export = (request.GET.get("export") or "").strip()
    if export and export != "xlsx":
        raise BadRequest(_("%(name)s must be one of: %(values)s.") % {"name": "export", "values": "xlsx"})
    return export == "xlsx"


def _xlsx(rows, *, name: str, title: str):
    with translation.override("ko"):  # Korean headers and labels, whatever the screen's language
        data = [list(r) for r in rows]
    return xlsx_response(data, filename=f"{name}-{timezone.localdate():%Y%m%d}.xlsx", title=title)


def _group(request) -> str:
    value = request.GET.get("group", "")
    return value if value in RegionGroup.values else ""


def form_errors_text(form) -> str:
    """A form's errors as one sentence per field, each naming the field (for forms answered by a redirect)."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts.extend(f"{label}: {e}" if label else e for e in errors)
    return " ".join(parts)


def _field_message(form, exc: DoyakError) -> str:
    field = form.fields.get(exc.field) if exc.field else None
    return f"{field.label}: {exc.message}" if field is not None else exc.message


def _form_service(form, service, **kwargs):
    """Call ``service`` with the form's data; a refusal lands on the field it names (or above the form)."""
    try:
        return service(**kwargs, **form.cleaned_data)
    except DoyakError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return None


def _companies():
    from doyak.organizations.enums import FOR_PROFIT_TYPES
    from doyak.organizations.models import Organization

    return Organization.objects.filter(org_type__in=FOR_PROFIT_TYPES).order_by("name")[:CHOICES_MAX]


def _organizations(**filters):
    from doyak.organizations.models import Organization

    return Organization.objects.filter(**filters).order_by("name")[:CHOICES_MAX]


def _regions():
    from django.db.models import Q

    from doyak.regions.models import Region

    today = timezone.localdate()
    return (Region.objects.filter(valid_from__lte=today).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
            .order_by("code"))


CHOICES_MAX = 1000  # organisations offered in one select


# ---------------------------------------------------------------------------------------------- hub / investor home
@login_required
def home(request):
    user = request.user
    if rules.is_investor(user):
        funds = list(fund_list_for_user(user=user))
        investments = list(investment_list_for_user(user=user)[:200])
        followed = {i.proposal_id: i.proposal for i in investments if i.proposal_id}
        return render(request, "capacity/investor_home.html", {
            "surveys": list(survey_list_for_user(user=user)[:20]),
            "fund_rows": [(f, figures[f.pk]) for f in funds] if (figures := fund_figures_for(funds)) else [],
            "commitments": list(commitment_list_for_user(user=user)[:50]),
            "projects": list(followed.values()),
        })
    return render(request, "capacity/home.html", {
        "can_surveys": rules.can_view_surveys(user), "can_funds": rules.can_view_funds(user),
        "can_talent": rules.can_view_talent(user), "can_nominate": rules.can_nominate(user),
        "reviewing": list(nomination_list_for_user(user=user, status=NominationStatus.NOMINATED)
                          .filter(panel__profile__user_id=user.pk)[:50]),
    })


# ---------------------------------------------------------------------------------------------- surveys
@login_required
def survey_list(request):
    if not rules.can_view_surveys(request.user):
        raise AccessDenied(_("Only the ministry side, investors and demand-anchor companies see demand surveys."),
                           code="survey_forbidden")
    surveys = survey_list_for_user(user=request.user)
    if _export(request):
        topics = [(s, d) for s in surveys[:500] for d in survey_topics_for_user(user=request.user, survey=s)]
        return _xlsx(presentation.survey_rows(topics, all_demand=rules.can_view_all_demand(request.user)),
                     name="demand-surveys", title=_("Demand surveys"))
    page_obj = page_of(request, surveys)
    return render(request, "capacity/survey_list.html", {
        "page_obj": page_obj, "surveys": page_obj.object_list, "can_manage": rules.can_manage_surveys(request.user)})


@login_required
def survey_new(request):
    if not rules.can_manage_surveys(request.user):
        raise AccessDenied(_("Only the ministry side opens demand surveys."), code="survey_forbidden")
    from doyak.programs.models import Program

    programs = list(Program.objects.filter(year__gte=timezone.localdate().year).order_by("-year", "code")[:200])
    form = SurveyForm(request.POST or None, programs=programs)
    if request.method == "POST" and form.is_valid():
        try:
            survey = survey_open(actor=request.user, **form.cleaned_data)
        except DoyakError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Survey opened."))
            return redirect("capacity:survey_detail", survey.pk)
    return render(request, "capacity/survey_new.html", {"form": form})


@login_required
def survey_detail(request, survey_id: int):
    survey = survey_get_for_user_or_raise(user=request.user, survey_id=survey_id)
    topics = survey_topics_for_user(user=request.user, survey=survey)
    answer = rules.can_answer_survey(request.user) and survey_is_answerable(survey)
    calls = []
    if rules.can_manage_surveys(request.user):
        calls = list(survey.program.calls.order_by("-id")[:100])
    rows = []
    for d in topics:
        own = d.responses[0] if answer and d.responses else None
        rows.append({"demand": d, "form": DemandForm(initial={
            "kind": own.kind, "amount_krw": f"{own.amount_krw:,}", "stage": own.stage, "condition": own.condition,
            "comment": own.comment} if own else None, prefix=f"t{d.topic.pk}") if answer else None,
            "carry": CarryForm(calls=calls, prefix=f"c{d.topic.pk}") if calls and not d.topic.call_id else None})
    return render(request, "capacity/survey_detail.html", {
        "survey": survey, "rows": rows, "all_demand": rules.can_view_all_demand(request.user)})


@login_required
@require_POST
def demand_answer(request, survey_id: int, topic_id: int):
    if not rules.can_answer_survey(request.user):
        raise AccessDenied(_("Only investors and demand-anchor companies answer demand surveys."),
                           code="survey_answer_forbidden")
    survey = survey_get_for_user_or_raise(user=request.user, survey_id=survey_id)
    form = DemandForm(request.POST, prefix=f"t{topic_id}")
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("capacity:survey_detail", survey.pk)
    if not survey.topics.filter(pk=topic_id).exists():
        raise BadRequest(_("Unknown topic."))
    try:
        demand_state(actor=request.user, topic_id=topic_id, **form.cleaned_data)
    except DoyakError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your answer is saved. Only your organisation and the ministry see it."))
    return redirect("capacity:survey_detail", survey.pk)


@login_required
@require_POST
def topic_carry(request, survey_id: int, topic_id: int):
    if not rules.can_manage_surveys(request.user):
        raise AccessDenied(_("Only the ministry side carries topics into calls."), code="survey_forbidden")
    survey = survey_get_for_user_or_raise(user=request.user, survey_id=survey_id)
    call_id = int_param(request.POST, f"c{topic_id}-call_id")
    try:
        topic_carry_into_call(actor=request.user, topic_id=topic_id, call_id=call_id)
    except DoyakError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The topic is carried into the call."))
    return redirect("capacity:survey_detail", survey.pk)


# ---------------------------------------------------------------------------------------------- the fund
def _require_funds(user) -> None:
    if not rules.can_view_funds(user):
        raise AccessDenied(_("Only the ministry side and investors see funds."), code="fund_forbidden")


@login_required
def fund_list(request):
    _require_funds(request.user)
    funds = fund_list_for_user(user=request.user)
    if _export(request):
        rows = list(funds[:presentation.EXPORT_MAX_ROWS])
        return _xlsx(presentation.fund_rows(rows, fund_figures_for(rows)), name="funds", title=_("Funds"))
    page_obj = page_of(request, funds)
    figures = fund_figures_for(list(page_obj.object_list))
    return render(request, "capacity/fund_list.html", {
        "page_obj": page_obj, "rows": [(f, figures[f.pk]) for f in page_obj.object_list],
        "groups": RegionGroup.choices, "can_manage": rules.can_manage_funds(request.user)})


@login_required
def fund_new(request):
    if not rules.can_manage_funds(request.user):
        raise AccessDenied(_("Only the ministry side registers funds."), code="fund_forbidden")
    from doyak.accounts.enums import Role
    from doyak.accounts.models import User

    managers = _organizations(pk__in=User.objects.filter(role=Role.INVESTOR, organization__isnull=False)
                              .values("organization_id"))
    form = FundForm(request.POST or None, managers=managers)
    if request.method == "POST" and form.is_valid():
        fund = _form_service(form, fund_create, actor=request.user)
        if fund is not None:
            messages.success(request, _("Fund registered."))
            return redirect("capacity:fund_detail", fund.pk)
    return render(request, "capacity/record_form.html", {
        "form": form, "title": _("Register a fund"), "submit": _("Register"), "back": "capacity:funds"})


@login_required
def fund_detail(request, fund_id: int):
    fund = fund_get_for_user_or_raise(user=request.user, fund_id=fund_id)
    figures = fund_figures_for([fund])[fund.pk]
    investments = list(investment_list_for_user(user=request.user, fund_id=fund.pk)[:200])
    context = {"fund": fund, "figures": figures, "investments": investments,
               "commitments": list(commitment_list_for_user(user=request.user, fund_id=fund.pk)[:200]),
               "groups": [(label, figures.by_region_group.get(value, 0)) for value, label in RegionGroup.choices]}
    if rules.can_record_for_fund(request.user, fund):
        from doyak.proposals.enums import ProposalStatus
        from doyak.proposals.models import InvestorLetter, Proposal

        letters = list(InvestorLetter.objects.filter(commitment__isnull=True)
                       .exclude(proposal__status=ProposalStatus.DRAFT).select_related("proposal")
                       .order_by("-id")[:200])
        projects = list(Proposal.objects.exclude(status=ProposalStatus.DRAFT).filter(
            fund_commitments__fund=fund).distinct().order_by("-id")[:200])
        context["letter_form"] = LetterConfirmForm(letters=letters, prefix="l") if letters else None
        context["investment_form"] = InvestmentForm(projects=projects, rounds=investments, prefix="i")
        context["commitment_form"] = CommitmentForm(companies=_companies(), prefix="m",
                                                    initial={"committed_on": timezone.localdate()})
        from .models import Exit

        exited = set(Exit.objects.filter(investment__fund=fund).values_list("investment_id", flat=True))
        open_rounds = [i for i in investments if i.pk not in exited]
        context["exit_form"] = ExitForm(investments=open_rounds, prefix="x") if open_rounds else None
    return render(request, "capacity/fund_detail.html", context)


def _fund_to_record_or_raise(user, fund_id: int):
    """Permission before state: refused alike whether or not the fund is one the user may see."""
    from django.http import Http404

    from .models import Fund

    fund = Fund.objects.filter(pk=fund_id).first()
    if fund is None:
        raise Http404
    if not rules.can_record_for_fund(user, fund):
        raise AccessDenied(_("Only the ministry side and the fund's investor record for a fund."), code="fund_forbidden")
    return fund


@login_required
@require_POST
def fund_letter_confirm(request, fund_id: int):
    fund = _fund_to_record_or_raise(request.user, fund_id)
    from doyak.proposals.models import InvestorLetter

    form = LetterConfirmForm(request.POST, prefix="l", letters=InvestorLetter.objects.filter(
        commitment__isnull=True).select_related("proposal"))
    return _fund_write(request, fund, form, investor_letter_confirm, _("The letter is confirmed into a commitment."))


def _fund_write(request, fund, form, service, done: str):
    """Validate ``form``, call ``service`` with its data for ``fund``, say how it went, back to the fund's page."""
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
    else:
        try:
            service(actor=request.user, fund_id=fund.pk, **form.cleaned_data)
        except DoyakError as exc:
            messages.error(request, _field_message(form, exc))
        else:
            messages.success(request, done)
    return redirect("capacity:fund_detail", fund.pk)


@login_required
@require_POST
def fund_investment_new(request, fund_id: int):
    fund = _fund_to_record_or_raise(request.user, fund_id)
    from doyak.proposals.models import Proposal

    form = InvestmentForm(request.POST, prefix="i", projects=Proposal.objects.filter(fund_commitments__fund=fund)
                          .distinct(), rounds=fund.investments.select_related("organization"))
    return _fund_write(request, fund, form, investment_record, _("Investment recorded."))


@login_required
@require_POST
def fund_commitment_new(request, fund_id: int):
    fund = _fund_to_record_or_raise(request.user, fund_id)
    form = CommitmentForm(request.POST, prefix="m", companies=_companies())
    return _fund_write(request, fund, form, commitment_record, _("Commitment recorded."))


@login_required
@require_POST
def fund_exit_new(request, fund_id: int):
    fund = _fund_to_record_or_raise(request.user, fund_id)
    form = ExitForm(request.POST, prefix="x", investments=fund.investments.select_related("organization"))
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
    else:
        try:
            exit_record(actor=request.user, **form.cleaned_data)
        except DoyakError as exc:
            messages.error(request, _field_message(form, exc))
        else:
            messages.success(request, _("Exit recorded."))
    return redirect("capacity:fund_detail", fund.pk)


@login_required
def investment_list(request):
    _require_funds(request.user)
    investments = investment_list_for_user(user=request.user)
    if _export(request):
        return _xlsx(presentation.investment_rows(investments[:presentation.EXPORT_MAX_ROWS]), name="investments",
                     title=_("Investments"))
    page_obj = page_of(request, investments)
    return render(request, "capacity/investment_list.html", {"page_obj": page_obj,
                                                             "investments": page_obj.object_list})


# ---------------------------------------------------------------------------------------------- talent
def _require_talent(user) -> None:
    if not rules.can_view_talent(user):
        raise AccessDenied(_("Only the ministry side and read-only roles see the talent cycle."),
                           code="talent_forbidden")


@login_required
def talent_home(request):
    _require_talent(request.user)
    year = timezone.localdate().year
    counts = talent_stage_counts(years=list(range(year - 4, year + 1)))
    if _export(request):
        return _xlsx(presentation.stage_rows(counts), name="talent-stages", title=_("Talent growth cycle"))
    return render(request, "capacity/talent_home.html", {
        "grid": presentation.stage_grid(counts), "current": presentation.current_rows(counts, year), "year": year,
        "suggestions": [(r, presentation.suggestion_view(s)) for r, s in suggestions_list(user=request.user, limit=50)],
        "nominations": list(nomination_list_for_user(user=request.user)[:50]),
        "can_manage": rules.can_manage_talent(request.user),
        "groups": RegionGroup.choices,
    })


@login_required
@require_POST
def stage_accept(request, researcher_id: int):
    if not rules.can_manage_talent(request.user):
        raise AccessDenied(_("Only the ministry side accepts stage suggestions."), code="talent_forbidden")
    try:
        stage_suggestion_accept(actor=request.user, researcher_id=researcher_id)
    except DoyakError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The career stage is updated."))
    return redirect("capacity:talent")


@login_required
def researcher_career(request, researcher_id: int):
    history = career_history_for_user_or_raise(user=request.user, researcher_id=researcher_id)
    can_add = rules.can_add_career_record(request.user, history.researcher.organization_id)
    return render(request, "capacity/researcher_career.html", {
        "h": history, "suggestion": presentation.suggestion_view(history.suggestion),
        "can_manage": rules.can_manage_talent(request.user),
        "career_form": CareerEventForm(prefix="e") if can_add else None})


@login_required
@require_POST
def career_event_new(request, researcher_id: int):
    from django.http import Http404

    from doyak.organizations.models import Researcher

    if not rules.can_add_career_record(request.user):
        raise AccessDenied(_("Only the ministry side and the researcher's institution add career records."),
                           code="career_forbidden")
    organization_ids = list(Researcher.objects.filter(pk=researcher_id).values_list("organization_id", flat=True))
    if not organization_ids:
        raise Http404
    if not rules.can_add_career_record(request.user, organization_ids[0]):  # permission before the form is read
        raise AccessDenied(_("Only the ministry side and the researcher's institution add career records."),
                           code="career_forbidden")
    form = CareerEventForm(request.POST, prefix="e")
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
    else:
        try:
            career_event_add(actor=request.user, researcher_id=researcher_id, **form.cleaned_data)
        except DoyakError as exc:
            if isinstance(exc, (AccessDenied, NotFound)):
                raise
            messages.error(request, _field_message(form, exc))
        else:
            messages.success(request, _("Career record added."))
    return redirect("capacity:career", researcher_id)


@login_required
def nominate(request):
    if not rules.can_nominate(request.user):
        raise AccessDenied(_("An institution's applicants nominate its researchers."), code="nomination_forbidden")
    from doyak.organizations.models import Researcher

    researchers = list(Researcher.objects.filter(organization_id=request.user.organization_id,
                                                 star_engineer_since__isnull=True).order_by("name")[:500])
    form = NominationForm(request.POST or None, researchers=researchers)
    if request.method == "POST" and form.is_valid():
        try:
            nomination = star_nominate(actor=request.user, **form.cleaned_data)
        except DoyakError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Nominated. The ministry forms a panel to review the nomination."))
            return redirect("capacity:nomination", nomination.pk)
    return render(request, "capacity/nominate.html", {
        "form": form, "nominations": list(nomination_list_for_user(user=request.user)[:50])})


@login_required
def nomination_detail(request, nomination_id: int):
    nomination = nomination_get_for_user_or_raise(user=request.user, nomination_id=nomination_id)
    context = {"n": nomination, "panel": list(nomination.panel.select_related("profile__researcher__organization",
                                                                              "profile__organization"))}
    context["show_opinions"] = rules.can_view_panel_opinions(request.user)
    own = next((r for r in context["panel"] if r.profile.user_id == request.user.pk), None)
    if own is not None and nomination.status == NominationStatus.NOMINATED:
        context["opinion_form"] = OpinionForm(initial={"recommends": "yes" if own.recommends else "no",
                                                       "comment": own.comment} if own.opined_at else None)
        context["own_opinion"] = own
    if rules.can_manage_talent(request.user) and nomination.status == NominationStatus.NOMINATED:
        from doyak.evaluation.models import EvaluatorProfile

        on_panel = [r.profile_id for r in context["panel"]]
        profiles = (EvaluatorProfile.objects.filter(active=True).exclude(pk__in=on_panel)
                    .select_related("researcher__organization", "organization").order_by("name")[:300])
        context["reviewer_form"] = ReviewerForm(profiles=profiles)
        context["decision_form"] = DecisionForm(initial={"on": timezone.localdate()})
    return render(request, "capacity/nomination_detail.html", context)


@login_required
@require_POST
def nomination_panel_add(request, nomination_id: int):
    if not rules.can_manage_talent(request.user):
        raise AccessDenied(_("Only the ministry side forms star-engineer panels."), code="talent_forbidden")
    nomination = nomination_get_for_user_or_raise(user=request.user, nomination_id=nomination_id)
    try:
        star_panel_add(actor=request.user, nomination_id=nomination.pk,
                       profile_id=int_param(request.POST, "profile_id"))
    except DoyakError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Reviewer added to the panel."))
    return redirect("capacity:nomination", nomination.pk)


@login_required
@require_POST
def nomination_opinion(request, nomination_id: int):
    from django.http import Http404

    from .models import Nomination

    nomination = Nomination.objects.filter(pk=nomination_id).first()
    if nomination is None:
        raise Http404
    if not rules.is_panel_member(request.user, nomination):  # permission before the form is read
        raise AccessDenied(_("Only the panel's members give their opinion on a nomination."), code="opinion_forbidden")
    form = OpinionForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
    else:
        try:
            star_opinion_state(actor=request.user, nomination_id=nomination.pk, **form.cleaned_data)
        except DoyakError as exc:
            messages.error(request, _field_message(form, exc))
        else:
            messages.success(request, _("Your opinion is saved. Only you and the ministry see it."))
    return redirect("capacity:nomination", nomination.pk)


@login_required
@require_POST
def nomination_decide(request, nomination_id: int):
    if not rules.can_manage_talent(request.user):
        raise AccessDenied(_("Only the ministry side designates star engineers."), code="talent_forbidden")
    nomination = nomination_get_for_user_or_raise(user=request.user, nomination_id=nomination_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("capacity:nomination", nomination.pk)
    data = form.cleaned_data
    try:
        star_decide(actor=request.user, nomination_id=nomination.pk, designate=data["decision"] == "designate",
                    note=data["note"], on=data["on"])
    except DoyakError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Decision saved."))
    return redirect("capacity:nomination", nomination.pk)


# ---------------------------------------------------------------------------------------------- registries
@login_required
def joint_lab_list(request):
    labs = joint_lab_list_for_user(user=request.user, region_group=_group(request))
    if _export(request):
        return _xlsx(presentation.joint_lab_rows(labs[:presentation.EXPORT_MAX_ROWS]), name="joint-labs",
                     title=_("Joint labs"))
    page_obj = page_of(request, labs)
    return render(request, "capacity/joint_lab_list.html", {
        "page_obj": page_obj, "labs": page_obj.object_list, "group": _group(request), "groups": RegionGroup.choices,
        "target": _target("plan.regional.industry_research_joint_labs.count"), "total": labs.count(),
        "can_manage": rules.can_manage_registries(request.user)})


@login_required
def graduate_school_list(request):
    schools = graduate_school_list_for_user(user=request.user, region_group=_group(request))
    if _export(request):
        return _xlsx(presentation.graduate_school_rows(schools[:presentation.EXPORT_MAX_ROWS]),
                     name="graduate-schools", title=_("Specialised graduate schools"))
    page_obj = page_of(request, schools)
    from doyak.policies.services import policy_value

    from .policies import GRADUATE_SCHOOLS_FROM_KEY

    start = int(policy_value(GRADUATE_SCHOOLS_FROM_KEY))
    return render(request, "capacity/graduate_school_list.html", {
        "page_obj": page_obj, "schools": page_obj.object_list, "group": _group(request),
        "groups": RegionGroup.choices, "target": _target("plan.regional.specialised_graduate_schools_added.count"),
        "added": graduate_school_list_for_user(user=request.user).filter(designation_year__gte=start).count(),
        "added_from": start, "can_manage": rules.can_manage_registries(request.user)})


def _target(key: str):
    from doyak.policies.services import policy_value

    try:
        return policy_value(key)
    except DoyakError:
        return None


def _require_registries_manage(user) -> None:
    if not rules.can_manage_registries(user):
        raise AccessDenied(_("Only the ministry side keeps the joint lab and graduate school registries."),
                           code="registry_forbidden")


@login_required
def joint_lab_new(request):
    _require_registries_manage(request.user)
    from doyak.organizations.enums import OrganizationType

    form = JointLabForm(request.POST or None, hosts=_organizations(
        org_type__in=(OrganizationType.GRI, OrganizationType.NONPROFIT)), companies=_companies(), regions=_regions())
    if request.method == "POST" and form.is_valid():
        if _form_service(form, joint_lab_register, actor=request.user) is not None:
            messages.success(request, _("Joint lab registered."))
            return redirect("capacity:joint_labs")
    return render(request, "capacity/record_form.html", {
        "form": form, "title": _("Register a joint lab"), "submit": _("Register"), "back": "capacity:joint_labs"})


@login_required
def graduate_school_new(request):
    _require_registries_manage(request.user)
    from doyak.organizations.enums import OrganizationType

    form = GraduateSchoolForm(request.POST or None, universities=_organizations(org_type=OrganizationType.UNIVERSITY),
                              regions=_regions())
    if request.method == "POST" and form.is_valid():
        if _form_service(form, graduate_school_register, actor=request.user) is not None:
            messages.success(request, _("Graduate school registered."))
            return redirect("capacity:graduate_schools")
    return render(request, "capacity/record_form.html", {
        "form": form, "title": _("Register a specialised graduate school"), "submit": _("Register"),
        "back": "capacity:graduate_schools"})


def _projects_link(request, service, back: str, **ids):
    _require_registries_manage(request.user)
    form = ProjectLinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
    else:
        try:
            service(actor=request.user, **ids, **form.cleaned_data)
        except DoyakError as exc:
            if isinstance(exc, (AccessDenied, NotFound)):
                raise
            messages.error(request, _field_message(form, exc))
        else:
            messages.success(request, _("Projects linked."))
    return redirect(back)


@login_required
@require_POST
def joint_lab_projects(request, joint_lab_id: int):
    return _projects_link(request, joint_lab_projects_link, "capacity:joint_labs", joint_lab_id=joint_lab_id)


@login_required
@require_POST
def graduate_school_projects(request, graduate_school_id: int):
    return _projects_link(request, graduate_school_projects_link, "capacity:graduate_schools",
                          graduate_school_id=graduate_school_id)
