import datetime as dt

import pytest

from doyak.core.errors import NotFound
from doyak.regions.selectors import region_for_code_or_raise, region_list_valid_on

pytestmark = pytest.mark.django_db


def test_region_list_before_merger_has_17_units():
    # given the day before the 광주+전남 merger
    regions = region_list_valid_on(on=dt.date(2026, 6, 30))
    # then the 17 province-level units are valid, with 광주 29 and 전남 46
    assert regions.count() == 17
    assert {"29", "46", "51", "52"} <= set(regions.values_list("code", flat=True))


def test_region_list_after_merger_has_merged_unit():
    regions = region_list_valid_on(on=dt.date(2026, 7, 1))
    codes = set(regions.values_list("code", flat=True))
    assert regions.count() == 16
    assert "53" in codes and "29" not in codes and "46" not in codes
    merged = regions.get(code="53")
    assert merged.group == "honam"


def test_region_for_code_old_gangwon_code():
    # 강원 42 is valid until 2023-06-10, then 51
    assert region_for_code_or_raise(code="42", on=dt.date(2023, 6, 10)).name_ko == "강원도"
    with pytest.raises(NotFound) as exc:
        region_for_code_or_raise(code="42", on=dt.date(2023, 6, 11))
    assert exc.value.code == "region_not_found"
    assert region_for_code_or_raise(code="51", on=dt.date(2023, 6, 11)).name_ko == "강원특별자치도"


def test_region_old_rows_point_to_successor():
    gwangju = region_for_code_or_raise(code="29", on=dt.date(2026, 1, 1))
    assert gwangju.successor.code == "53"


def test_region_groups_capital_members():
    regions = region_list_valid_on(on=dt.date(2026, 11, 1))
    capital = set(regions.filter(group="capital").values_list("code", flat=True))
    assert capital == {"11", "28", "41"}


def test_organization_keeps_region_after_merger(make_organization):
    # given an organisation registered in 광주 before the merger
    gwangju = region_for_code_or_raise(code="29", on=dt.date(2026, 3, 1))
    org = make_organization(region=gwangju)
    # when the merger has taken effect, its record still points at 광주광역시
    org.refresh_from_db()
    assert org.region.code == "29"
    assert org.region.name_ko == "광주광역시"
    assert org.region.valid_to == dt.date(2026, 6, 30)
