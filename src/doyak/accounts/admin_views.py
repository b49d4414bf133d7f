"""Administration in the application: the administrator's list of users, invitations, roles and organisations,
deactivation and reactivation. Each action is a service (audited); every page asks ``can_manage_users``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from doyak.core.errors import AccessDenied, DoyakError
from doyak.core.pagination import page_of
from doyak.core.params import text_param

from .enums import Role
from .forms import UserInviteForm, UserRoleForm
from .models import User
from .rules import can_manage_users
from .services import user_active_set, user_invite, user_role_set


def _manager_or_raise(request) -> None:
    if not can_manage_users(request.user):
        raise AccessDenied(_("Only administrators manage user accounts."), code="users_forbidden")


def _form_error(form, exc: DoyakError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))


@login_required
def user_list(request):
    _manager_or_raise(request)
    filters = {"q": text_param(request.GET, "q", max_length=100), "role": request.GET.get("role", ""),
               "active": request.GET.get("active", "")}
    users = User.objects.select_related("organization").order_by("username")
    if filters["q"]:
        users = users.filter(Q(username__icontains=filters["q"]) | Q(display_name__icontains=filters["q"])
                             | Q(email__icontains=filters["q"]) | Q(organization__name__icontains=filters["q"]))
    if filters["role"] in Role.values:
        users = users.filter(role=filters["role"])
    if filters["active"] in ("yes", "no"):
        users = users.filter(is_active=filters["active"] == "yes")
    form = UserInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invited = user_invite(actor=request.user, email=data["email"], display_name=data["display_name"],
                                  role=data["role"], organization_id=data["organization"].pk if data["organization"]
                                  else None, base_url=request.build_absolute_uri("/"))
        except DoyakError as exc:
            if exc.http_status == 403:
                raise
            _form_error(form, exc)
        else:
            messages.success(request, _("%(name)s is invited: an e-mail with a link to set a password went to "
                                        "%(email)s.") % {"name": invited, "email": invited.email})
            return redirect("accounts:users")
    return render(request, "accounts/users.html", {
        "page_obj": page_of(request, users), "filters": filters, "roles": Role.choices, "form": form,
    }, status=422 if form.errors else 200)


@login_required
def user_detail(request, user_id: int):
    _manager_or_raise(request)
    person = get_object_or_404(User.objects.select_related("organization"), pk=user_id)
    form = UserRoleForm(request.POST or None, initial={"role": person.role, "organization": person.organization})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user_role_set(actor=request.user, user_id=person.pk, role=data["role"],
                          organization_id=data["organization"].pk if data["organization"] else None)
        except DoyakError as exc:
            if exc.http_status == 403:
                raise
            _form_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("accounts:user_detail", person.pk)
    return render(request, "accounts/user_detail.html", {"person": person, "form": form},
                  status=422 if form.errors else 200)


@login_required
@require_POST
def user_active(request, user_id: int, state: str):
    _manager_or_raise(request)
    if state not in ("on", "off"):
        raise Http404
    try:
        person = user_active_set(actor=request.user, user_id=user_id, active=state == "on")
    except DoyakError as exc:
        if exc.http_status in (403, 404):
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, (_("%(name)s can sign in again.") if person.is_active else
                                   _("%(name)s can no longer sign in.")) % {"name": person})
    return redirect("accounts:user_detail", user_id)
