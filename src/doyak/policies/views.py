from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from doyak.core.errors import AccessDenied, DoyakError
from doyak.core.pagination import page_of
from doyak.core.params import date_param

from .forms import PolicyChangeForm
from .rules import can_manage_policies
from .selectors import policy_history, policy_list_current
from .services import policy_change, policy_record


@login_required
def policy_list(request):
    on = date_param(request.GET, "on", default=timezone.localdate())
    q = request.GET.get("q", "").strip()
    page_obj = page_of(request, policy_list_current(on=on, q=q))
    return render(request, "policies/list.html", {"policies": page_obj.object_list, "page_obj": page_obj,
                                                  "on": on, "q": q})


@login_required
def policy_detail(request, key: str):
    current = policy_record(key=key)
    form = None
    if can_manage_policies(request.user):
        form = PolicyChangeForm(request.POST or None, initial={"effective_from": timezone.localdate()})
        if request.method == "POST" and form.is_valid():
            try:
                policy_change(actor=request.user, key=key, **form.cleaned_data)
            except DoyakError as exc:
                form.add_error("value" if exc.field == "value" else None, str(exc.message))
            else:
                messages.success(request, _("New version saved."))
                return redirect("policies:detail", key=key)
    elif request.method == "POST":
        raise AccessDenied(_("Only administrators change policy settings."), code="policy_forbidden")
    return render(request, "policies/detail.html", {"current": current, "history": policy_history(key=key), "form": form})
