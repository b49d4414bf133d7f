from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from doyak.core.errors import AccessDenied, DoyakError
from doyak.core.exports import XLSX_TYPE
from doyak.core.pagination import page_of
from doyak.core.params import date_param

from . import exports
from .enums import PackStatus
from .forms import IndicatorForm
from .models import MeetingPack
from .presentation import (
    STATUS_CLASSES,
    STATUS_SYMBOLS,
    chart_data,
    dedup_label,
    figure,
    group_label,
    record_url,
    status_label,
)
from .rules import can_make_meeting_pack, can_manage_indicators, can_open_agreements, can_view_board
from .selectors import board, indicator_get_or_raise, indicator_history, indicator_state
from .services import indicator_add, meeting_pack_start

RECORDS_PER_PAGE = 50
PACKS_SHOWN = 5


def _lang() -> str:
    return (get_language() or "ko")[:2]


def _card(state, lang: str) -> dict:
    unit = state.indicator.unit
    return {
        "state": state, "actual": figure(state.actual, unit, lang=lang), "target": figure(state.target, unit, lang=lang),
        "expected": figure(state.expected, unit, lang=lang), "forecast": figure(state.forecast, unit, lang=lang),
        "status_label": status_label(state.status), "symbol": STATUS_SYMBOLS[state.status],
        "status_class": STATUS_CLASSES[state.status],
    }


def _board_allowed_or_raise(user) -> None:
    if not can_view_board(user):
        raise AccessDenied(_("Sign in to see the board."), code="kpi_forbidden")


@login_required
def board_view(request):
    _board_allowed_or_raise(request.user)
    as_of = date_param(request.GET, "as_of", default=timezone.localdate())
    lang = _lang()
    cards = []
    for state in board(as_of=as_of, detail=True, records=False):
        card = _card(state, lang)
        card["chart_id"] = f"chart-{state.key.replace('.', '-')}"
        card["chart"] = chart_data(state, lang=lang, small=True)
        card["years"] = [(r.year, figure(r.target, state.indicator.unit, lang=lang),
                          figure(r.actual, state.indicator.unit, lang=lang)) for r in state.years]
        cards.append(card)
    may_pack = can_make_meeting_pack(request.user)
    packs = list(MeetingPack.objects.defer("pdf", "xlsx").order_by("-created_at", "-pk")[:PACKS_SHOWN]) if may_pack else []
    return render(request, "kpi/board.html", {"cards": cards, "as_of": as_of, "may_pack": may_pack, "packs": packs,
                                              "can_manage": can_manage_indicators(request.user)})


def _pack_allowed_or_raise(user) -> None:
    if not can_make_meeting_pack(user):
        raise AccessDenied(_("Only council members and administrators make the meeting pack."),
                           code="meeting_pack_forbidden")


@login_required
@require_POST
def pack_new(request):
    _pack_allowed_or_raise(request.user)
    as_of = date_param(request.POST, "as_of", default=timezone.localdate())
    pack = meeting_pack_start(actor=request.user, as_of=as_of)
    return redirect("kpi:pack", pack.pk)


def _pack_or_404(pk: int) -> MeetingPack:
    pack = MeetingPack.objects.defer("pdf", "xlsx").filter(pk=pk).first()
    if pack is None:
        raise Http404
    return pack


@login_required
def pack_view(request, pk: int):
    _pack_allowed_or_raise(request.user)
    pack = _pack_or_404(pk)
    return render(request, "kpi/pack.html", {"pack": pack, "working": pack.status in (PackStatus.QUEUED,
                                                                                         PackStatus.RUNNING)})


PACK_FILES = {"pdf": ("pdf", "application/pdf"), "xlsx": ("xlsx", XLSX_TYPE)}


@login_required
def pack_file(request, pk: int, fmt: str):
    _pack_allowed_or_raise(request.user)
    if fmt not in PACK_FILES:
        raise Http404
    column, content_type = PACK_FILES[fmt]
    row = MeetingPack.objects.filter(pk=pk, status=PackStatus.DONE).values_list("as_of", column).first()
    if row is None:
        raise Http404
    as_of, data = row
    response = HttpResponse(bytes(data), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="council-pack-{as_of:%Y%m%d}.{fmt}"'
    return response


@login_required
def indicator_view(request, key: str):
    _board_allowed_or_raise(request.user)
    as_of = date_param(request.GET, "as_of", default=timezone.localdate())
    try:
        indicator = indicator_get_or_raise(key=key, on=as_of)
    except DoyakError:
        raise Http404 from None
    lang = _lang()
    state = indicator_state(indicator=indicator, as_of=as_of)
    unit = indicator.unit
    links = can_open_agreements(request.user)
    page_obj = page_of(request, state.records, per_page=RECORDS_PER_PAGE)
    records = [{"record": r, "value": figure(r.value, unit if indicator.aggregate != "count" else "count", lang=lang),
                "group": group_label(r.region_group),
                "url": record_url(r.ref) if (links or not r.ref.startswith(("agreement:", "change:", "settlement_run:"))) else ""}
               for r in page_obj.object_list]
    years = [{"row": r, "target": figure(r.target, unit, lang=lang), "expected": figure(r.expected, unit, lang=lang),
              "actual": figure(r.actual, unit, lang=lang), "status_label": status_label(r.status),
              "symbol": STATUS_SYMBOLS[r.status]} for r in state.years]
    return render(request, "kpi/indicator.html", {
        **_card(state, lang), "indicator": indicator, "as_of": as_of, "years": years, "records": records,
        "records_total": len(state.records), "page_obj": page_obj,
        "by_group": [(group_label(k), figure(v, unit, lang=lang)) for k, v in state.by_region_group.items()],
        "by_program": [(k or "-", figure(v, unit, lang=lang)) for k, v in state.by_program.items()],
        "chart": chart_data(state, lang=lang), "chart_id": "chart-indicator",
        "history": indicator_history(key=key), "dedup": dedup_label(indicator.dedup_key),
    })


@login_required
def indicator_new(request):
    if not can_manage_indicators(request.user):
        raise AccessDenied(_("Only an administrator adds indicators."), code="indicator_forbidden")
    form = IndicatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            indicator = indicator_add(actor=request.user, **form.cleaned_data)
        except DoyakError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Indicator saved (version %(v)s).") % {"v": indicator.version})
            return redirect("kpi:indicator", indicator.key)
    return render(request, "kpi/indicator_form.html", {"form": form})


@login_required
def export_view(request, fmt: str):
    _board_allowed_or_raise(request.user)
    if fmt not in exports.EXPORTS:
        raise Http404
    encoding = request.GET.get("encoding", "cp949")
    return exports.export_response(fmt, encoding if encoding in exports.ENCODINGS else "cp949")
