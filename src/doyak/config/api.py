"""The REST API at /api/v1/: one NinjaAPI, routers from the domain apps, errors as JSON with a code.

Assembled here, above the apps, because it names every app's router; core (the ground floor) only
provides the error type and its own audit router.
"""

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.docs import Swagger, _csrf_needed
from ninja.security import APIKeyHeader, HttpBearer, django_auth

from doyak.accounts.api import router as accounts_router
from doyak.accounts.services import api_token_authenticate
from doyak.agreements.api import router as agreements_router
from doyak.calls.api import router as calls_router
from doyak.capacity.api import router as capacity_router
from doyak.capacity.api import talent_router
from doyak.core.audit_api import router as audit_router
from doyak.core.errors import DoyakError
from doyak.evaluation.api import router as evaluation_router
from doyak.execution.api import mine_router as execution_mine_router
from doyak.execution.api import router as execution_router
from doyak.finance.api import router as finance_router
from doyak.kpi.api import router as kpi_router
from doyak.max.api import router as max_router
from doyak.organizations.api import router as organizations_router
from doyak.policies.api import router as policies_router
from doyak.portfolio.api import router as portfolio_router
from doyak.proposals.api import router as proposals_router
from doyak.regulation.api import router as regulation_router


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


class ErrorOut(Schema):
    """Every error the API answers: a stable ``code`` for programs, a ``message`` for people, the ``field``."""

    code: str
    message: str
    field: str | None


class ValidationErrorOut(ErrorOut):
    """422: the first invalid field in ``field``, every problem in ``errors``."""

    errors: list[dict] = []


ERROR_DESCRIPTIONS = {
    400: "Bad request: a value the API cannot use (`code` says which rule).",
    401: "Not signed in, or the API token is unknown, revoked or belongs to a locked account.",
    403: "Signed in, but this role or organisation may not do this.",
    404: "No such object, or not one this user may see.",
    409: "The object is not in a state that allows this (for example a transition already made).",
    422: "The input does not match the schema; `field` names the first invalid field.",
}
WRITE_METHODS = {"post", "put", "patch", "delete"}


def error_statuses(method: str, path: str, operation: dict) -> list[int]:
    """The 4xx statuses an operation can answer, from what it takes: input, a path id, a write, a sign-in."""
    statuses = []
    has_input = bool(operation.get("parameters")) or "requestBody" in operation
    if has_input:
        statuses += [400, 422]
    if operation.get("security"):
        statuses += [401, 403]
    if "{" in path:
        statuses.append(404)
    if method in WRITE_METHODS:
        statuses.append(409)
    return sorted(statuses)


class DoyakAPI(NinjaAPI):
    """The OpenAPI document also lists, for each operation, the error statuses it can answer and their schema."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in (ErrorOut, ValidationErrorOut):
            components[model.__name__] = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for path, item in schema["paths"].items():
            for method, operation in item.items():
                responses = operation.setdefault("responses", {})
                for status in error_statuses(method, path, operation):
                    name = "ValidationErrorOut" if status == 422 else "ErrorOut"
                    responses.setdefault(status, {
                        "description": ERROR_DESCRIPTIONS[status],
                        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
                    })
        return schema


class LocalSwagger(Swagger):
    """Swagger UI from the swagger-ui-dist npm package (static files), never from a CDN, and no inline script."""

    def render_page(self, request, api, **kwargs):
        swagger_settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        context = {"swagger_settings": swagger_settings, "api": api, "add_csrf": _csrf_needed(api)}
        return render(request, "core/api_docs.html", context)


api = DoyakAPI(
    title="doyak API",
    version="1",
    description="Industrial R&D programs: organisations, researchers, policies, audit. Errors carry a stable `code`.",
    auth=[TokenAuth(), TokenHeaderAuth(), django_auth],
    urls_namespace="api-v1",
    docs_url="/docs",
    docs=LocalSwagger(settings={"persistAuthorization": False}),
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
api.add_router("/agreements", agreements_router)
api.add_router("/agreements", execution_router)  # reports, evaluations, stops of an agreement
api.add_router("/execution", execution_mine_router)  # an evaluator's own panel seats
api.add_router("/finance", finance_router)
api.add_router("/max", max_router)
api.add_router("/kpi", kpi_router)
api.add_router("/regulation", regulation_router)
api.add_router("/capacity", capacity_router)
api.add_router("/talent", talent_router)
