"""The shared list pager: bounded page size, page numbers checked at the edge."""

from __future__ import annotations

import pytest
from django.core.exceptions import BadRequest
from django.test import RequestFactory

from doyak.core.pagination import PAGE_SIZE_MAX, page_of


def _page(query: str, items, **kwargs):
    return page_of(RequestFactory().get("/list/" + query), items, **kwargs)


def test_page_of_shows_the_asked_page():
    page = _page("?page=2", list(range(120)))
    assert (page.number, list(page.object_list)[:2], page.paginator.num_pages) == (2, [50, 51], 3)


def test_page_of_answers_a_page_past_the_end_with_the_last_and_a_malformed_one_with_400():
    items = list(range(120))
    assert _page("?page=999", items).number == 3
    assert _page("", items).number == 1
    for query in ("?page=100000000000000000000", "?page=%C2%B2", "?page=abc", "?page=0"):
        with pytest.raises(BadRequest):
            _page(query, items)


def test_page_of_caps_the_page_size():
    page = _page("", list(range(1000)), per_page=10_000)
    assert len(page.object_list) == PAGE_SIZE_MAX


def test_page_of_reads_its_own_parameter():
    assert _page("?page=3&flags_page=2", list(range(120)), param="flags_page").number == 2
