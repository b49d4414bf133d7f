"""Won amounts as Koreans read them: 1,234,500,000원 in full, or 12억 3,450만원 in short; and the one rule for
reading an amount that a person typed or a file holds.

English readers get ₩1,234,500,000 and ₩1.23 billion.

**The money rule** (``parse_won``, used by every form field, service and import that takes won): an amount is
a whole number of won. Written as text it may carry thousands separators (``1,000,000``), spaces, a leading
``₩`` or a trailing ``원``, and a decimal point followed only by zeros (``1000.0``, ``1,000.00``: spreadsheets
write whole numbers so); it may not carry a fraction of a won (``12.5``), an exponent (``1e6``), a plus sign,
non-ASCII digits or more digits than a 64-bit column holds. A minus sign only where the caller allows
negative amounts (a refund in the ledger). Numbers (int, Decimal, float) follow the same rule: integral and
within the bounds. A value outside the rule raises ``WonInvalid`` with a sentence for people, never a 500.
"""

from __future__ import annotations

import re
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

WON_MAX = 2**63 - 1  # a BigIntegerField; the same bound as core.inputs.BIGINT_MAX (a column limit, not policy)
_WON_TEXT = re.compile(r"(-?)([0-9]{1,19})(?:\.0+)?")
_SEPARATORS = str.maketrans("", "", ", \u00a0\u202f_")


class WonInvalid(ValueError):  # noqa: N818 - reads as "the won amount is invalid"
    """The value breaks the money rule; ``str(error)`` says why, in the active language."""


def parse_won(value: Any, *, minimum: int = 0, maximum: int = WON_MAX) -> int:
    """``value`` as whole won in ``minimum..maximum`` by the money rule (see the module), or ``WonInvalid``."""
    if isinstance(value, bool) or value is None:
        raise WonInvalid(_("Enter an amount in whole won."))
    if isinstance(value, int):
        number = value
    elif isinstance(value, float | Decimal):
        try:
            exact = Decimal(str(value)) if isinstance(value, float) else value
            if not exact.is_finite() or exact != exact.to_integral_value() or abs(exact) > WON_MAX:
                raise InvalidOperation
        except InvalidOperation:
            raise WonInvalid(_("Enter an amount in whole won, without a fraction of a won.")) from None
        number = int(exact)
    else:
        text = str(value).strip().translate(_SEPARATORS).removeprefix("₩").removesuffix("원")
        match = _WON_TEXT.fullmatch(text)
        if match is None:
            if re.fullmatch(r"-?[0-9]+\.[0-9]+", text):
                raise WonInvalid(_("Enter an amount in whole won, without a fraction of a won."))
            if re.fullmatch(r"-?[0-9]{20,}(?:\.0+)?", text):
                raise WonInvalid(_("Enter an amount of at most %(max)s won.") % {"max": f"{maximum:,}"})
            raise WonInvalid(_("Enter an amount in whole won, in digits (commas allowed)."))
        number = int(match.group(2)) * (-1 if match.group(1) else 1)
    if number > maximum:
        raise WonInvalid(_("Enter an amount of at most %(max)s won.") % {"max": f"{maximum:,}"})
    if number < minimum:
        if minimum == 0:
            raise WonInvalid(_("Enter an amount of zero won or more."))
        raise WonInvalid(_("Enter an amount of at least %(min)s won.") % {"min": f"{minimum:,}"})
    return number

_KOREAN_UNITS = ((10**12, "조"), (10**8, "억"), (10**4, "만"))


def format_won(amount: int | Decimal | None, *, lang: str = "ko") -> str:
    """Full amount with thousands separators: ``1,234,567원`` (ko) or ``₩1,234,567`` (en)."""
    if amount is None:
        return "-"
    value = int(Decimal(amount).to_integral_value(rounding=ROUND_DOWN))
    sign = "-" if value < 0 else ""
    digits = f"{abs(value):,}"
    return f"{sign}{digits}원" if lang.startswith("ko") else f"{sign}₩{digits}"


def format_won_short(amount: int | Decimal | None, *, lang: str = "ko") -> str:
    """Amount in the units people say: ``12억 3,457만원`` (ko, 만 rounded down) or ``₩1.23B`` (en)."""
    if amount is None:
        return "-"
    value = int(Decimal(amount).to_integral_value(rounding=ROUND_DOWN))
    sign = "-" if value < 0 else ""
    rest = abs(value)
    if not lang.startswith("ko"):
        for size, suffix in ((10**12, "T"), (10**9, "B"), (10**6, "M")):
            if rest >= size:
                shown = (Decimal(rest) / size).quantize(Decimal("0.01"), rounding=ROUND_DOWN).normalize()
                return f"{sign}₩{shown:f}{suffix}"
        return f"{sign}₩{rest:,}"
    if rest < 10**4:
        return f"{sign}{rest:,}원"
    parts = []
    for size, unit in _KOREAN_UNITS:
        count, rest = divmod(rest, size)
        if count:
            parts.append(f"{count:,}{unit}")
    return f"{sign}{' '.join(parts)}원"
