from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from doyak.agreements.enums import AgreementStatus
from doyak.agreements.models import Agreement
from doyak.agreements.rules import can_view_agreement
from doyak.agreements.services import agreements_conclude_for_call
from doyak.calls.models import Call
from doyak.core.errors import AccessDenied, DoyakError, ValidationFailed
from doyak.core.money import WonInvalid, parse_won
from doyak.core.pagination import page_of
from doyak.core.params import int_list_param, int_param, page_param, parse_int, text_param
from doyak.organizations.models import Organization
from doyak.programs.models import Program

from .enums import Category, RunStatus
from .forms import DecideForm, EvidenceForm, ExplainForm, ImportForm, TransactionForm
from .models import EvidenceFile, Transaction
from .policies import settlement_policy_current
from .presentation import flag_source, run_part_rows, what_if_threshold_rows
from .rules import (
    can_close_settlement,
    can_decide_flag,
    can_enter_transactions,
    can_explain_flag,
    can_manage_settlement,
    can_view_dashboard,
)
from .selectors import (
    agreement_get_for_user_or_raise,
    agreement_list_for_user,
    dashboard_for_scope,
    explanations_waiting,
    flag_get_for_user_or_raise,
    flag_page_current,
    ledger_category_totals,
    ledger_page,
    result_current,
    run_audit_sample,
    run_get_for_user_or_raise,
    run_list,
    settlement_report_for_run,
    settlement_what_if_for_scope,
)
from .services import (
    evidence_attach,
    flag_decide,
    flag_explain,
    settlement_close,
    settlement_run_resume,
    settlement_run_start,
    transaction_create,
    transactions_import,
)

# Flags listed above the ledger (the rest are inline with their transactions and on the "flagged only" filter).
LEDGER_FLAG_ROWS = 30


@login_required
def home(request):
    """Institutions land on their agreements' ledgers, the ministry side on the dashboard."""
    if can_view_dashboard(request.user):
        return redirect("finance:dashboard")
    agreements = list(agreement_list_for_user(user=request.user)[:2])
    if len(agreements) == 1:
        return redirect("finance:ledger", agreements[0].pk)
    return redirect("finance:agreements")


@login_required
def agreement_list(request):
    q = request.GET.get("q", "").strip()
    page_obj = page_of(request, agreement_list_for_user(user=request.user, q=q))
    return render(request, "finance/agreements.html", {"agreements": page_obj.object_list, "page_obj": page_obj, "q": q,
                                                       "show_manager_nav": can_view_dashboard(request.user)})


@login_required
def ledger(request, agreement_id: int):
    agreement = agreement_get_for_user_or_raise(user=request.user, agreement_id=agreement_id)
    return render(request, "finance/ledger.html", _ledger_context(request, agreement))


def _ledger_context(request, agreement, **extra) -> dict:
    category = request.GET.get("category", "")
    category = category if category in Category.values else ""
    flagged_only = request.GET.get("flagged") == "1"
    page = ledger_page(agreement=agreement, page=page_param(request.GET), category=category,
                       flagged_only=flagged_only)
    flags_page = flag_page_current(agreement=agreement, page=page_param(request.GET, "flags_page"),
                                   page_size=LEDGER_FLAG_ROWS)
    result = result_current(agreement=agreement)
    can_enter = can_enter_transactions(request.user, agreement)
    manager = can_manage_settlement(request.user)
    return {
        "agreement": agreement, "page_obj": page, "lines": ledger_category_totals(agreement=agreement),
        "flags": flags_page.rows, "flags_page": flags_page, "result": result, "can_enter": can_enter, "manager": manager,
        "category": category, "flagged_only": flagged_only, "categories": Category.choices,
        "import_form": ImportForm() if can_enter else None,
        "can_close": can_close_settlement(request.user, agreement), "manager_nav": can_view_dashboard(request.user),
        "ineligible_after": result.ineligible_after_decisions_krw if manager and result else None,
        "closed": getattr(agreement, "settlement_close", None) if agreement.status == "closed" else None,
        **extra,
    }


def _entry_allowed_or_raise(user, agreement) -> None:
    """Permission before the form says anything (the rule the services apply)."""
    if not can_enter_transactions(user, agreement):
        raise AccessDenied(_("You may not enter spending for this agreement."), code="ledger_forbidden")


@login_required
@require_POST
def transactions_import_view(request, agreement_id: int):
    agreement = agreement_get_for_user_or_raise(user=request.user, agreement_id=agreement_id)
    _entry_allowed_or_raise(request.user, agreement)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to import."))
        return redirect("finance:ledger", agreement_id)
    upload = form.cleaned_data["file"]
    try:
        count = transactions_import(actor=request.user, agreement_id=agreement_id, name=upload.name,
                                    content=upload.read())
    except ValidationFailed as exc:
        # every bad row listed on the ledger page itself (all or nothing: nothing was imported)
        errors = getattr(exc, "errors", None) or [str(exc.message)]
        return render(request, "finance/ledger.html", _ledger_context(request, agreement, import_errors=errors,
                                                                      import_name=upload.name), status=422)
    messages.success(request, _("%(n)s transactions imported.") % {"n": count})
    return redirect("finance:ledger", agreement_id)


