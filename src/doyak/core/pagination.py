"""Paging, one way on screens and one way in the API.

Screens: a bounded page size and a page number read by ``params.page_param`` (a malformed or unbounded one is
a 400), a page past the end showing the last one, rendered by ``core/_pagination.html``.

API: page numbers from 1 to a bound, a bounded page size, ``items`` and ``count``. A page past the last one
is empty; a page outside 1..PAGE_MAX or a page size outside 1..max_page_size is a 422 naming ``page`` /
``page_size`` (never an offset the database cannot hold).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

from .inputs import PAGE_MAX
from .params import page_param

PAGE_SIZE = 50  # rows a list screen shows at once (an interface setting, not a policy)
PAGE_SIZE_MAX = 200
MAX_PAGE_SIZE = PAGE_SIZE_MAX


def page_of(request, items: QuerySet | Sequence, *, per_page: int = PAGE_SIZE, param: str = "page") -> Page:
    """The page of ``items`` the request asks for in ``param``; ``per_page`` is capped at ``PAGE_SIZE_MAX``."""
    return Paginator(items, min(max(1, per_page), PAGE_SIZE_MAX)).get_page(page_param(request.GET, param))


class BoundedPageNumberPagination(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=PAGE_MAX)
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE)

    def __init__(self, page_size: int = 50, max_page_size: int = MAX_PAGE_SIZE, **kwargs) -> None:
        super().__init__(page_size=page_size, max_page_size=min(max_page_size, MAX_PAGE_SIZE), **kwargs)
