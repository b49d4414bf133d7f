"""Bounded input types shared by every API schema and form: what the model and the database can hold.

A value outside these bounds is refused at the edge with 400/422 naming the field, so that no service,
query or stored row ever sees it (a title over its column, ``year: 99999``, ``gov_krw: 2**63``, a KPI
target of ``1e40``, a NUL character or a lone surrogate). These are storage limits of the columns, not
policy numbers: the policy limits (budget caps, ratios) are checked by the services.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Annotated, Any

from django.utils.translation import gettext_lazy as _
from pydantic import AfterValidator, Field

# Column limits: BigIntegerField / AutoField ids, PositiveSmallIntegerField, PositiveIntegerField.
BIGINT_MAX = 2**63 - 1
INT_MAX = 2**31 - 1
SMALLINT_MAX = 32767
YEAR_MIN, YEAR_MAX = 1900, 2100
PAGE_MAX = 1_000_000
# TextFields have no column limit; what a person writes in one field of a form stays under this.
TEXT_MAX = 20_000
TAG_MAX, TAGS_MAX = 100, 100


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored as text (NUL, lone surrogate), or None."""
    if "\x00" in value:
        return str(_("must not contain NUL characters"))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return str(_("must be valid Unicode text"))
    return None


def _clean_text(value: str) -> str:
    problem = text_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def Text(max_length: int | None = None, *, min_length: int = 0) -> Any:  # noqa: N802 - reads as a type
    """A string no longer than its column, without NUL or lone surrogates."""
    return Annotated[str, Field(min_length=min_length, max_length=max_length), AfterValidator(_clean_text)]


def Number(*, max_digits: int, decimal_places: int, ge: Decimal | int | None = None,  # noqa: N802
           le: Decimal | int | None = None) -> Any:
    """A finite decimal that fits ``DecimalField(max_digits, decimal_places)``."""
    return Annotated[Decimal, Field(max_digits=max_digits, decimal_places=decimal_places, allow_inf_nan=False,
                                    ge=ge, le=le)]


Id = Annotated[int, Field(ge=1, le=BIGINT_MAX)]
"""A primary key: positive and within a 64-bit column."""

Won = Annotated[int, Field(ge=0, le=BIGINT_MAX)]
"""An amount in won stored in a BigIntegerField: never negative."""

Count = Annotated[int, Field(ge=0, le=INT_MAX)]
"""A count stored in an IntegerField."""

SmallCount = Annotated[int, Field(ge=0, le=SMALLINT_MAX)]
"""A count stored in a PositiveSmallIntegerField."""

Year = Annotated[int, Field(ge=YEAR_MIN, le=YEAR_MAX)]
"""A calendar year of a program, a budget line or a KPI."""


LongText = Text(TEXT_MAX)
"""A TextField's content (an abstract, a note, an explanation)."""

Tags = Annotated[list[Text(TAG_MAX)], Field(max_length=TAGS_MAX)]
"""A JSON list of short codes or keywords."""


def _in_years(value: dt.date) -> dt.date:
    if not YEAR_MIN <= value.year <= YEAR_MAX:
        raise ValueError(str(_("must be a date from %(min)s to %(max)s")) % {"min": YEAR_MIN, "max": YEAR_MAX})
    return value


Date = Annotated[dt.date, AfterValidator(_in_years)]
"""A calendar date within the years a program can run (1900–2100)."""

DateTime = Annotated[dt.datetime, AfterValidator(_in_years)]
"""A moment within 1900–2100 (a year 9999 overflows on conversion to the database's time zone)."""


JSON_DEPTH_MAX, JSON_ITEMS_MAX = 8, 1_000


def json_problem(value: Any, depth: int = 0) -> str | None:
    """Why a JSON value cannot be stored in a JSONField on every database, or None: non-finite or huge
    numbers (``1e400`` parses as infinity), NUL or lone surrogates, too deep or too long."""
    if depth > JSON_DEPTH_MAX:
        return str(_("is nested too deeply"))
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return None if abs(value) <= BIGINT_MAX else str(_("is too large"))
    if isinstance(value, float):
        return None if math.isfinite(value) and abs(value) < 1e300 else str(_("must be a finite number"))
    if isinstance(value, Decimal):
        return None if value.is_finite() and abs(value) < Decimal("1e300") else str(_("must be a finite number"))
    if isinstance(value, str):
        return text_problem(value) or (str(_("is too long")) if len(value) > TEXT_MAX else None)
    if isinstance(value, dict):
        if len(value) > JSON_ITEMS_MAX:
            return str(_("has too many entries"))
        for key, item in value.items():
            problem = text_problem(str(key)) or json_problem(item, depth + 1)
            if problem:
                return f"{key}: {problem}"
        return None
    if isinstance(value, list | tuple):
        if len(value) > JSON_ITEMS_MAX:
            return str(_("has too many entries"))
        for index, item in enumerate(value):
            problem = json_problem(item, depth + 1)
            if problem:
                return f"[{index}]: {problem}"
        return None
    return str(_("is not a JSON value"))


def _clean_json(value: Any) -> Any:
    problem = json_problem(value)
    if problem:
        raise ValueError(problem)
    return value


JsonValue = Annotated[Any, AfterValidator(_clean_json)]
"""Any JSON value that every database can store (see ``json_problem``)."""

JsonObject = Annotated[dict[str, Any], AfterValidator(_clean_json)]


class NotNull:
    """``field: NotNull[T] = None`` in a PATCH schema: the field may be left out, but ``null`` is refused
    with 422 (the column is NOT NULL: ``{"name_en": null}`` used to reach the database and answer 500)."""

    def __class_getitem__(cls, item: Any) -> Any:
        return item


# --- the same bounds for services and imports (Django form fields already refuse NUL and bound integers) -------------------------------------------------


def finite_decimal(value: Any, *, max_digits: int, decimal_places: int) -> Decimal:
    """``value`` as a Decimal that fits the column, or ValueError (``Infinity``, ``NaN``, ``1e30``)."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(str(_("must be a finite number")))
    number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    if not number.is_finite():
        raise ValueError(str(_("must be a finite number")))
    quantized = round(number, decimal_places)
    if abs(quantized) >= Decimal(10) ** (max_digits - decimal_places):
        raise ValueError(str(_("is too large")))
    return quantized
