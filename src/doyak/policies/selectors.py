from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

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
