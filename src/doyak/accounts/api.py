
import datetime as dt

from ninja import Router, Schema, Status
from ninja.pagination import paginate

from doyak.core.inputs import Id, Text
from doyak.core.pagination import BoundedPageNumberPagination

from .services import api_token_create, api_token_revoke

router = Router(tags=["accounts"])


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    role: str
    organization_id: int | None


class TokenIn(Schema):
    name: Text(100, min_length=1)


class TokenOut(Schema):
    id: int
    name: str
    key_prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreatedOut(TokenOut):
    key: str


@router.get("/me", response=MeOut)
def me(request):
    return request.user


@router.get("/tokens", response=list[TokenOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def token_list(request):
    return request.user.api_tokens.order_by("-created_at", "-id")


@router.post("/tokens", response={201: TokenCreatedOut})
def token_create(request, payload: TokenIn):
    token, raw = api_token_create(user=request.user, name=payload.name)
    return Status(201, {**TokenOut.from_orm(token).dict(), "key": raw})


@router.delete("/tokens/{token_id}", response=TokenOut)
def token_revoke(request, token_id: Id):
    return api_token_revoke(user=request.user, token_id=token_id)
