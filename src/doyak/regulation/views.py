"""Regulation pages: the registry (and its import), a task, the dependencies and one dependency's timeline,
the liaison's workspace, the council's progress, the calendar feed and the regulatory agreement. Thin: parse,
check the rule, call one service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from doyak.agreements.selectors import agreement_get_for_user_or_raise
from doyak.core.errors import AccessDenied, DoyakError, NotFound
from doyak.core.pagination import page_of
from doyak.proposals.imports import ImportFailed

from . import services
from .calendar import calendar_ics
from .enums import DependencyStatus, TaskStatus
from .forms import (
    ConvertForm,
    ImportForm,
    MilestoneForm,
    NoteForm,
    RecordForm,
    RegulatoryAgreementForm,
    TransitionForm,
)
from .imports import tasks_import
from .models import RegulatoryAgreement
from .presentation import STATUS_CLASS, timeline
from .rules import (
    can_add_milestone,
    can_edit_tasks,
    can_import_tasks,
    can_log_notes,
    can_manage_dependency,
    can_record_regulatory_agreement,
)
from .selectors import (
    dependency_get_or_raise,
    dependency_list,
    dependency_next_milestone,
    liaison_queue,
    task_get_or_raise,
    task_list,
    task_progress,
)


def _run(request, call, success: str) -> bool:
    """Call a service; a refusal of state or input becomes a message (403/404 stay errors)."""
    try:
        call()
    except DoyakError as error:
        if error.http_status in (403, 404):
            raise
        messages.error(request, str(error.message))
        return False
    messages.success(request, success)
    return True


def _choice_param(request, name: str, values) -> str:
    value = (request.GET.get(name) or "").strip()
    return value if value in values else ""


@login_required
def registry(request):
    status = _choice_param(request, "status", TaskStatus.values)
    tasks = task_list(user=request.user, status=status or None)
    form = ImportForm()
    errors = []
    if request.method == "POST":
        if not can_import_tasks(request.user):
            raise AccessDenied(_("Only administrators import the registry."), code="import_forbidden")
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = tasks_import(actor=request.user, name=upload.name, content=upload.read())
            except ImportFailed as exc:
                errors = exc.errors
                messages.error(request, str(exc.message))
            else:
                messages.success(request, _("Imported %(n)s tasks.") % {"n": result.created})
                return redirect("regulation:registry")
    return render(request, "regulation/registry.html", {
        "page": page_of(request, tasks), "status": status, "statuses": TaskStatus.choices,
        "can_import": can_import_tasks(request.user), "form": form, "errors": errors},
        status=422 if errors else 200)


@login_required
def task(request, task_id: int):
    item = task_get_or_raise(user=request.user, task_id=task_id)
    return render(request, "regulation/task.html", {
        "task": item, "dependencies": list(item.dependencies.select_related("proposal").order_by("pk")),
        "notes": list(item.notes.select_related("author")), "can_edit": can_edit_tasks(request.user),
        "can_log": can_log_notes(request.user), "transition_form": TransitionForm(), "note_form": NoteForm(),
        "status_class": STATUS_CLASS})


@login_required
@require_POST
def task_action(request, task_id: int, name: str):
    if not can_edit_tasks(request.user):  # permission before state
        raise AccessDenied(_("Only the ministry side and the regulation liaison edit the registry."),
                           code="regulation_forbidden")
    item = task_get_or_raise(user=request.user, task_id=task_id)
    if name == "transition":
        form = TransitionForm(request.POST)
        if form.is_valid():
            _run(request, lambda: services.task_transition(
                actor=request.user, task_id=item.pk, status=form.cleaned_data["status"],
                resolution=form.cleaned_data["resolution"], resolved_on=form.cleaned_data["resolved_on"]),
                _("Status changed."))
        else:
            messages.error(request, _("Check the form."))
    elif name == "note":
        form = NoteForm(request.POST)
        if form.is_valid():
            _run(request, lambda: services.note_log(actor=request.user, task_id=item.pk, **form.cleaned_data),
                 _("Logged."))
        else:
            messages.error(request, _("Write the note."))
    else:
        raise NotFound(_("Not found."), code="not_found")
    return redirect("regulation:task", item.pk)


@login_required
def dependencies(request):
    status = _choice_param(request, "status", DependencyStatus.values)
    rows = dependency_list(user=request.user, status=status or None)
    page = page_of(request, rows)
    today = timezone.localdate()
    return render(request, "regulation/dependencies.html", {
        "page": page, "rows": [(d, dependency_next_milestone(d, today=today)) for d in page.object_list],
        "status": status, "statuses": DependencyStatus.choices, "status_class": STATUS_CLASS})


@login_required
def dependency(request, dependency_id: int):
    item = dependency_get_or_raise(user=request.user, dependency_id=dependency_id)
    today = timezone.localdate()
    initial = {key: getattr(item, key) for key in RecordForm.base_fields}
    return render(request, "regulation/dependency.html", {
        "dep": item, "timeline": timeline(item, today=today, expires_on=services.dependency_expiry(item)),
        "effective_expiry": services.dependency_expiry(item), "next_milestone": dependency_next_milestone(item),
        "status_class": STATUS_CLASS, "can_manage": can_manage_dependency(request.user, item),
        "can_add_milestone": can_add_milestone(request.user, item), "can_log": can_log_notes(request.user),
        "record_form": RecordForm(initial=initial), "milestone_form": MilestoneForm(prefix="milestone"),
        "note_form": NoteForm(prefix="note"), "convert_form": ConvertForm(prefix="convert", initial={"applied_on": today})})


@login_required
@require_POST
def dependency_action(request, dependency_id: int, name: str):
    if name != "milestone" and not can_edit_tasks(request.user):  # permission before state
        raise AccessDenied(_("Only the ministry side and the regulation liaison record exemptions."),
                           code="regulation_forbidden")
    item = dependency_get_or_raise(user=request.user, dependency_id=dependency_id)
    if name == "milestone" and not can_add_milestone(request.user, item):
        raise AccessDenied(_("Only the project's institution, the ministry side and the liaison add milestones."),
                           code="regulation_forbidden")
    forms = {"record": RecordForm, "milestone": MilestoneForm, "note": NoteForm, "convert": ConvertForm}
    if name == "extend":
        _run(request, lambda: services.dependency_extend(actor=request.user, dependency_id=item.pk),
             _("Exemption extended."))
        return redirect("regulation:dependency", item.pk)
    if name not in forms:
        raise NotFound(_("Not found."), code="not_found")
    form = forms[name](request.POST, prefix=None if name == "record" else name)  # one page, four forms: own ids
    if not form.is_valid():
        messages.error(request, _("Check the form: %(errors)s") % {
            "errors": "; ".join(f"{form.fields[k].label}: {' '.join(v)}" if k in form.fields else " ".join(v)
                                for k, v in form.errors.items())})
        return redirect("regulation:dependency", item.pk)
    data = form.cleaned_data
    if name == "record":
        _run(request, lambda: services.dependency_record(actor=request.user, dependency_id=item.pk, data=data),
             _("Recorded."))
    elif name == "milestone":
        _run(request, lambda: services.milestone_add(actor=request.user, dependency_id=item.pk, **data),
             _("Milestone added."))
    elif name == "note":
        _run(request, lambda: services.note_log(actor=request.user, dependency_id=item.pk, **data), _("Logged."))
    else:
        _run(request, lambda: services.dependency_convert(actor=request.user, dependency_id=item.pk,
                                                          applied_on=data["applied_on"]),
             _("Converted to a temporary permit."))
    return redirect("regulation:dependency", item.pk)


@login_required
def workspace(request):
    queue = liaison_queue(user=request.user)
    view = _choice_param(request, "by", ("ministry", "law")) or "ministry"
    return render(request, "regulation/workspace.html", {
        "queue": queue, "groups": queue["by_ministry"] if view == "ministry" else queue["by_law"], "by": view,
        "status_class": STATUS_CLASS})


@login_required
def progress(request):
    return render(request, "regulation/progress.html", {"progress": task_progress(user=request.user),
                                                        "status_class": STATUS_CLASS})


@login_required
def calendar(request):
    token = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.calendar_token_revoke(actor=request.user)
            messages.success(request, _("The feed address is revoked."))
        else:
            token = services.calendar_token_issue(actor=request.user)
    active = request.user.calendar_tokens.filter(revoked_at__isnull=True).first()
    feed = request.build_absolute_uri(reverse("regulation:calendar_feed", args=[token])) if token else ""
    return render(request, "regulation/calendar.html", {"feed": feed, "active": active})


def calendar_feed(request, token: str):
    """The iCalendar feed of a token's user (no sign-in: calendar programs cannot; the token is the key)."""
    user = services.calendar_user_for_token(token)
    if user is None:
        raise NotFound(_("Not found."), code="not_found")
    return HttpResponse(calendar_ics(user=user), content_type="text/calendar; charset=utf-8")


@login_required
def regulatory_agreement(request, agreement_id: int):
    agreement = agreement_get_for_user_or_raise(user=request.user, agreement_id=agreement_id)
    record = RegulatoryAgreement.objects.filter(agreement=agreement).first()
    form = RegulatoryAgreementForm(request.POST or None)
    if request.method == "POST":
        if not can_record_regulatory_agreement(request.user):
            raise AccessDenied(_("Only program managers record regulatory agreements."), code="regulation_forbidden")
        if form.is_valid() and _run(request, lambda: services.regulatory_agreement_record(
                actor=request.user, agreement_id=agreement.pk, **form.cleaned_data), _("Recorded.")):
            return redirect("regulation:regulatory_agreement", agreement.pk)
    return render(request, "regulation/regulatory_agreement.html", {
        "agreement": agreement, "record": record, "form": form,
        "required": services.regulatory_agreement_required(agreement),
        "can_record": can_record_regulatory_agreement(request.user) and record is None})
