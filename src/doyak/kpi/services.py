"""Adding indicators and new versions of them (history is never edited)."""

from __future__ import annotations

import datetime as dt
import logging
import re
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from doyak.accounts.rules import Actor
from doyak.core.audit import audit_record
from doyak.core.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from doyak.core.labels import audit_actions_register
from doyak.core.runs import LeaseLost, lease_acquire, lease_assert_held, lease_release, lease_renew
from doyak.engine.kpi import AGGREGATES

from .enums import IndicatorUnit, PackStatus
from .measures import MEASURES
from .models import Indicator, MeetingPack
from .rules import can_make_meeting_pack, can_manage_indicators

logger = logging.getLogger(__name__)

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


# ---------------------------------------------------------------------------------------------- meeting pack
AUDIT_ACTIONS_PACK = audit_actions_register({
    "kpi.meeting_pack_start": gettext_lazy("Council meeting pack requested"),
})


def meeting_pack_start(*, actor: Actor, as_of: dt.date) -> MeetingPack:
    """Ask for the council's meeting pack of the board on ``as_of``; a background job makes it. Audited."""
    if not can_make_meeting_pack(actor):
        raise AccessDenied(_("Only council members and administrators make the meeting pack."),
                           code="meeting_pack_forbidden")
    with transaction.atomic():
        pack = MeetingPack.objects.create(as_of=as_of, created_by=actor if getattr(actor, "pk", None) else None,
                                          message=_("Waiting for a worker…"))
        audit_record(actor=actor, action="kpi.meeting_pack_start", obj=pack, changes={"as_of": as_of.isoformat()})
        transaction.on_commit(lambda: _pack_enqueue(pack.pk))
    return pack


def _pack_enqueue(pack_id: int) -> None:
    from .tasks import meeting_pack_task

    result = meeting_pack_task.enqueue(pack_id=pack_id)
    MeetingPack.objects.filter(pk=pack_id, task_id="").update(task_id=str(result.id)[:64])


def meeting_pack_requeue(pack: MeetingPack) -> None:
    """The recovery path of a pack whose worker died: made again from the start (``pack`` is locked)."""
    pack.status, pack.progress, pack.task_id = PackStatus.QUEUED, 0, ""
    pack.lease_owner, pack.lease_expires_at = "", None
    pack.save(update_fields=["status", "progress", "task_id", "lease_owner", "lease_expires_at"])
    transaction.on_commit(lambda: _pack_enqueue(pack.pk))


def meeting_pack_execute(*, pack_id: int) -> MeetingPack:
    """The job: compute the board on the pack's date indicator by indicator, gather the scenarios awaiting
    approval and the regulation tasks, write the PDF and the XLSX; progress is written after each step."""
    pack = MeetingPack.objects.filter(pk=pack_id).first()
    if pack is None:
        raise NotFound(_("Meeting pack not found."), code="meeting_pack_not_found")
    if pack.status == PackStatus.DONE or not lease_acquire(pack):
        return pack
    try:
        _pack_make(pack)
    except LeaseLost:
        logger.warning("meeting pack %s was taken over by another worker", pack_id)
    except Exception as exc:  # recorded on the pack; the worker logs the traceback
        logger.exception("meeting pack %s failed", pack_id)
        MeetingPack.objects.filter(pk=pack.pk).update(status=PackStatus.FAILED, finished_at=timezone.now(),
                                                      message=(_("Failed: %(error)s") % {"error": exc})[:300])
        lease_release(pack)
        raise
    pack.refresh_from_db()
    return pack


def _pack_make(pack: MeetingPack) -> None:
    from . import pack as content_of
    from . import sources
    from .selectors import indicator_list_current, indicator_state

    with translation.override("ko"):
        lease_renew(pack, status=PackStatus.RUNNING, progress=1, started_at=timezone.now(),
                    message=_("Computing the indicators…"))
        content = content_of.PackContent(as_of=pack.as_of)
        indicators = indicator_list_current(on=pack.as_of)
        for index, indicator in enumerate(indicators, start=1):
            content.states.append(indicator_state(indicator=indicator, as_of=pack.as_of, detail=True,
                                                  records=False))
            lease_renew(pack, progress=1 + 69 * index // max(1, len(indicators)),
                        message=_("Computed %(n)s of %(total)s indicators.") % {"n": index, "total": len(indicators)})
        content.scenarios = content_of.scenarios_awaiting_approval()
        content.regulation = sources.regulation_tasks_progress(as_of=pack.as_of)
        lease_renew(pack, progress=75, message=_("Writing the PDF…"))
        pdf = content_of.pack_pdf(content)
        lease_renew(pack, progress=90, message=_("Writing the XLSX…"))
        xlsx = content_of.pack_xlsx(content)
        with transaction.atomic():
            lease_assert_held(MeetingPack.objects.select_for_update().get(pk=pack.pk))
            MeetingPack.objects.filter(pk=pack.pk).update(
                pdf=pdf, xlsx=xlsx, status=PackStatus.DONE, progress=100, finished_at=timezone.now(),
                message=_("Ready."), lease_owner="", lease_expires_at=None)
