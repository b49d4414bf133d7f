"""The OpenAPI document: one name per schema, every error status an operation can answer documented."""

import typing

import pytest
from pydantic import BaseModel

pytestmark = pytest.mark.django_db

ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
VALIDATION_REF = {"$ref": "#/components/schemas/ValidationErrorOut"}


def _models_in(annotation, found: set) -> None:
    """Every pydantic model an annotation mentions, through lists, unions and nested fields."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in found:
            return
        found.add(annotation)
        for field in annotation.model_fields.values():
            _models_in(field.annotation, found)
    for argument in typing.get_args(annotation):
        _models_in(argument, found)


def test_openapi_schema_names_unique():
    # given every schema class an operation takes or answers with (ninja files them under the class name and
    # silently overwrites a name that two classes share)
    from doyak.config.api import api

    found: set = set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.models:
                    _models_in(model, found)
                for model in operation.response_models.values():
                    _models_in(model, found)
    # when they are grouped by the name the document gives them (ninja's own wrappers excluded)
    by_name: dict[str, set[str]] = {}
    for model in found:
        if not model.__module__.startswith("ninja"):
            by_name.setdefault(model.__name__, set()).add(f"{model.__module__}.{model.__qualname__}")
    # then each name belongs to one class
    assert {name: sorted(classes) for name, classes in by_name.items() if len(classes) > 1} == {}
    assert {"EvaluationRunIn", "EvaluationRunOut", "SettlementRunIn", "SettlementRunOut"} <= set(by_name)


def test_openapi_every_operation_documents_its_errors(client):
    # given the document as clients read it
    document = client.get("/api/v1/openapi.json").json()
    missing = {}
    operations = 0
    # when each operation's responses are compared with what it can answer
    for path, item in document["paths"].items():
        for method, operation in item.items():
            operations += 1
            expected = set()
            if operation.get("parameters") or "requestBody" in operation:
                expected |= {"400", "422"}
            if operation.get("security"):
                expected |= {"401", "403"}
            if "{" in path:
                expected.add("404")
            if method in {"post", "put", "patch", "delete"}:
                expected.add("409")
            absent = expected - set(operation["responses"])
            if absent:
                missing[f"{method.upper()} {path}"] = sorted(absent)
            for status in expected & set(operation["responses"]):
                schema = operation["responses"][status]["content"]["application/json"]["schema"]
                assert schema == (VALIDATION_REF if status == "422" else ERROR_REF), (method, path, status)
    # then none is missing, and the error schema is the one the API answers with
    assert operations > 60
    assert missing == {}
    error = document["components"]["schemas"]["ErrorOut"]
    assert set(error["properties"]) == {"code", "message", "field"}
    assert set(error["required"]) == {"code", "message", "field"}


def test_openapi_documented_error_matches_answer(client, make_user):
    # given a signed-in applicant who asks for a call that does not exist
    client.force_login(make_user(role="applicant"))
    document = client.get("/api/v1/openapi.json").json()
    # when the API answers 404
    response = client.get("/api/v1/calls/999999")
    # then the body has exactly the documented error fields, and the operation documents 404
    assert response.status_code == 404
    assert set(response.json()) == set(document["components"]["schemas"]["ErrorOut"]["properties"])
    assert "404" in document["paths"]["/api/v1/calls/{call_id}"]["get"]["responses"]


def test_api_docs_page_loads_nothing_from_elsewhere(client):
    # when the documentation page is served
    response = client.get("/api/v1/docs")
    html = response.content.decode()
    # then its script and styles are our static files, with no inline script, under the site's policy
    assert response.status_code == 200
    assert "/static/swagger-ui/swagger-ui-bundle.js" in html
    assert "/static/doyak/api-docs.js" in html
    assert "cdn" not in html.lower() and "https://" not in html
    assert "script-src 'self'" in response["Content-Security-Policy"]
