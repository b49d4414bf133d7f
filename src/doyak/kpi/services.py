"""Adding indicators and new versions of them (history is never edited)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from doyak.accounts.rules import Actor
from doyak.core.audit import audit_record
from doyak.core.errors import AccessDenied, Conflict, ValidationFailed
from doyak.core.labels import audit_actions_register
from doyak.engine.kpi import AGGREGATES

from .enums import IndicatorUnit
from .measures import MEASURES
from .models import Indicator
from .rules import can_manage_indicators

KEY = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)+")
PILLARS = ("regional", "max", "competitiveness", "regulation", "capacity", "fake_work")
TRAJECTORY_YEARS_MAX = 30
VALUE_LIMIT = Decimal(10) ** 18


AUDIT_ACTIONS = audit_actions_register({
    "kpi.indicator_add": gettext_lazy("KPI indicator added"),
})

def _trajectory_or_raise(trajectory: dict) -> dict[str, str]:
    if not trajectory or len(trajectory) > TRAJECTORY_YEARS_MAX:
        raise ValidationFailed(_("Give a target for each year up to the deadline (at most %(n)s years).")
                               % {"n": TRAJECTORY_YEARS_MAX}, code="indicator_trajectory_invalid", field="trajectory")
    out = {}
    for year, value in trajectory.items():
        try:
            y, v = int(year), Decimal(str(value))
        except (ValueError, InvalidOperation, TypeError):
            raise ValidationFailed(_("Each year's target is a year and a number."), code="indicator_trajectory_invalid",
                                   field="trajectory") from None
        if not (1900 <= y <= 2100) or not v.is_finite() or abs(v) >= VALUE_LIMIT:
            raise ValidationFailed(_("Each year's target is a year and a number."), code="indicator_trajectory_invalid",
                                   field="trajectory")
        out[str(y)] = str(v)
    return dict(sorted(out.items()))


@transaction.atomic
def indicator_add(
    *, actor: Actor, key: str, label_ko: str, label_en: str, pillar: str, unit: str, aggregate: str,
    cumulative: bool, dedup_key: str, selector: str, trajectory: dict, source: str, effective_from: dt.date,
    selector_params: dict | None = None, increasing: bool = True, baseline: Decimal | None = None,
    baseline_year: int | None = None, relative: bool = False, target_policy: str = "", note: str = "",
) -> Indicator:
    """A new indicator (version 1) or a new version of an existing one, by an administrator; audited."""
    if not can_manage_indicators(actor):
        raise AccessDenied(_("Only an administrator adds indicators."), code="indicator_forbidden")
    if not KEY.fullmatch(key or "") or len(key) > 100:
        raise ValidationFailed(_("The key is the plan target's dotted key, e.g. max.ai_factories."),
                               code="indicator_key_invalid", field="key")
    checks = [(pillar in PILLARS, "pillar"), (unit in IndicatorUnit.values, "unit"),
              (aggregate in AGGREGATES, "aggregate"), (selector in MEASURES, "selector"),
              (bool(label_ko.strip() and label_en.strip()), "label_ko"), (bool(dedup_key.strip()), "dedup_key"),
              (bool(source.strip()), "source"), (not relative or baseline_year is not None, "baseline_year")]
    for ok, name in checks:
        if not ok:
            raise ValidationFailed(_("Check this field."), code=f"indicator_{name}_invalid", field=name)
    clean_trajectory = _trajectory_or_raise(trajectory)
    version = (Indicator.objects.select_for_update().filter(key=key).aggregate(v=Max("version"))["v"] or 0) + 1
    try:
        with transaction.atomic():
            indicator = Indicator.objects.create(
                key=key, version=version, label_ko=label_ko.strip()[:200], label_en=label_en.strip()[:200],
                pillar=pillar, unit=unit, aggregate=aggregate, cumulative=cumulative, increasing=increasing,
                dedup_key=dedup_key.strip()[:100], selector=selector, selector_params=selector_params or {},
                baseline=baseline, baseline_year=baseline_year, relative=relative, trajectory=clean_trajectory,
                target_policy=target_policy.strip()[:100], source=source.strip()[:300], note=note,
                effective_from=effective_from, created_by=actor if getattr(actor, "pk", None) else None)
    except IntegrityError as exc:
        raise Conflict(_("Another version of this indicator was saved first; reload."),
                       code="indicator_version_conflict") from exc
    audit_record(actor=actor, action="kpi.indicator_add", obj=indicator, changes={
        "key": key, "version": version, "selector": selector, "trajectory": clean_trajectory, "source": source})
    return indicator
