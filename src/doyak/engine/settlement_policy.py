"""Settlement policy as data: the frozen ``SettlementPolicy`` and its TOML form.

The Django app builds the same dataclass from its versioned policy records; the CLI reads it
from a TOML file. Shares are ``Decimal`` (parsed from the TOML text, never through float) so
that limits such as approved × 1.1 are exact to the won.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from types import MappingProxyType
from typing import Any

from doyak.engine.errors import EngineError

# Cost categories (비목) and evidence kinds (증빙), in the order the files and reports use.
CATEGORIES: tuple[str, ...] = (
    "personnel",
    "student_personnel",
    "equipment",
    "materials",
    "activities",
    "allowance",
    "subcontract",
    "international",
    "innovation",
    "indirect",
)
EVIDENCE_KINDS: tuple[str, ...] = ("none", "card_slip", "tax_invoice", "receipt", "transfer")

_SCALAR_KEYS = (
    "ineligible_merchant_types",
    "duplicate_window_minutes",
    "budget_transfer_share",
    "allowance_share_of_personnel",
    "holiday_review_categories",
    "audit_sample_share",
    "seed",
)
_TABLE_KEYS = ("evidence_exemption", "grace_days")
# Keys a policy may leave out: absent, each keeps the rule as it was before it existed (issue #15).
_OPTIONAL_SCALAR_KEYS = ("split_window_days", "equipment_plan_threshold")
_OPTIONAL_TABLE_KEYS = ("documents_exemption",)


class PolicyError(EngineError):
    """The policy is malformed: unknown key, wrong type or value out of range."""

    code = "invalid_policy"


def _frozen_map(values: Mapping[str, int]) -> Mapping[str, int]:
    return MappingProxyType(dict(values))


@dataclass(frozen=True, kw_only=True)
class SettlementPolicy:
    """Every number the settlement rules use. Per-category maps fall back to ``*_default``."""

    ineligible_merchant_types: tuple[str, ...]
    duplicate_window_minutes: int
    budget_transfer_share: Decimal
    allowance_share_of_personnel: Decimal
    holiday_review_categories: tuple[str, ...]
    audit_sample_share: Decimal
    seed: int
    evidence_exemption_default: int = 0
    evidence_exemption: Mapping[str, int] = field(default_factory=dict)
    grace_days_default: int = 0
    grace_days: Mapping[str, int] = field(default_factory=dict)
    # Supporting documents (quotation, inspection record, minutes): at or under this, none are needed.
    documents_exemption_default: int = 0
    documents_exemption: Mapping[str, int] = field(default_factory=dict)
    # Split purchases: local dates less than this many days apart chain into one group (1 = same day).
    split_window_days: int = 1
    # Equipment at or above this must be a planned item (None: the rule is off).
    equipment_plan_threshold: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "ineligible_merchant_types", tuple(self.ineligible_merchant_types))
        object.__setattr__(self, "holiday_review_categories", tuple(self.holiday_review_categories))
        object.__setattr__(self, "evidence_exemption", _frozen_map(self.evidence_exemption))
        object.__setattr__(self, "grace_days", _frozen_map(self.grace_days))
        object.__setattr__(self, "documents_exemption", _frozen_map(self.documents_exemption))
        for name in ("budget_transfer_share", "allowance_share_of_personnel", "audit_sample_share"):
            value = getattr(self, name)
            if isinstance(value, float) or not isinstance(value, Decimal | int):
                raise PolicyError(f"{name} must be a Decimal (not float), got {value!r}")
            if isinstance(value, Decimal) and not value.is_finite():
                raise PolicyError(f"{name} must be finite, got {value!r}")
            if value < 0:
                raise PolicyError(f"{name} must not be negative, got {value}")
            object.__setattr__(self, name, Decimal(value))
        if self.audit_sample_share > 1:
            raise PolicyError(f"audit_sample_share must be at most 1, got {self.audit_sample_share}")
        for name in ("duplicate_window_minutes", "seed", "evidence_exemption_default", "grace_days_default",
                     "documents_exemption_default"):
            _require_int(name, getattr(self, name), minimum=0 if name != "seed" else None)
        _require_int("split_window_days", self.split_window_days, minimum=1)
        if self.equipment_plan_threshold is not None:
            _require_int("equipment_plan_threshold", self.equipment_plan_threshold, minimum=0)
        for table in ("evidence_exemption", "grace_days", "documents_exemption"):
            for category, value in getattr(self, table).items():
                if category not in CATEGORIES:
                    raise PolicyError(f"{table}: unknown category {category!r}")
                _require_int(f"{table}.{category}", value, minimum=0)
        for category in self.holiday_review_categories:
            if category not in CATEGORIES:
                raise PolicyError(f"holiday_review_categories: unknown category {category!r}")

    def exemption_for(self, category: str) -> int:
        """Won at or under which a transaction of ``category`` needs no evidence."""
        return self.evidence_exemption.get(category, self.evidence_exemption_default)

    def documents_exemption_for(self, category: str) -> int:
        """Won at or under which a transaction of ``category`` needs no supporting documents."""
        return self.documents_exemption.get(category, self.documents_exemption_default)

    def grace_days_for(self, category: str) -> int:
        """Days after the project end during which ``category`` may still be spent."""
        return self.grace_days.get(category, self.grace_days_default)

    def with_exemptions(self, *, exemptions: Mapping[str, int]) -> SettlementPolicy:
        """A copy with some categories' small-amount exemption replaced (for what-if runs)."""
        merged = dict(self.evidence_exemption)
        merged.update(exemptions)
        return replace(self, evidence_exemption=merged)

    def as_rows(self) -> list[tuple[str, str]]:
        """(key, value) pairs in TOML spelling, for reports."""
        rows: list[tuple[str, str]] = [
            ("ineligible_merchant_types", ", ".join(self.ineligible_merchant_types)),
            ("duplicate_window_minutes", str(self.duplicate_window_minutes)),
            ("budget_transfer_share", str(self.budget_transfer_share)),
            ("allowance_share_of_personnel", str(self.allowance_share_of_personnel)),
            ("holiday_review_categories", ", ".join(self.holiday_review_categories)),
            ("audit_sample_share", str(self.audit_sample_share)),
            ("seed", str(self.seed)),
            ("evidence_exemption.default", str(self.evidence_exemption_default)),
        ]
        rows += [(f"evidence_exemption.{k}", str(v)) for k, v in sorted(self.evidence_exemption.items())]
        rows.append(("grace_days.default", str(self.grace_days_default)))
        rows += [(f"grace_days.{k}", str(v)) for k, v in sorted(self.grace_days.items())]
        # the keys of issue #15 only when set, so a policy without them reports as before
        if self.documents_exemption_default or self.documents_exemption:
            rows.append(("documents_exemption.default", str(self.documents_exemption_default)))
            rows += [(f"documents_exemption.{k}", str(v)) for k, v in sorted(self.documents_exemption.items())]
        if self.split_window_days != 1:
            rows.append(("split_window_days", str(self.split_window_days)))
        if self.equipment_plan_threshold is not None:
            rows.append(("equipment_plan_threshold", str(self.equipment_plan_threshold)))
        return rows