@login_required
def transaction_new(request, agreement_id: int):
    agreement = agreement_get_for_user_or_raise(user=request.user, agreement_id=agreement_id)
    if not can_enter_transactions(request.user, agreement):
        raise AccessDenied(_("You may not enter spending for this agreement."), code="ledger_forbidden")
    form = TransactionForm(request.POST or None, initial={"occurred_at": timezone.localtime().replace(second=0,
                                                                                                    microsecond=0)})
    if request.method == "POST" and form.is_valid():
        try:
            transaction_create(actor=request.user, agreement_id=agreement.pk, **form.cleaned_data)
        except ValidationFailed as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("Transaction saved."))
            return redirect("finance:ledger", agreement.pk)
    return render(request, "finance/transaction_form.html", {"agreement": agreement, "form": form})


@login_required
@require_POST
def evidence_upload(request, transaction_id: int):
    txn = Transaction.objects.select_related("agreement__proposal").filter(pk=transaction_id).first()
    if txn is None:
        raise Http404
    _entry_allowed_or_raise(request.user, txn.agreement)
    form = EvidenceForm(request.POST, request.FILES)
    agreement_id = int_param(request.POST, "agreement")
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            item = evidence_attach(actor=request.user, transaction_id=transaction_id, name=upload.name,
                                   content=upload.read())
        except ValidationFailed as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Evidence attached."))
            agreement_id = item.agreement_id
    return redirect("finance:ledger", agreement_id) if agreement_id else redirect("finance:home")


@login_required
def evidence_download(request, evidence_id: int):
    item = EvidenceFile.objects.select_related("agreement__proposal").filter(pk=evidence_id).first()
    if item is None or not can_view_agreement(request.user, item.agreement):
        raise Http404
    response = FileResponse(item.file.open("rb"), as_attachment=True, filename=item.original_name,
                            content_type=item.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def flag_detail(request, flag_id: int):
    flag = flag_get_for_user_or_raise(user=request.user, flag_id=flag_id)
    form = ExplainForm(request.POST or None, request.FILES or None) if can_explain_flag(request.user, flag) else None
    if request.method == "POST":
        if form is None:
            raise AccessDenied(_("You may not answer this flag."), code="flag_forbidden")
        if form.is_valid():
            upload = form.cleaned_data.get("file")
            try:
                flag_explain(actor=request.user, flag_id=flag.pk, explanation=form.cleaned_data["explanation"],
                             evidence_name=upload.name if upload else "",
                             evidence_content=upload.read() if upload else None)
            except ValidationFailed as exc:
                form.add_error("file" if exc.field == "file" else None, str(exc.message))
            else:
                messages.success(request, _("Your explanation was sent to the program manager."))
                return redirect("finance:ledger", flag.agreement_id)
    return render(request, "finance/flag.html", {
        "flag": flag, "form": form, "decide_form": DecideForm() if can_decide_flag(request.user, flag) else None,
        "evidence": flag.evidence_files.all(), "source": flag_source(flag.code),
    })


@login_required
@require_POST
def flag_decide_view(request, flag_id: int):
    flag = flag_get_for_user_or_raise(user=request.user, flag_id=flag_id)
    if not can_manage_settlement(request.user):  # permission before the form says anything
        raise AccessDenied(_("Only program managers decide on explanations."), code="flag_decide_forbidden")
    form = DecideForm(request.POST)
    if form.is_valid():
        flag_decide(actor=request.user, flag_id=flag.pk, accept=form.cleaned_data["decision"] == "accept",
                    note=form.cleaned_data["note"])
        messages.success(request, _("Decision saved."))
    target = request.POST.get("next", "")
    return redirect(target) if target.startswith("/finance/") else redirect("finance:ledger", flag.agreement_id)


def _scope(request) -> tuple[int | None, int | None, Call | None, Program | None]:
    call_id = parse_int(request.GET.get("call") or request.POST.get("call"), "call")
    program_id = parse_int(request.GET.get("program") or request.POST.get("program"), "program")
    call = Call.objects.filter(pk=call_id).first() if call_id else None
    program = Program.objects.filter(pk=program_id).first() if program_id and not call else None
    return (call.pk if call else None), (program.pk if program else None), call, program


def _scope_choices():
    calls = Call.objects.filter(proposals__agreement__isnull=False).distinct().order_by("-opens_at")[:100]
    programs = Program.objects.filter(calls__proposals__agreement__isnull=False).distinct().order_by("-year", "code")
    return calls, programs


@login_required
def dashboard(request):
    call_id, program_id, call, program = _scope(request)
    data = dashboard_for_scope(user=request.user, call_id=call_id, program_id=program_id)
    calls, programs = _scope_choices()
    return render(request, "finance/dashboard.html", {
        **data, "call": call, "program": program, "calls": calls, "programs": programs,
        "runs": run_list(user=request.user, limit=10), "waiting_flags": explanations_waiting(user=request.user),
        "manager": can_manage_settlement(request.user),
        "draft_calls": Call.objects.filter(proposals__agreement__status=AgreementStatus.DRAFT)
        .distinct().order_by("-opens_at")[:20] if can_manage_settlement(request.user) else [],
    })


@login_required
@require_POST
def agreements_create_view(request):
    call_id = int_param(request.POST, "call")
    made = agreements_conclude_for_call(actor=request.user, call_id=call_id or 0)
    messages.success(request, _("%(n)s agreements concluded.") % {"n": made})
    return redirect("finance:dashboard")


@login_required
@require_POST
def run_start(request):
    call_id, program_id, _call, _program = _scope(request)
    try:
        run = settlement_run_start(actor=request.user, call_id=call_id, program_id=program_id)
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        return redirect("finance:dashboard")
    return redirect("finance:run", run.pk)


@login_required
def run_detail(request, run_id: int):
    run = run_get_for_user_or_raise(user=request.user, run_id=run_id)
    poll = run.status in (RunStatus.QUEUED, RunStatus.RUNNING)
    template = "finance/_run.html" if request.headers.get("HX-Request") else "finance/run.html"
    month = text_param(request.GET, "month", max_length=7)
    parts = run_part_rows(run=run) if run.partitioned else []
    return render(request, template, {"run": run, "poll": poll, "manager": can_manage_settlement(request.user),
                                      "parts": parts, "parts_failed": any(p["resumable"] for p in parts),
                                      "sample": run_audit_sample(user=request.user, run=run, month=month)})


@login_required
@require_POST
def run_resume(request, run_id: int):
    settlement_run_resume(actor=request.user, run_id=run_id)
    return redirect("finance:run", run_id)


@login_required
def run_report(request, run_id: int):
    with tempfile.TemporaryDirectory(prefix="doyak-report-") as folder:
        path = Path(folder) / "report.xlsx"
        settlement_report_for_run(user=request.user, run_id=run_id, path=path)
        content = path.read_bytes()
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="settlement-run-{run_id}.xlsx"'
    return response


@login_required
@require_POST
def agreement_close(request, agreement_id: int):
    try:
        closed = settlement_close(actor=request.user, agreement_id=agreement_id)
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Settlement closed. Clawback recorded: %(won)s won.") % {
            "won": f"{closed.clawback_krw:,}"})
    return redirect("finance:ledger", agreement_id)


