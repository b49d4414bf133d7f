from decimal import Decimal

import pytest

from doyak.core.money import format_won, format_won_short


@pytest.mark.parametrize(
    ("amount", "lang", "expected"),
    [
        (1234567, "ko", "1,234,567원"),
        (0, "ko", "0원"),
        (-50000, "ko", "-50,000원"),
        (Decimal("999.9"), "ko", "999원"),
        (1234567, "en", "₩1,234,567"),
        (None, "ko", "-"),
    ],
)
def test_format_won(amount, lang, expected):
    assert format_won(amount, lang=lang) == expected


@pytest.mark.parametrize(
    ("amount", "lang", "expected"),
    [
        (1_234_567_890, "ko", "12억 3,456만원"),
        (2_000_000_000_000, "ko", "2조원"),
        (10_000_000_000, "ko", "100억원"),
        (5_500, "ko", "5,500원"),
        (1_500_000_000_000, "ko", "1조 5,000억원"),
        (1_234_567_890, "en", "₩1.23B"),
        (700_000_000_000, "en", "₩700B"),
        (9_999, "en", "₩9,999"),
    ],
)
def test_format_won_short(amount, lang, expected):
    assert format_won_short(amount, lang=lang) == expected
