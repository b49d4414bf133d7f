"""The REST API at /api/v1/: one NinjaAPI, routers from the domain apps, errors as JSON with a code.

Assembled here, above the apps, because it names every app's router; core (the ground floor) only
provides the error type and its own audit router.
"""

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyHeader, HttpBearer, django_auth

from doyak.accounts.api import router as accounts_router
from doyak.accounts.services import api_token_authenticate
from doyak.calls.api import router as calls_router
from doyak.core.audit_api import router as audit_router
from doyak.core.errors import DoyakError
from doyak.evaluation.api import router as evaluation_router
from doyak.finance.api import router as finance_router
from doyak.organizations.api import router as organizations_router
from doyak.policies.api import router as policies_router
from doyak.portfolio.api import router as portfolio_router
from doyak.proposals.api import router as proposals_router


class TokenAuth(HttpBearer):
    """``Authorization: Bearer dyk_…`` with a personal, revocable token."""

    def authenticate(self, request, token):
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class TokenHeaderAuth(APIKeyHeader):
    """The same token in ``X-API-Key`` for clients that cannot set Authorization."""

    param_name = "X-API-Key"

    def authenticate(self, request, key):
        user = api_token_authenticate(key or "")
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="doyak API",
    version="1",
    description="Industrial R&D programs: organisations, researchers, policies, audit. Errors carry a stable `code`.",
    auth=[TokenAuth(), TokenHeaderAuth(), django_auth],
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


@api.exception_handler(DoyakError)
def _doyak_error(request, exc: DoyakError):
    return api.create_response(request, exc.as_dict(), status=exc.http_status)


@api.exception_handler(AuthenticationError)
def _auth_error(request, exc):
    return api.create_response(
        request, {"code": "unauthorized", "message": _("Sign in or send a valid API token."), "field": None}, status=401
    )


def _error_field(loc) -> str | None:
    """``("body", "payload", 0, "gov_krw")`` → ``"0.gov_krw"``; ``("query", "page")`` → ``"page"``."""
    parts = [str(part) for part in loc]
    if parts[:1] == ["body"] and len(parts) > 2:
        parts = parts[2:]  # drop the endpoint's parameter name: clients know the field, not "payload"
    else:
        parts = parts[1:]
    return ".".join(parts) or None


@api.exception_handler(NinjaValidationError)
def _validation_error(request, exc: NinjaValidationError):
    """422 in the API's one error shape; ``errors`` lists every problem (JSON-safe: no input echoed back)."""
    errors = [{"field": _error_field(e.get("loc", ())), "type": str(e.get("type", "")), "message": str(e.get("msg", ""))}
              for e in exc.errors]
    first = errors[0] if errors else {"field": None, "message": _("Invalid input.")}
    return api.create_response(
        request,
        {"code": "validation_error", "message": first["message"], "field": first["field"], "errors": errors},
        status=422,
    )


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"code": "not_found", "message": _("Not found."), "field": None}, status=404)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return api.create_response(
        request, {"code": f"http_{exc.status_code}", "message": str(exc), "field": None}, status=exc.status_code
    )


api.add_router("/", accounts_router)
api.add_router("/", organizations_router)
api.add_router("/policies", policies_router)
api.add_router("/audit", audit_router)
api.add_router("/calls", calls_router)
api.add_router("/proposals", proposals_router)
api.add_router("/evaluation", evaluation_router)
api.add_router("/portfolio", portfolio_router)
api.add_router("/finance", finance_router)
