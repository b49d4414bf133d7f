from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from doyak.accounts.enums import Role
from doyak.accounts.rules import Actor
from doyak.core.home import HomeContent, HomeSection
from doyak.core.money import format_won_short

from .models import PolicySetting


def policy_list_current(*, on: dt.date | None = None, q: str = "") -> list[PolicySetting]:
    """The version of every policy in force on ``on``, ordered by key."""
    on = on or timezone.localdate()
    qs = (
        PolicySetting.objects.filter(effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .order_by("key", "-version")
    )
    if q:
        qs = qs.filter(Q(key__icontains=q) | Q(label_ko__icontains=q) | Q(label_en__icontains=q))
    current: dict[str, PolicySetting] = {}
    for record in qs:
        current.setdefault(record.key, record)
    return list(current.values())


def policy_history(*, key: str) -> QuerySet[PolicySetting]:
    return PolicySetting.objects.filter(key=key).select_related("created_by").order_by("-version")


HOME_TARGET_ROLES = frozenset({Role.COUNCIL_MEMBER, Role.INVESTOR, Role.REGULATION_LIAISON, Role.PROGRAM_MANAGER})
PILLAR_LABELS = {
    "regional": gettext_lazy("Regional R&D"),
    "max": gettext_lazy("M.AX alliance"),
    "competitiveness": gettext_lazy("Industrial competitiveness"),
    "regulation": gettext_lazy("Regulation"),
    "capacity": gettext_lazy("Innovation capacity"),
    "fake_work": gettext_lazy("Cutting fake work"),
}


def plan_targets(*, lang: str) -> list[dict]:
    """The plan's targets in force today (``plan.*`` records), one row per target: label, pillar, goal, by."""
    rows: dict[str, dict] = {}
    for record in policy_list_current(on=timezone.localdate(), q="plan."):
        if not record.key.startswith("plan.") or record.key.startswith("plan.context."):
            continue
        base, field = record.key[len("plan."):].rsplit(".", 1)
        row = rows.setdefault(base, {"label": record.label.rsplit(" (", 1)[0],
                                     "pillar": PILLAR_LABELS.get(base.split(".")[0], ""), "goal": "", "by": ""})
        if field == "count":
            row["goal"] = f"{int(record.value):,}"
        elif field == "amount_krw":
            row["goal"] = format_won_short(int(record.value), lang=lang)
        elif field == "share_increase" and not row["goal"]:
            row["goal"] = f"+{float(record.value) * 100:.0f}%"
        elif field == "by":
            row["by"] = str(record.value)
    return list(rows.values())


def home_content(*, user: Actor, lang: str) -> HomeContent:
    """The plan's targets, for the roles that follow them."""
    if user.role not in HOME_TARGET_ROLES:
        return HomeContent()
    targets = plan_targets(lang=lang)
    if not targets:
        return HomeContent()
    return HomeContent(sections=(HomeSection(template="policies/_home_targets.html", data={"targets": targets}),))