@login_required
def what_if(request):
    if not can_view_dashboard(request.user):
        raise AccessDenied(_("Only program managers and auditors see the settlement dashboard."),
                           code="dashboard_forbidden")
    call_id, program_id, call, program = _scope(request)
    calls, programs = _scope_choices()
    exemptions: dict[str, int] = {}
    errors: list[str] = []
    for value, label in Category.choices:
        raw = request.GET.get(f"exemption_{value}", "").strip()
        if raw:
            try:
                exemptions[value] = parse_won(raw)
            except WonInvalid as exc:
                errors.append(_("%(category)s: %(problem)s") % {"category": label, "problem": exc})
    org_ids = int_list_param(request.GET, "organization")
    result = None
    if (call_id or program_id) and not errors and (exemptions or org_ids):
        try:
            result = settlement_what_if_for_scope(user=request.user, call_id=call_id, program_id=program_id,
                                                  exemptions=exemptions, organization_ids=org_ids)
        except DoyakError as exc:
            errors.append(str(exc.message))
    scope_agreements = Agreement.objects.filter(proposal__call_id=call_id) if call_id else (
        Agreement.objects.filter(proposal__call__program_id=program_id) if program_id else Agreement.objects.none())
    organizations = Organization.objects.filter(led_proposals__agreement__in=scope_agreements).distinct().order_by(
        "name")
    figure_labels = {
        "projects": _("Projects"), "transactions": _("Transactions"), "spend": _("Spend (won)"),
        "checked_transactions": _("Transactions checked one by one"), "checked_spend": _("Spend checked (won)"),
        "sampled_spend": _("Spend settled on the report, sampled (won)"),
        "evidence_documents": _("Evidence documents needed"), "evidence_exempt": _("Transactions exempt from evidence"),
        "flagged_transactions": _("Flagged transactions"), "flags": _("Flags"), "ineligible": _("Ineligible (won)"),
        "clawback": _("Clawback (won)"),
    }
    rows = [(figure_labels[name], name, before, after, delta) for name, before, after, delta in result.rows()] \
        if result else []
    return render(request, "finance/what_if.html", {
        "call": call, "program": program, "calls": calls, "programs": programs, "categories": Category.choices,
        "exemption_fields": what_if_threshold_rows(policy=settlement_policy_current(), exemptions=exemptions,
                                                   typed=request.GET),
        "organizations": organizations, "org_ids": set(org_ids), "result": result, "rows": rows, "errors": errors,
    })
