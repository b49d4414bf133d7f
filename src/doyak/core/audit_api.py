
import datetime as dt
from typing import Any

from ninja import Query, Router, Schema
from ninja.pagination import paginate

from .inputs import Date, Text
from .pagination import BoundedPageNumberPagination
from .selectors import audit_event_list_for_user

router = Router(tags=["audit"])


class AuditEventOut(Schema):
    id: int
    at: dt.datetime
    actor_label: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    changes: dict[str, Any]


class AuditFilter(Schema):
    actor: Text(200) = ""
    action: Text(100) = ""
    object_type: Text(100) = ""
    object_id: Text(64) = ""
    since: Date | None = None
    until: Date | None = None


@router.get("/events", response=list[AuditEventOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def audit_events(request, filters: Query[AuditFilter]):
    return audit_event_list_for_user(user=request.user, **filters.dict())
