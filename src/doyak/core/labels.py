"""Labels, never codes: the translated words a screen shows for every code it holds.

Registries, filled by the apps that own the codes:

- **audit actions** (``scores.submit`` → "점수 제출"): each app declares the actions it emits beside the
  service that emits them, with :func:`audit_actions_register`;
- **policy value choices** (``['regional_only']`` → "지역 전용"): a list- or text-valued policy record names
  codes of one enum; the app that owns the record says which, with :func:`policy_choices_register`;
- **audit objects** (``proposals.proposal`` #12 → a link to the proposal when the viewer may open it), with
  :func:`audit_objects_register` beside the app's rules.

Lookups import every app's ``services``, ``imports``, ``policies`` and ``rules`` module once (``autodiscover_modules``), so a
screen that renders before an app's services were imported still finds their labels. Formatting of
values by their unit (yes/no, shares as %, years as years, won) is in :func:`policy_value_text`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.db import models
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import get_language, gettext_lazy, ngettext_lazy
from django.utils.translation import gettext as _

from .money import format_won

_AUDIT_ACTIONS: dict[str, Promise | str] = {}
_POLICY_CHOICES: dict[str, Mapping[str, Promise | str]] = {}
_discovered = False


def _discover() -> None:
    global _discovered
    if not _discovered:
        _discovered = True
        autodiscover_modules("services", "imports", "policies", "rules")


def _as_mapping(choices) -> dict[str, Promise | str]:
    if isinstance(choices, type) and issubclass(choices, models.Choices):
        return {str(value): label for value, label in zip(choices.values, choices.labels, strict=True)}
    return {str(k): v for k, v in dict(choices).items()}


# --------------------------------------------------------------------------------------------
# Audit actions
# --------------------------------------------------------------------------------------------


def audit_actions_register(actions: Mapping[str, Promise | str]) -> Mapping[str, Promise | str]:
    """Declare the audit actions a module emits with their labels (lazy translations); returns them."""
    for action, label in actions.items():
        if _AUDIT_ACTIONS.get(action, label) != label:
            raise ValueError(f"audit action {action!r} is registered twice with different labels")
        _AUDIT_ACTIONS[action] = label
    return actions


def audit_action_choices() -> list[tuple[str, str]]:
    """Every registered action and its label in the active language, sorted by label (a filter's options)."""
    _discover()
    return sorted(((a, str(label)) for a, label in _AUDIT_ACTIONS.items()), key=lambda item: item[1])


def audit_action_label(action: str) -> str:
    """The words for an audit action; an action nobody registered reads "Other change" (never its code)."""
    _discover()
    label = _AUDIT_ACTIONS.get(action)
    return str(label) if label is not None else _("Other change")


def audit_action_registered(action: str) -> bool:
    _discover()
    return action in _AUDIT_ACTIONS


# --------------------------------------------------------------------------------------------
# Codes of enums: one code, a list of codes, alternatives ("sme|large")
# --------------------------------------------------------------------------------------------


def choice_label(choices, value) -> str:
    """The label of ``value`` in a ``models.Choices`` class or mapping; an unknown value is shown as it is
    (it is data someone typed, such as an imported merchant type, not one of our codes)."""
    if value is None or value == "":
        return ""
    label = _as_mapping(choices).get(str(value))
    return str(label) if label is not None else str(value)


def choice_labels(choices, values) -> list[str]:
    """Labels of a list of codes; an item ``"a|b"`` (one of several) reads "A or B"."""
    out = []
    for value in values or []:
        parts = [choice_label(choices, part) for part in str(value).split("|")]
        out.append(_(" or ").join(parts) if len(parts) > 1 else parts[0])
    return out


def policy_choices_register(choices_by_key: Mapping[str, object]) -> None:
    """Declare which enum the codes of a list- or text-valued policy record belong to."""
    for key, choices in choices_by_key.items():
        _POLICY_CHOICES[key] = _as_mapping(choices)


def policy_choices_for(key: str) -> Mapping[str, Promise | str] | None:
    _discover()
    return _POLICY_CHOICES.get(key)


# --------------------------------------------------------------------------------------------
# Values by unit
# --------------------------------------------------------------------------------------------

YES_NO = {True: gettext_lazy("Yes"), False: gettext_lazy("No")}


def yes_no(value) -> str:
    return str(YES_NO[bool(value)])


def percent_text(points) -> str:
    """``30`` → ``30%``, ``12.5`` → ``12.5%``: percent points without trailing zeros."""
    value = Decimal(str(points)).normalize()
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


def share_text(share) -> str:
    """A share of one as percent: ``0.3`` → ``30%`` (never a share, never ‰)."""
    return percent_text(Decimal(str(share)) * 100)


def count_text(value) -> str:
    return f"{int(value):,}"


def _bytes_text(value: int) -> str:
    mib = Decimal(value) / (1024 * 1024)
    if value >= 1024 * 1024 and mib == mib.to_integral_value():
        return f"{int(mib):,} MB"
    return _("%(n)s bytes") % {"n": f"{value:,}"}


_UNIT_WORDS = {
    "days": ngettext_lazy("%(text)s day", "%(text)s days", "n"),
    "months": ngettext_lazy("%(text)s month", "%(text)s months", "n"),
    "years": ngettext_lazy("%(text)s year", "%(text)s years", "n"),
    "minutes": ngettext_lazy("%(text)s minute", "%(text)s minutes", "n"),
    "seconds": ngettext_lazy("%(text)s second", "%(text)s seconds", "n"),
    "points": ngettext_lazy("%(text)s point", "%(text)s points", "n"),
}


def _with_unit(number: Decimal, unit: str) -> str:
    """``3`` years → 3년 / 3 years; a count is the number alone (1,000)."""
    text = _plain_number(number)
    words = _UNIT_WORDS.get(unit)
    if words is None:
        return text
    n = int(number) if number == number.to_integral_value() else 2  # 1.5 days: plural
    return words % {"n": n, "text": text}


def _number(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _plain_number(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    whole, _dot, frac = text.partition(".")
    return f"{int(whole):,}" + (f".{frac}" if frac else "")


def policy_value_text(*, key: str, value, value_type: str, unit: str) -> str:
    """A policy value as people read it: 예/아니요, a list of labels, 30%, 3년, 2030 (a year), 1,000원."""
    if value_type == "bool" or unit == "flag":
        return yes_no(value)
    if value_type in ("list", "text"):
        choices = policy_choices_for(key) or {}
        values = value if isinstance(value, list) else [value]
        return ", ".join(choice_labels(choices, values)) or "—"
    number = _number(value)
    if number is None:
        return str(value)
    if unit == "krw":
        return format_won(int(number), lang=get_language() or "ko")
    if unit == "share":
        return share_text(number)
    if unit == "percent":
        return percent_text(number)
    if not unit:
        # a number without a unit is a year (``….by``, ``….start``, ``…base_year``), a seed or a size in bytes:
        # no thousands separators (a year reads 2030, never 2,030)
        return _bytes_text(int(number)) if key.endswith("_bytes") else f"{number.normalize():f}"
    return _with_unit(number, unit)


def policy_text(record) -> str:
    """:func:`policy_value_text` of a ``PolicySetting`` row."""
    return policy_value_text(key=record.key, value=record.value, value_type=record.value_type, unit=record.unit)


# --------------------------------------------------------------------------------------------
# Times: always in Asia/Seoul (the project's TIME_ZONE), whatever the source
# --------------------------------------------------------------------------------------------

_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?")


def local_time_text(value, *, seconds: bool = False) -> str:
    """An aware datetime or an ISO 8601 string as ``2026-03-04 09:30`` in the project's time zone; a naive
    value is taken as UTC (what our JSON columns store), a date stays a date."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            value = value.replace(tzinfo=dt.UTC)
        return formats.date_format(timezone.localtime(value), "Y-m-d H:i:s" if seconds else "Y-m-d H:i")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def is_iso_moment(text) -> bool:
    return isinstance(text, str) and bool(_ISO_MOMENT.fullmatch(text))


# --------------------------------------------------------------------------------------------
# Legal sources: the law by name in the sentence, the policy record's key and version in the data
# --------------------------------------------------------------------------------------------

_POLICY_REF = re.compile(r"\s*\[([A-Za-z0-9_.]+) v(\d+)\]")
# Titles of laws, decrees, guidelines and plans cited by the policy records, longest first.
LEGAL_TITLES = (
    "국가연구개발혁신법 시행령", "국가연구개발혁신법 시행규칙", "국가연구개발혁신법 매뉴얼", "국가연구개발혁신법",
    "국가연구개발 과제평가 표준지침", "국가연구개발사업 연구개발비 사용 기준", "산업 R&D 혁신방안",
)
_TITLE = re.compile("(?<!「)(" + "|".join(re.escape(t) for t in LEGAL_TITLES) + ")(?!」)")


def legal_citation(text: str) -> str:
    """A source as Korean legal writing cites it: ``국가연구개발혁신법 시행령 제19조`` → ``「국가연구개발혁신법
    시행령」 제19조``; policy references ``[key v1]`` are left out (see :func:`policy_references`)."""
    plain = _POLICY_REF.sub("", text or "").strip()
    return _TITLE.sub(r"「\1」", plain)


def policy_references(text: str) -> list[dict]:
    """The policy records a source names: ``[rnd_act.gov_share_max.sme v1]`` → key and version."""
    return [{"key": key, "version": int(version)} for key, version in _POLICY_REF.findall(text or "")]


def rule_sentence(message: str, source: str) -> str:
    """A rule's message with its legal source by name: "…을 넘습니다. (근거: 「국가연구개발혁신법 시행령」 제19조)"."""
    citation = legal_citation(source)
    if not citation:
        return message
    return _("%(message)s (Source: %(source)s)") % {"message": message, "source": citation}


# --------------------------------------------------------------------------------------------
# Objects of audit events: their type by name and, where the viewer may open it, a link
# --------------------------------------------------------------------------------------------

_OBJECT_LINKS: dict[str, tuple[str, str, object]] = {}


def audit_objects_register(links: Mapping[str, tuple[str, str, object]]) -> None:
    """``{"proposals.proposal": ("proposals:detail", "proposal_id", can_view_proposal)}``: the page of an
    object type, the URL keyword its primary key fills, and the rule ``(user, obj) -> bool`` that says
    whether a viewer may open it. Each app declares its own beside its rules."""
    _OBJECT_LINKS.update(links)


def audit_object_link(object_type: str) -> tuple[str, str, object] | None:
    _discover()
    return _OBJECT_LINKS.get(object_type)


def object_type_label(object_type: str) -> str:
    """``proposals.proposal`` → 제안서 (the model's verbose name); an unknown type reads "Other record"."""
    from django.apps import apps

    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return _("Other record")
    return str(model._meta.verbose_name).capitalize() if get_language() == "en" else str(model._meta.verbose_name)
