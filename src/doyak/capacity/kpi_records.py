"""The records the KPI board counts from innovation capacity, registered with kpi.measures (the indicators seeded as
``not_recorded`` with ``records`` = joint_labs, graduate_schools, fund_commitments read them from here):

- joint labs, in the year they opened (opened by the day of the board);
- specialised graduate schools designated from ``capacity.graduate_schools.added_from_year`` (the plan's
  "6 more"), in their designation year;
- fund commitments, valued at the committed won, in the year committed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _

from doyak.engine.kpi import KpiRecord
from doyak.kpi.measures import Measurement, records_register
from doyak.policies.services import policy_value

from .policies import GRADUATE_SCHOOLS_FROM_KEY


def joint_labs(*, as_of: dt.date) -> Measurement:
    from .models import JointLab

    qs = JointLab.objects.filter(opened_on__lte=as_of).select_related("host", "region").order_by("opened_on", "pk")
    return Measurement(record_kind="joint_lab", records=[
        KpiRecord(ref=f"joint_lab:{lab.pk}", dedup_key=f"{lab.host_id}|{lab.name}", year=lab.opened_on.year,
                  label=lab.name, organization=lab.host.name, region_group=lab.region.group) for lab in qs])


def graduate_schools(*, as_of: dt.date) -> Measurement:
    from .models import GraduateSchool

    start = int(policy_value(GRADUATE_SCHOOLS_FROM_KEY, as_of))
    qs = (GraduateSchool.objects.filter(designation_year__gte=start, designation_year__lte=as_of.year)
          .select_related("university", "region").order_by("designation_year", "pk"))
    return Measurement(record_kind="graduate_school", notes=[
        _("Schools designated from %(year)s count as added.") % {"year": start}], records=[
        KpiRecord(ref=f"graduate_school:{s.pk}", dedup_key=f"{s.university_id}|{s.field}", year=s.designation_year,
                  label=s.name, organization=s.university.name, region_group=s.region.group) for s in qs])


def fund_commitments(*, as_of: dt.date) -> Measurement:
    from .models import Commitment

    qs = (Commitment.objects.filter(committed_on__lte=as_of).select_related("fund", "organization__region")
          .order_by("committed_on", "pk"))
    return Measurement(record_kind="fund_commitment", records=[
        KpiRecord(ref=f"fund_commitment:{c.pk}", dedup_key=str(c.pk), year=c.committed_on.year,
                  value=Decimal(c.amount_krw), label=f"{c.fund.name} → {c.organization.name}",
                  organization=c.organization.name, region_group=c.organization.region.group) for c in qs])


records_register("joint_labs", joint_labs)
records_register("graduate_schools", graduate_schools)
records_register("fund_commitments", fund_commitments)
