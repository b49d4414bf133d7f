from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from doyak.core.errors import NotFound

from .models import Region


def region_list_valid_on(*, on: dt.date | None = None) -> QuerySet[Region]:
    on = on or timezone.localdate()
    return Region.objects.filter(valid_from__lte=on).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))


def region_for_code_or_raise(*, code: str, on: dt.date | None = None) -> Region:
    region = region_list_valid_on(on=on).filter(code=code).first()
    if region is None:
        raise NotFound(_("No region with code %(code)s on %(date)s.") % {"code": code, "date": on or timezone.localdate()}, code="region_not_found", field="region")
    return region
