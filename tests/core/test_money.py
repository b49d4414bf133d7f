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


# --- the money rule: one parser for forms, services and imports ---------------------------------------------

from doyak.core.forms import WonField  # noqa: E402
from doyak.core.money import WON_MAX, WonInvalid, parse_won  # noqa: E402


@pytest.mark.parametrize(("value", "expected"), [
    ("1000", 1000), ("1,000,000", 1_000_000), (" 1 000 ", 1000), ("1000.0", 1000), ("1,000.00", 1000),
    ("1,000원", 1000), ("₩1,000", 1000), (1000, 1000), (Decimal("1000.00"), 1000), (1000.0, 1000),
    (str(WON_MAX), WON_MAX), ("0", 0),
])
def test_parse_won_accepts_whole_won_as_people_and_spreadsheets_write_it(value, expected):
    assert parse_won(value) == expected


@pytest.mark.parametrize("value", ["12.5", "1e6", "+5", "١٢٣", "abc", "", "1" * 26, str(WON_MAX + 1), "-5",
                                   12.5, float("inf"), Decimal("NaN"), True, None, 2**63, "1.000.000"])
def test_parse_won_refuses_what_is_not_whole_won_within_the_column(value):
    with pytest.raises(WonInvalid):
        parse_won(value)


def test_parse_won_takes_a_minus_only_where_allowed():
    assert parse_won("-5,000", minimum=-WON_MAX) == -5000
    with pytest.raises(WonInvalid, match="0"):
        parse_won("-5,000")


def test_won_field_gives_a_field_error_for_26_digits_and_reads_commas():
    field = WonField(required=False)
    assert field.clean("1,000.0") == 1000 and field.clean("") is None
    with pytest.raises(Exception) as info:
        field.clean("1" * 26)
    assert info.value.code == "won_invalid"
    assert field.prepare_value(1234567) == "1,234,567"
