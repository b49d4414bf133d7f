"""The API's one pagination: page numbers from 1 to a bound, a bounded page size, ``items`` and ``count``.

A page past the last one is empty; a page outside 1..PAGE_MAX or a page size outside 1..max_page_size is
a 422 naming ``page`` / ``page_size`` (never an offset the database cannot hold).
"""

from __future__ import annotations

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

from .inputs import PAGE_MAX

MAX_PAGE_SIZE = 200


class BoundedPageNumberPagination(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=PAGE_MAX)
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE)

    def __init__(self, page_size: int = 50, max_page_size: int = MAX_PAGE_SIZE, **kwargs) -> None:
        super().__init__(page_size=page_size, max_page_size=min(max_page_size, MAX_PAGE_SIZE), **kwargs)
