"""Each indicator's actual on a small hand-made set of records, with exact expected numbers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from doyak.kpi.selectors import indicator_get_or_raise, indicator_state

AS_OF = dt.date(2026, 12, 1)


def _state(key, as_of=AS_OF):
    return indicator_state(indicator=indicator_get_or_raise(key=key, on=as_of), as_of=as_of)


@pytest.mark.django_db
def test_ai_factories_counts_verified_assets_once_even_when_linked_to_two_projects(
        track_agreement, register_asset, make_organization):
    # given two projects of one institution, a factory linked to both, a second verified factory, one awaiting
    # verification (planned for 2027) and one rejected
    lead = make_organization(region_code="26")
    a1, a2 = track_agreement(lead=lead), track_agreement(lead=lead)
    shared = register_asset([a1, a2], name="울산 1공장")
    other = register_asset([a1], name="울산 2공장", region="11", achieved=dt.date(2026, 5, 2))
    register_asset([a2], name="울산 3공장", verified=False, planned=dt.date(2027, 6, 1))
    register_asset([a2], name="울산 4공장", reject=True)
    # when the board counts AI factories
    state = _state("max.ai_factories")
    # then only the two verified ones count, each once; the forecast adds the planned one
    assert state.actual == Decimal(2)
    assert [r.ref for r in state.records] == [f"asset:{shared.pk}", f"asset:{other.pk}"]
    assert state.by_region_group == {"capital": Decimal(1), "dongnam": Decimal(1)}
    assert state.forecast == Decimal(3)
    assert state.target == Decimal(500) and state.deadline == 2030
    # 2 against a trajectory of 0 → 100 through 2026 (335/365 of the way on 1 December): at risk
    assert state.status == "at_risk"
    assert state.expected == Decimal("91.78")  # 100 × 335/365


@pytest.mark.django_db
def test_humanoid_demos_count_verified_demonstrations_of_their_kind_only(track_agreement, register_asset):
    a = track_agreement()
    register_asset([a], kind="humanoid_demo", name="창원 조선소 용접 실증")
    register_asset([a], kind="ai_factory", name="창원 공장")
    state = _state("max.humanoid_field_demos")
    assert state.actual == Decimal(1)
    assert state.target == Decimal(10) and state.deadline == 2026


@pytest.mark.django_db
def test_growth_engine_package_sums_government_funds_of_regional_only_agreements(track_agreement):
    # given two regional-only agreements and one general one
    r1 = track_agreement(track="regional_only", gov=300_000_000)
    r2 = track_agreement(track="regional_only", gov=450_000_000)
    track_agreement(track="general", gov=999_000_000)
    # when the package is summed
    state = _state("regional.growth_engine_package")
    # then exactly the regional-only funds, and the drill-down holds exactly those agreements
    assert state.actual == Decimal(750_000_000)
    assert sorted(r.ref for r in state.records) == sorted([f"agreement:{r1.pk}", f"agreement:{r2.pk}"])
    assert sum(r.value for r in state.records) == state.actual
    assert state.by_region_group == {"dongnam": Decimal(750_000_000)}


@pytest.mark.django_db
def test_on_device_chip_program_sums_its_track(track_agreement):
    track_agreement(track="max_on_device_chip", gov=2_000_000_000)
    assert _state("max.on_device_ai_chip_program").actual == Decimal(2_000_000_000)


@pytest.mark.django_db
def test_large_projects_count_agreements_over_the_threshold_against_the_base_year(track_agreement, chain):
    # given a threshold of ₩500M (a new version of the plan's policy), two large agreements that started in the
    # base year 2025, three in 2026 and a small one in 2026
    from doyak.policies.services import policy_change

    policy_change(actor=chain.admin, key="plan.fake_work.large_projects_increase.threshold_krw", value=500_000_000,
                  effective_from=dt.date(2020, 1, 1), source="시험")
    for _ in range(2):
        track_agreement(gov=600_000_000, start=dt.date(2025, 4, 1), end=dt.date(2026, 12, 31))
    for _ in range(3):
        track_agreement(gov=500_000_000, start=dt.date(2026, 4, 1))
    track_agreement(gov=499_999_999, start=dt.date(2026, 4, 1))
    # when counted
    state = _state("fake_work.large_projects_increase")
    # then 3 this year against a baseline of 2: the 2026 target is 2 × 1.06 and the 2030 target 2 × 1.30
    assert state.baseline == Decimal(2)
    assert state.actual == Decimal(3)
    assert state.target == Decimal("2.60")
    assert state.status == "on_track"
    assert len(state.records) == 3


@pytest.mark.django_db
def test_days_from_call_close_to_agreement_is_the_mean_over_agreements(track_agreement):
    # the fixture's calls closed 30 days before their agreements were concluded
    track_agreement()
    track_agreement()
    state = _state("fake_work.days_call_close_to_agreement", as_of=dt.date.today())
    assert state.actual == Decimal("30.0")
    assert [r.value for r in state.records] == [Decimal(30), Decimal(30)]


@pytest.mark.django_db
def test_documents_per_proposal_is_the_mean_of_what_calls_required(track_agreement):
    track_agreement(required_documents=["plan", "budget", "consent"])
    track_agreement(required_documents=["plan"])
    state = _state("fake_work.documents_per_proposal", as_of=dt.date.today())
    assert state.actual == Decimal("2.0")


@pytest.mark.django_db
def test_the_boards_cards_read_the_same_figures_without_the_records(track_agreement, register_asset,
                                                                    make_organization):
    # given proposals whose calls required three documents and one, a factory achieved in 2025 and linked to both
    # projects, one achieved in 2026 and one planned for 2027
    today, lead = dt.date.today(), make_organization(region_code="26")
    a1 = track_agreement(lead=lead, required_documents=["plan", "budget", "consent"])
    a2 = track_agreement(lead=lead, required_documents=["plan"])
    register_asset([a1, a2], achieved=dt.date(2025, 6, 1))
    register_asset([a1], achieved=dt.date(2026, 5, 2))
    register_asset([a2], verified=False, planned=dt.date(2027, 6, 1))
    for key, value in (("max.ai_factories", Decimal(2)), ("fake_work.documents_per_proposal", Decimal("2.0"))):
        indicator = indicator_get_or_raise(key=key, on=today)
        # when the drill-down and the board's card (yearly figures only, no records) compute it
        full = indicator_state(indicator=indicator, as_of=today)
        card = indicator_state(indicator=indicator, as_of=today, records=False)
        # then the same figures, the card without the records behind them
        assert full.actual == value
        assert (card.actual, card.status, card.expected, card.forecast, card.baseline, card.years) == (
            full.actual, full.status, full.expected, full.forecast, full.baseline, full.years), key
        assert len(full.records) == 2 and card.records == [] and card.by_region_group == {}


@pytest.mark.django_db
def test_chemical_transition_sums_the_agreements_of_its_programme(track_agreement):
    # given two agreements of the K-chemical transition programme (KCT; one programme a year) and one of another
    k1 = track_agreement(program_code="KCT", gov=12_000_000_000)
    k2 = track_agreement(program_code="KCT", gov=8_500_000_000, start=dt.date(2027, 2, 1), end=dt.date(2027, 12, 31))
    track_agreement(gov=999_000_000)
    # when summed on 2026-12-01 and on 2027-12-01 (cumulative)
    state = _state("regional.chemical_transition_project")
    later = _state("regional.chemical_transition_project", as_of=dt.date(2027, 12, 1))
    # then exactly the programme's government funds, each agreement in its start year, and the drill-down lists them
    assert (state.actual, state.target, state.deadline) == (Decimal(12_000_000_000), Decimal(1_500_000_000_000), 2030)
    assert [r.ref for r in state.records] == [f"agreement:{k1.pk}"]
    assert later.actual == Decimal(20_500_000_000)
    assert sorted(r.ref for r in later.records) == sorted([f"agreement:{k1.pk}", f"agreement:{k2.pk}"])


@pytest.mark.django_db
def test_an_indicator_without_records_is_no_data_says_why_and_keeps_its_target(db):
    # given no change request answered: the answer days have no figure
    from django.utils import translation

    with translation.override("en"):
        state = _state("fake_work.change_answer_days")
    assert (state.actual, state.status, state.target, state.deadline) == (None, "no_data", Decimal(7), 2030)
    assert "answered" in state.no_data_reason
    assert [row.target for row in state.years if row.year == 2026] == [Decimal(20)]


@pytest.mark.django_db
def test_seeded_final_targets_equal_the_plans_own_policy_records(db):
    from doyak.kpi.selectors import board
    from doyak.policies.services import policy_value

    for state in board(as_of=AS_OF):
        policy = state.indicator.target_policy
        if policy and not state.indicator.relative:
            assert state.target == Decimal(policy_value(policy, AS_OF)), state.key


def _settle(pm, agreement):
    from doyak.finance.services import settlement_run_execute, settlement_run_start

    return settlement_run_execute(run_id=settlement_run_start(actor=pm, agreement_ids=[agreement.pk]).pk)


@pytest.mark.django_db
def test_evidence_items_per_100m_and_removed_share_read_each_agreements_last_run_of_the_year(
        make_agreement, add_txn, chain):
    # given an ordinary agreement: four ₩25M materials (payment record and documents each) and two ₩1M ones
    # (payment record only: documents are exempt at or under ₩3M), ₩102M spent; settled twice this year, the
    # second time after a fifth ₩25M material
    agreement = make_agreement(budget={"materials": 300_000_000})
    for n in range(4):
        add_txn(agreement, f"E{n}", amount=25_000_000, merchant=f"M{n}")
    for n in range(2):
        add_txn(agreement, f"S{n}", amount=1_000_000, merchant=f"N{n}")
    _settle(chain.pm, agreement)
    add_txn(agreement, "E9", amount=25_000_000, merchant="M9")
    last = _settle(chain.pm, agreement)
    # when measured
    per_100m = _state("fake_work.evidence_checks_per_100m", as_of=dt.date.today())
    removed = _state("fake_work.evidence_removed_by_exemptions", as_of=dt.date.today())
    # then only the last run counts: 12 items required of 14 over ₩127M spent → 9.4 per ₩100M; 2 of 14 removed
    assert [(r.ref, r.value) for r in per_100m.records] == [(f"settlement_run:{last.pk}", Decimal("9.4"))]
    assert per_100m.actual == Decimal("9.4")
    assert [(r.ref, r.value) for r in removed.records] == [(f"settlement_run:{last.pk}", Decimal("14.3"))]
    assert removed.actual == Decimal("14.3")
    assert "12" in removed.records[0].label and "14" in removed.records[0].label


@pytest.mark.django_db
def test_evidence_removed_share_counts_what_self_settlement_spared(make_agreement, add_txn, chain):
    # given a self-settled agreement of ten ₩1M materials (each needs its payment record) and an ordinary one of
    # one ₩10M material (both items)
    own = make_agreement(budget={"materials": 100_000_000}, self_settlement=True)
    for n in range(10):
        add_txn(own, f"T{n}", amount=1_000_000 + n, merchant=f"M{n}")
    other = make_agreement(budget={"materials": 100_000_000})
    add_txn(other, "T1", amount=10_000_000)
    run_own, run_other = _settle(chain.pm, own), _settle(chain.pm, other)
    # when measured
    removed = _state("fake_work.evidence_removed_by_exemptions", as_of=dt.date.today())
    per_100m = _state("fake_work.evidence_checks_per_100m", as_of=dt.date.today())
    # then the self-settled one: 20 items, 10 exempted (documents), the sample's ⌈15% × 10⌉ = 2 payment records
    # required, 8 spared → 90.0% removed and 2 items over ₩10,000,045 → 20.0 per ₩100M; the ordinary one 0% and 20.0
    from doyak.finance.models import SettlementResult

    assert (SettlementResult.objects.filter(run=run_own).values_list(
        "evidence_required", "evidence_exempted", "evidence_self_settled").get()) == (2, 10, 8)
    assert sorted((r.ref, r.value) for r in removed.records) == sorted([
        (f"settlement_run:{run_own.pk}", Decimal("90.0")), (f"settlement_run:{run_other.pk}", Decimal("0.0"))])
    assert removed.actual == Decimal("45.0")
    assert sorted(r.value for r in per_100m.records) == [Decimal("20.0"), Decimal("20.0")]


@pytest.mark.django_db
def test_large_projects_without_base_year_records_is_no_data_with_its_reason(db):
    state = _state("fake_work.large_projects_increase")
    assert (state.actual, state.target, state.status) == (Decimal(0), None, "no_data")
    assert "2025" in state.no_data_reason
    assert {row.status for row in state.years} == {"no_data"}


def test_home_cards_are_computed_once_a_minute_when_the_deployment_asks(settings, make_user):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from doyak.kpi.selectors import home_content

    council = make_user(role="council_member")
    cache.clear()
    settings.KPI_HOME_CACHE_SECONDS = 60
    first = home_content(user=council, lang="ko")
    with CaptureQueriesContext(connection) as queries:
        again = home_content(user=council, lang="ko")
    assert again == first and len(queries) == 0 and first.cards
    settings.KPI_HOME_CACHE_SECONDS = 0
    with CaptureQueriesContext(connection) as queries:
        assert home_content(user=council, lang="ko") == first
    assert len(queries) > 0
    cache.clear()
