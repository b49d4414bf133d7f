"""Province codes and the 5극3특 region groups (DOMAIN.md §2), as plain data.

Pure mapping, no effective dates: the Django ``regions`` app owns those (the 2026-07-01
Gwangju–Jeonnam merger among them). Here the old codes keep their group: 29/46 stay in
``honam`` beside the merged unit's 53; the old Gangwon 42 and Jeonbuk 45 codes are accepted as ``gangwon`` / ``jeonbuk``.
"""

from __future__ import annotations

from doyak.engine.errors import EngineError

CAPITAL = "capital"
NON_CAPITAL = "non_capital"

# 2-digit province code -> Korean name (old codes kept for old records).
PROVINCE_NAMES: dict[str, str] = {
    "11": "서울",
    "26": "부산",
    "27": "대구",
    "28": "인천",
    "29": "광주",
    "30": "대전",
    "31": "울산",
    "36": "세종",
    "41": "경기",
    "42": "강원 (old code)",
    "43": "충북",
    "44": "충남",
    "45": "전북 (old code)",
    "46": "전남",
    "47": "경북",
    "48": "경남",
    "50": "제주",
    "51": "강원",
    "52": "전북",
    # 전남광주통합특별시 from 2026-07-01; its code is not yet published, so doyak's regions data uses
    # "53" until it is (regions migration 0002).
    "53": "전남광주",
}

# The eight groups partition the codes above.
REGION_GROUPS: dict[str, frozenset[str]] = {
    CAPITAL: frozenset({"11", "28", "41"}),
    "dongnam": frozenset({"26", "31", "48"}),
    "daegyeong": frozenset({"27", "47"}),
    "jungbu": frozenset({"30", "36", "43", "44"}),
    "honam": frozenset({"29", "46", "53"}),
    "gangwon": frozenset({"51", "42"}),
    "jeonbuk": frozenset({"52", "45"}),
    "jeju": frozenset({"50"}),
}

REGION_GROUP_LABELS: dict[str, str] = {
    CAPITAL: "수도권 (capital)",
    NON_CAPITAL: "비수도권 (non-capital)",
    "dongnam": "동남권 (Dongnam)",
    "daegyeong": "대경권 (Daegyeong)",
    "jungbu": "중부권 (Jungbu)",
    "honam": "호남권 (Honam)",
    "gangwon": "강원 (Gangwon)",
    "jeonbuk": "전북 (Jeonbuk)",
    "jeju": "제주 (Jeju)",
}

_GROUP_OF: dict[str, str] = {code: group for group, codes in REGION_GROUPS.items() for code in codes}

# Every value a ``region_group`` filter may take: the eight groups plus ``non_capital``.
REGION_GROUP_NAMES: frozenset[str] = frozenset(REGION_GROUPS) | {NON_CAPITAL}

_CURRENT_CODE: dict[str, str] = {"42": "51", "45": "52"}


class UnknownRegion(EngineError):
    code = "unknown_region"


def region_group_of(code: str) -> str:
    """The 5극3특 group of a 2-digit province code; raises ``UnknownRegion``."""
    try:
        return _GROUP_OF[code]
    except KeyError:
        raise UnknownRegion(f"unknown province code {code!r}") from None


def is_capital(code: str) -> bool:
    """Whether a province code lies in the capital area (서울, 인천, 경기)."""
    return region_group_of(code) == CAPITAL


def region_current_code(code: str) -> str:
    """The current code of a province: the old Gangwon 42 → 51 and Jeonbuk 45 → 52."""
    region_group_of(code)
    return _CURRENT_CODE.get(code, code)


def region_codes_in(group: str) -> frozenset[str]:
    """All province codes in a group name from ``REGION_GROUP_NAMES`` (``non_capital`` included)."""
    if group == NON_CAPITAL:
        return frozenset(_GROUP_OF) - REGION_GROUPS[CAPITAL]
    try:
        return REGION_GROUPS[group]
    except KeyError:
        raise UnknownRegion(f"unknown region group {group!r}") from None
