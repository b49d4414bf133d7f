"""HTML query and form parameters, parsed in one place: a malformed or out-of-range value answers 400.

``?call=²`` passes ``str.isdigit()`` but not ``int()``; ``?page=100000000000000000000`` overflows the
database; ``?since=2024-02-30`` is well formed but no date. Views read parameters through these helpers
and Django turns ``BadRequest`` into a 400 page.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from django.core.exceptions import BadRequest
from django.utils.translation import gettext as _

from .inputs import BIGINT_MAX, PAGE_MAX, text_problem

_DIGITS = re.compile(r"[0-9]{1,19}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_int(raw: str | None, name: str, *, minimum: int = 1, maximum: int = BIGINT_MAX,
              default: int | None = None) -> int | None:
    """``raw`` as an ASCII integer in ``minimum..maximum``; ``default`` when empty; BadRequest otherwise."""
    raw = (raw or "").strip()
    if not raw:
        return default
    if not _DIGITS.fullmatch(raw) or not minimum <= int(raw) <= maximum:
        raise BadRequest(_("%(name)s must be a whole number from %(min)s to %(max)s.")
                         % {"name": name, "min": minimum, "max": maximum})
    return int(raw)


def int_param(params: Mapping, name: str, *, minimum: int = 1, maximum: int = BIGINT_MAX,
              default: int | None = None) -> int | None:
    """One integer parameter of ``request.GET`` / ``request.POST`` (an id by default: 1..2**63-1)."""
    return parse_int(params.get(name), name, minimum=minimum, maximum=maximum, default=default)


def int_list_param(params, name: str, *, minimum: int = 1, maximum: int = BIGINT_MAX) -> list[int]:
    """Every value of a repeated integer parameter (``?ids=1&ids=2``); empty values are skipped."""
    return [v for v in (parse_int(raw, name, minimum=minimum, maximum=maximum) for raw in params.getlist(name))
            if v is not None]


def page_param(params: Mapping, name: str = "page") -> int:
    """A page number, 1..PAGE_MAX, 1 when absent."""
    return parse_int(params.get(name), name, minimum=1, maximum=PAGE_MAX, default=1)


def date_param(params: Mapping, name: str, *, default: dt.date | None = None) -> dt.date | None:
    """A ``YYYY-MM-DD`` date that exists; ``default`` when empty; BadRequest otherwise."""
    raw = (params.get(name) or "").strip()
    if not raw:
        return default
    try:
        if not _DATE.fullmatch(raw):
            raise ValueError(raw)
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise BadRequest(_("%(name)s must be a date (YYYY-MM-DD).") % {"name": name}) from None


def whole_number(text: str, *, maximum: int = BIGINT_MAX) -> int | None:
    """``text`` (ASCII digits only, e.g. a won amount typed into a form cell) as an int, or None."""
    text = (text or "").strip()
    if not _DIGITS.fullmatch(text) or int(text) > maximum:
        return None
    return int(text)


def bounded_text(raw: str | None, maximum: int) -> str:
    """A free-text parameter, stripped and cut to ``maximum`` characters (NUL characters dropped)."""
    return (raw or "").replace("\x00", "").strip()[:maximum]
def text_param(params: Mapping, name: str, *, max_length: int = 200) -> str:
    """A free-text filter (``?q=…``), stripped; BadRequest when longer than ``max_length`` or when it holds what
    no column can store (NUL: PostgreSQL refuses it in a query and answered 500)."""
    raw = (params.get(name) or "").strip()
    if len(raw) > max_length:
        raise BadRequest(_("%(name)s must be at most %(max)s characters.") % {"name": name, "max": max_length})
    problem = text_problem(raw)
    if problem:
        raise BadRequest(f"{name}: {problem}")
    return raw
