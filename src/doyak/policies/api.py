
import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from doyak.core.errors import AccessDenied
from doyak.core.inputs import Date, JsonValue, LongText, Text
from doyak.core.pagination import BoundedPageNumberPagination

from .rules import can_manage_policies
from .selectors import policy_history, policy_list_current
from .services import policy_change, policy_coerce, policy_record

router = Router(tags=["policies"])


class PolicyOut(Schema):
    key: str
    version: int
    value: Any
    value_type: str
    unit: str
    label_ko: str
    label_en: str
    source: str
    confirmed: bool
    effective_from: dt.date
    effective_to: dt.date | None


class PolicyChangeIn(Schema):
    value: JsonValue
    effective_from: Date
    source: Text(300, min_length=1)
    note: LongText = ""
    effective_to: Date | None = None
    confirmed: bool = True


PolicyKey = Text(100, min_length=1)


@router.get("", response=list[PolicyOut])
@paginate(BoundedPageNumberPagination, page_size=100)
def policy_list(request, on: Date | None = None):
    return policy_list_current(on=on)


@router.get("/{key}", response=PolicyOut)
def policy_detail(request, key: PolicyKey, on: Date | None = None):
    record = policy_record(key=key, on=on)
    record.value = policy_coerce(record.value, record.value_type)
    return record


@router.get("/{key}/versions", response=list[PolicyOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def policy_versions(request, key: PolicyKey):
    return policy_history(key=key)


@router.post("/{key}/versions", response={201: PolicyOut})
def policy_version_create(request, key: PolicyKey, payload: PolicyChangeIn):
    if not can_manage_policies(request.user):
        raise AccessDenied(_("Only administrators change policy settings."), code="policy_forbidden")
    return Status(201, policy_change(actor=request.user, key=key, **payload.dict()))
