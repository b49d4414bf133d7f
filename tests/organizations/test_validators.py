import pytest
from django.core.exceptions import ValidationError

from doyak.organizations.validators import brn_check_digit, brn_format, brn_is_valid, validate_brn


def test_brn_check_digit_known_number():
    # 220-81-62517 is a published valid number; its check digit is 7
    assert brn_check_digit("220816251") == 7
    assert brn_is_valid("220-81-62517")


def test_brn_is_valid_wrong_check_digit():
    assert not brn_is_valid("2208162518")


@pytest.mark.parametrize("value", ["", "12345", "22081625170", "22081a2517"])
def test_brn_is_valid_malformed(value):
    assert not brn_is_valid(value)


def test_validate_brn_names_value_in_error():
    with pytest.raises(ValidationError) as exc:
        validate_brn("2208162518")
    assert exc.value.code == "invalid_brn"
    assert exc.value.params == {"value": "2208162518"}


def test_brn_format_hyphens():
    assert brn_format("2208162517") == "220-81-62517"
