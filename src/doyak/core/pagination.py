"""One way to page a list on a screen: a bounded page size and a page number read leniently (a number that is
not one, or past the end, shows the first or the last page), rendered by ``core/_pagination.html``."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

PAGE_SIZE = 50  # rows a list screen shows at once (an interface setting, not a policy)
PAGE_SIZE_MAX = 200


def page_of(request, items: QuerySet | Sequence, *, per_page: int = PAGE_SIZE, param: str = "page") -> Page:
    """The page of ``items`` the request asks for in ``param``; ``per_page`` is capped at ``PAGE_SIZE_MAX``."""
    return Paginator(items, min(max(1, per_page), PAGE_SIZE_MAX)).get_page(request.GET.get(param))
