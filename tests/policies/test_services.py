import datetime as dt
from decimal import Decimal

import pytest

from doyak.core.errors import NotFound, ValidationFailed
from doyak.core.models import AuditEvent
from doyak.policies.models import PolicySetting
from doyak.policies.services import policy_change, policy_value, policy_values

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("rnd_act.allowance_max_share_of_personnel", Decimal("0.20")),
        ("rnd_act.subcontract_max_share_of_direct", Decimal("0.40")),
        ("rnd_act.indirect_rate_default.for_profit", Decimal("0.10")),
        ("rnd_act.indirect_rate_default.university", Decimal("0.05")),
        ("rnd_act.indirect_rate_default.nonprofit", Decimal("0.17")),
        ("rnd_act.equipment_plan_threshold_krw", 30_000_000),
        ("rnd_act.gov_share_max.sme", Decimal("0.75")),
        ("rnd_act.gov_share_max.mid_size", Decimal("0.70")),
        ("rnd_act.gov_share_max.large", Decimal("0.50")),
        ("rnd_act.own_cash_min_share.mid_size", Decimal("0.13")),
        ("rnd_act.own_cash_min_share.large", Decimal("0.15")),
        ("rnd_act.researcher_time_monthly_max_percent", 100),
        ("rnd_act.researcher_time_gri_yearly_max_percent", 130),
        ("rnd_act.simultaneous_projects_enabled", False),
        ("rnd_act.simultaneous_projects_max_total", 5),
        ("rnd_act.simultaneous_projects_max_as_pi", 3),
        ("evaluation.appeal_window_days", 10),
        ("evaluation.appeal_answer_days", 30),
        ("evaluation.min_economic_experts_per_panel", 2),
        ("sanctions.participation_ban_max_years", 10),
        ("sanctions.surcharge_max_multiple", 5),
        ("settlement.small_project_max_krw", 50_000_000),
        ("settlement.audit_sample_share", Decimal("0.15")),
        # version 2 (issue #15): the innovation cost's small items keep their payment record; the 3M / 500k
        # exempt the supporting documents instead
        ("settlement.evidence_exemption.materials", 0),
        ("settlement.evidence_exemption.activities", 0),
        ("settlement.documents_exemption.materials", 3_000_000),
        ("settlement.documents_exemption.activities", 500_000),
        ("plan.max.ai_factories.count", 500),
        ("plan.max.ai_factories.by", 2030),
        ("plan.regional.growth_engine_package.amount_krw", 2_000_000_000_000),
        ("plan.fake_work.large_projects_increase.share_increase", Decimal("0.3")),
        ("plan.fake_work.large_projects_increase.threshold_krw", 10_000_000_000),
        ("plan.regulation.innovation_tasks.count", 30),
        ("plan.max.humanoid_field_demos.count", 10),
    ],
)
def test_policy_value_seeded(key, expected):
    value = policy_value(key, dt.date(2026, 11, 1))
    assert value == expected
    assert type(value) is type(expected)


def test_policy_value_before_effective_date_not_found():
    # the materials exemption exists from 2026-06-11 (research innovation cost; its version 2 is 0 and the
    # 3M moved to the documents exemption)
    with pytest.raises(NotFound) as exc:
        policy_value("settlement.evidence_exemption.materials", dt.date(2026, 6, 10))
    assert exc.value.code == "policy_not_found"
    assert policy_value("settlement.documents_exemption.materials", dt.date(2026, 6, 11)) == 3_000_000


def test_policy_change_adds_version_and_keeps_history(make_user):
    # given an administrator
    admin = make_user(role="administrator")
    # when the small-amount exemption default is raised from 2027-01-01
    record = policy_change(actor=admin, key="settlement.evidence_exemption.default", value=300_000,
                           effective_from=dt.date(2027, 1, 1), source="산업통상부 고시 2026-12")
    # then the old value still answers for 2026 and the new one for 2027
    assert record.version == 2
    assert policy_value("settlement.evidence_exemption.default", dt.date(2026, 12, 31)) == 0
    assert policy_value("settlement.evidence_exemption.default", dt.date(2027, 1, 1)) == 300_000
    assert PolicySetting.objects.filter(key="settlement.evidence_exemption.default").count() == 2
    event = AuditEvent.objects.get(action="policy.change")
    assert event.actor_id == admin.pk
    assert event.changes["value"] == [0, 300_000]


def test_policy_change_rejects_wrong_type(make_user):
    admin = make_user(role="administrator")
    with pytest.raises(ValidationFailed) as exc:
        policy_change(actor=admin, key="settlement.duplicate_window_minutes", value="ten",
                      effective_from=dt.date(2027, 1, 1), source="x")
    assert exc.value.code == "policy_value_invalid"
    assert exc.value.field == "value"
    assert PolicySetting.objects.filter(key="settlement.duplicate_window_minutes").count() == 1


def test_policy_change_requires_source(make_user):
    admin = make_user(role="administrator")
    with pytest.raises(ValidationFailed) as exc:
        policy_change(actor=admin, key="settlement.duplicate_window_minutes", value=15,
                      effective_from=dt.date(2027, 1, 1), source="  ")
    assert exc.value.code == "policy_source_required"


def test_policy_setting_is_append_only():
    record = PolicySetting.objects.get(key="rnd_act.allowance_max_share_of_personnel", version=1)
    record.value = "0.5"
    with pytest.raises(TypeError):
        record.save()
    with pytest.raises(TypeError):
        record.delete()
    with pytest.raises(TypeError):
        PolicySetting.objects.filter(pk=record.pk).update(value="0.5")
    assert policy_value("rnd_act.allowance_max_share_of_personnel") == Decimal("0.20")


def test_policy_values_prefix():
    values = policy_values(prefix="settlement.grace_days.", on=dt.date(2026, 11, 1))
    assert values == {"settlement.grace_days.default": 0, "settlement.grace_days.allowance": 90}


def test_every_seeded_policy_fits_its_columns_and_choices():
    """SQLite keeps what PostgreSQL refuses (a unit longer than its column): check the seeds against the model."""
    from doyak.policies.enums import Unit, ValueType

    for record in PolicySetting.objects.all():
        assert record.unit in Unit.values, (record.key, record.unit)
        assert record.value_type in ValueType.values, (record.key, record.value_type)
        record.full_clean(exclude=["created_by"])
