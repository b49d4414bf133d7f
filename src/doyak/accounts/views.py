from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .services import api_token_create, api_token_revoke


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@login_required
def token_list(request):
    new_key = None
    if request.method == "POST":
        _token, new_key = api_token_create(user=request.user, name=request.POST.get("name", ""))
        messages.success(request, _("Token created. Copy it now: it is shown only once."))
    tokens = request.user.api_tokens.all()
    return render(request, "accounts/tokens.html", {"tokens": tokens, "new_key": new_key})


@login_required
@require_POST
def token_revoke(request, token_id: int):
    api_token_revoke(user=request.user, token_id=token_id)
    messages.success(request, _("Token revoked."))
    return redirect("accounts:tokens")
