
import datetime as dt

from ninja import Router, Schema, Status

from .services import api_token_create, api_token_revoke

router = Router(tags=["accounts"])


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    role: str
    organization_id: int | None


class TokenIn(Schema):
    name: str


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
def token_list(request):
    return list(request.user.api_tokens.all())


@router.post("/tokens", response={201: TokenCreatedOut})
def token_create(request, payload: TokenIn):
    token, raw = api_token_create(user=request.user, name=payload.name)
    return Status(201, {**TokenOut.from_orm(token).dict(), "key": raw})


@router.delete("/tokens/{token_id}", response=TokenOut)
def token_revoke(request, token_id: int):
    return api_token_revoke(user=request.user, token_id=token_id)
