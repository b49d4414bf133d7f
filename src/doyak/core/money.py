"""Won amounts as Koreans read them: 1,234,500,000원 in full, or 12억 3,450만원 in short.

English readers get ₩1,234,500,000 and ₩1.23 billion.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

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
