"""Korean business registration number (사업자등록번호): 10 digits with a check digit."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)


def brn_normalize(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "")


def brn_check_digit(first_nine: str) -> int:
    digits = [int(c) for c in first_nine]
    total = sum(d * w for d, w in zip(digits, _WEIGHTS, strict=True)) + (digits[8] * 5) // 10
    return (10 - total % 10) % 10


def brn_is_valid(value: str) -> bool:
    number = brn_normalize(value)
    return bool(re.fullmatch(r"\d{10}", number)) and brn_check_digit(number[:9]) == int(number[9])


def brn_format(value: str) -> str:
    number = brn_normalize(value)
    return f"{number[:3]}-{number[3:5]}-{number[5:]}" if len(number) == 10 else value


def validate_brn(value: str) -> None:
    if not brn_is_valid(value):
        raise ValidationError(
            _("%(value)s is not a valid business registration number (10 digits with a correct check digit)."),
            code="invalid_brn",
            params={"value": value},
        )
