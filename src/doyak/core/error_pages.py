"""Error pages in the application shell (400/403/404/405/500), Korean and English, each saying what to do
next; the API keeps its JSON errors (``{"code", "message", "field"}``).

Django calls ``bad_request``, ``permission_denied``, ``page_not_found`` and ``server_error`` (see
``config/urls.py``: ``handler400`` …); a ``BadRequest`` raised by ``core.params`` carries the sentence that
names the parameter, and the page shows it. ``require_POST`` and its kind answer with a bare
``HttpResponseNotAllowed``; ``NotAllowedPageMiddleware`` renders it in the shell for people, keeping its
``Allow`` header.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"


def _titles() -> dict[int, tuple[str, str]]:
    """Per status: the heading and the default explanation."""
    return {
        400: (_("The request could not be read"),
              _("Something in the address or the form was not in the form doyak expects.")),
        403: (_("You may not open this page"),
              _("Your account's role or organization does not give access to this page.")),
        404: (_("Page not found"),
              _("The address may be mistyped, or the page was moved or removed.")),
        405: (_("This page cannot be opened this way"),
              _("The page accepts only a form sent from the screen, not an address typed or bookmarked.")),
        500: (_("Something went wrong on our side"),
              _("doyak could not finish the request. Nothing you sent was lost by showing this page; "
                "try again in a moment.")),
    }


_CODES = {400: "bad_request", 403: "forbidden", 404: "not_found", 405: "method_not_allowed", 500: "server_error"}


def _detail(exception) -> str:
    """The sentence of a ``BadRequest``/``PermissionDenied`` raised on purpose (our code writes them for people)."""
    if exception is None or not exception.args:
        return ""
    text = str(exception.args[0])
    return text if text and "\n" not in text and len(text) < 300 else ""


def _back_url(request) -> str:
    """The page the person came from, when it is one of ours (never another site's address)."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return referer
    return ""


def error_response(request, status: int, *, detail: str = "", code: str | None = None) -> HttpResponse:
    """The error page for ``status`` (or the API's JSON error under ``/api/``)."""
    titles = _titles()
    title, explanation = titles.get(status, titles[400])
    code = code or _CODES.get(status, "error")
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"code": code, "message": detail or title, "field": None}, status=status)
    context = {"status": status, "title": title, "explanation": explanation, "detail": detail, "code": code,
               "help_email": settings.DOYAK_HELP_EMAIL, "back_url": _back_url(request),
               "signed_in": bool(getattr(getattr(request, "user", None), "is_authenticated", False))}
    try:
        body = render_to_string("core/error_page.html", context, request=request)
    except Exception:  # a broken database or template must not hide the error page itself
        logger.exception("error page %s could not be rendered in the shell", status)
        body = render_to_string("core/error_page_plain.html", context)
    return HttpResponse(body, status=status)


def bad_request(request, exception=None):
    return error_response(request, 400, detail=_detail(exception))


def permission_denied(request, exception=None):
    return error_response(request, 403, detail=_detail(exception))


def page_not_found(request, exception=None):
    return error_response(request, 404)


def server_error(request):
    return error_response(request, 500)


class NotAllowedPageMiddleware:
    """A 405 (``require_POST`` and its kind) for an HTML request renders in the shell, ``Allow`` kept."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or request.path.startswith(API_PREFIX) or response.get("Content-Type", "")\
                .startswith("application/json") or getattr(response, "streaming", False) or len(response.content):
            return response
        page = error_response(request, 405)
        if "Allow" in response:
            page["Allow"] = response["Allow"]
        return page
