
import datetime as dt
from typing import Any

from ninja import Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

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
    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


@router.get("/events", response=list[AuditEventOut])
@paginate(PageNumberPagination, page_size=50)
def audit_events(request, filters: Query[AuditFilter]):
    return audit_event_list_for_user(user=request.user, **filters.dict())