def share_fraction(share: Decimal) -> Fraction:
    """A Decimal share as an exact fraction, for integer arithmetic on won."""
    return Fraction(share)


def _require_int(name: str, value: object, *, minimum: int | None) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise PolicyError(f"{name} must be an integer, got {value!r}")
    if minimum is not None and value < minimum:
        raise PolicyError(f"{name} must be at least {minimum}, got {value}")


def _string_list(name: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise PolicyError(f"{name} must be a list of strings, got {value!r}")
    return tuple(value)


def _share(name: str, value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise PolicyError(f"{name} must be a number, got {value!r}")
    return Decimal(value)


def _whole(name: str, value: object) -> int:
    """TOML integers; ``3000000.0``-style floats with no fraction are accepted too."""
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    _require_int(name, value, minimum=None)
    return int(value)  # type: ignore[call-overload]


def policy_from_mapping(*, data: Mapping[str, Any], source: str = "policy") -> SettlementPolicy:
    """Build the policy from parsed TOML (floats already ``Decimal``); unknown keys are errors."""
    known = {*_SCALAR_KEYS, *_TABLE_KEYS, *_OPTIONAL_SCALAR_KEYS, *_OPTIONAL_TABLE_KEYS}
    unknown = sorted(set(data) - known)
    if unknown:
        raise PolicyError(f"{source}: unknown policy key {unknown[0]!r}", code="unknown_policy_key")
    missing = [key for key in (*_SCALAR_KEYS, *_TABLE_KEYS) if key not in data]
    if missing:
        raise PolicyError(f"{source}: missing policy key {missing[0]!r}", code="missing_policy_key")
    tables: dict[str, tuple[int, dict[str, int]]] = {}
    for table in (*_TABLE_KEYS, *_OPTIONAL_TABLE_KEYS):
        raw = data.get(table, {})
        if not isinstance(raw, Mapping):
            raise PolicyError(f"{source}: [{table}] must be a table")
        bad = sorted(key for key in raw if key != "default" and key not in CATEGORIES)
        if bad:
            raise PolicyError(f"{source}: unknown policy key '{table}.{bad[0]}'", code="unknown_policy_key")
        values = {key: _whole(f"{table}.{key}", value) for key, value in raw.items()}
        default = values.pop("default", 0)
        tables[table] = (default, values)
    try:
        return SettlementPolicy(
            ineligible_merchant_types=_string_list(
                "ineligible_merchant_types", data["ineligible_merchant_types"]
            ),
            duplicate_window_minutes=_whole("duplicate_window_minutes", data["duplicate_window_minutes"]),
            budget_transfer_share=_share("budget_transfer_share", data["budget_transfer_share"]),
            allowance_share_of_personnel=_share(
                "allowance_share_of_personnel", data["allowance_share_of_personnel"]
            ),
            holiday_review_categories=_string_list(
                "holiday_review_categories", data["holiday_review_categories"]
            ),
            audit_sample_share=_share("audit_sample_share", data["audit_sample_share"]),
            seed=_whole("seed", data["seed"]),
            evidence_exemption_default=tables["evidence_exemption"][0],
            evidence_exemption=tables["evidence_exemption"][1],
            grace_days_default=tables["grace_days"][0],
            grace_days=tables["grace_days"][1],
            documents_exemption_default=tables["documents_exemption"][0],
            documents_exemption=tables["documents_exemption"][1],
            split_window_days=_whole("split_window_days", data.get("split_window_days", 1)),
            equipment_plan_threshold=(None if data.get("equipment_plan_threshold") is None
                                      else _whole("equipment_plan_threshold", data["equipment_plan_threshold"])),
        )
    except PolicyError as error:
        if str(error).startswith(f"{source}:"):
            raise
        raise PolicyError(f"{source}: {error}", code=error.code) from None


def policy_from_toml(*, text: str, source: str = "policy") -> SettlementPolicy:
    """Parse policy TOML text; floats are read as ``Decimal`` straight from the text."""
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as error:
        raise PolicyError(f"{source}: not valid TOML ({error})") from None
    return policy_from_mapping(data=data, source=source)


def policy_read(*, path: Path) -> SettlementPolicy:
    """Read a policy TOML file (UTF-8)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise PolicyError(f"{path}: cannot read ({error.strerror})", code="unreadable_file") from None
    except UnicodeDecodeError:
        raise PolicyError(f"{path}: not UTF-8 text") from None
    return policy_from_toml(text=text, source=str(path))
