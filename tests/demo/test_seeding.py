import datetime as dt

import pytest

from doyak.accounts.models import User
from doyak.demo.seeding import seed_run
from doyak.organizations.models import Organization, Researcher
from doyak.organizations.validators import brn_is_valid
from doyak.programs.models import Program

pytestmark = pytest.mark.django_db


def test_seed_demo_counts_and_idempotent():
    # when the demo data is loaded twice with the same seed
    first = seed_run(scale="demo", seed=7)
    second = seed_run(scale="demo", seed=7)
    # then the first run adds the demo sizes and the second adds nothing
    assert {k: first[k] for k in ("organizations", "researchers", "programs", "users", "calls", "proposals")} == {
        "organizations": 300, "researchers": 1500, "programs": 20, "users": 8, "calls": 20, "proposals": 150}
    assert first["evaluator_profiles"] > 0 and first["agreements"] > 0 and first["transactions"] > 0
    assert set(second) == set(first)
    assert set(second.values()) == {0}
    assert Organization.objects.count() == 300
    assert Researcher.objects.count() == 1500
    assert Program.objects.count() == 20
    assert set(User.objects.values_list("role", flat=True)) == {
        "program_manager", "applicant", "evaluator", "investor", "regulation_liaison", "council_member", "auditor",
        "administrator",
    }
    # every generated registration number is valid; most firms are SMEs; about half in the capital region
    assert all(brn_is_valid(n) for n in Organization.objects.values_list("business_registration_number", flat=True))
    firms = Organization.objects.filter(org_type__in=["sme", "early_mid_size", "mid_size", "large"])
    assert 0.85 <= firms.filter(org_type="sme").count() / firms.count() <= 0.95
    capital_share = firms.filter(region__group="capital").count() / firms.count()
    assert 0.40 <= capital_share <= 0.60
    applicant = User.objects.get(username="applicant")
    assert applicant.organization is not None
    # the evaluated call has an approved scenario, and every selected proposal was selected by it
    from doyak.agreements.models import Agreement
    from doyak.evaluation.models import Decision
    from doyak.portfolio.models import Scenario, Selection
    from doyak.proposals.models import Proposal

    # (the demo's own call, and the closed calls of the KPI board's fund tracks: kpi.seeding)
    approved = list(Scenario.objects.filter(status="approved"))
    evaluated_calls = set(Decision.objects.values_list("proposal__call_id", flat=True))
    assert evaluated_calls == {a.call_id for a in approved} and len(approved) == len(evaluated_calls)
    selected = set(Proposal.objects.filter(status="selected").values_list("pk", flat=True))
    assert selected and selected == {pk for a in approved for pk in a.result["selected_ids"]}
    assert selected == set(Selection.objects.filter(scenario__in=approved, selected=True).values_list(
        "proposal_id", flat=True))
    assert set(Agreement.objects.values_list("proposal_id", flat=True)) == selected
    # the demo applicant's agreement was signed in the application; a major change waits; on another agreement
    # the PM rejected one major request and approved the next (in force: version 2), then a notice applied (3)
    from doyak.agreements.models import ChangeRequest

    own = Agreement.objects.filter(proposal__lead_organization=applicant.organization).order_by("pk").first()
    assert (own.signatures.count(), own.status in ("signed", "active"), own.versions.count()) == (2, True, 1)
    assert sorted(ChangeRequest.objects.values_list("classification", "status")) == [
        ("major", "applied"), ("major", "rejected"), ("major", "submitted"), ("minor", "applied")]
    assert list(Agreement.objects.filter(version__gt=1).values_list("version", flat=True)) == [3]
    # the answered requests were answered in the past, days after their submission (the board's answer days;
    # squeezed into a younger agreement's days, as in January)
    from django.utils import timezone

    answered = list(ChangeRequest.objects.filter(decided_at__isnull=False).order_by("submitted_at"))
    assert all(c.submitted_at <= c.decided_at <= timezone.now() for c in answered)
    if (timezone.localdate() - answered[0].agreement.start_date).days > 26:
        assert [(c.decided_at - c.submitted_at).days for c in answered] == [4, 7]
    # no proposal is decided without its evaluation; the demo applicant's strong one was selected
    assert not Proposal.objects.filter(status__in=["evaluated", "selected"], evaluation_decision=None).exists()
    assert Proposal.objects.filter(status="selected", lead_organization=applicant.organization).exists()
    _assert_plausible(applicant)
    _assert_regulation_demo()


def _assert_regulation_demo():
    """Issue 11: 30 demo tasks, dependencies in each of the four statuses as of the demo's today (the status
    the daily job stored is the one the engine gives today), an alert for each status worth one."""
    from django.utils import timezone

    from doyak.regulation.models import ProjectRegulation, RegulationAlert, RegulationTask
    from doyak.regulation.services import dependency_status_of

    today = timezone.localdate()
    assert RegulationTask.objects.filter(is_demo=True).count() == 30
    deps = list(ProjectRegulation.objects.prefetch_related("milestones"))
    assert {d.status for d in deps} == {"on_track", "at_risk", "blocked", "expiring"}
    assert all(d.status == dependency_status_of(d, today=today) and d.status_on == today for d in deps)
    assert set(RegulationAlert.objects.values_list("status", flat=True)) == {"at_risk", "blocked", "expiring"}


def _assert_plausible(applicant):
    """Issue 14: demo data a civil servant would trust."""
    from django.utils import timezone

    from doyak.agreements.models import Agreement
    from doyak.evaluation.models import EvaluatorProfile
    from doyak.finance.models import SettlementRun, Transaction
    from doyak.portfolio.models import Scenario, Selection

    now, today = timezone.now(), timezone.localdate()
    # one legal form per firm: "(주)" once, never with 주식회사/유한회사/(유)
    names = list(Organization.objects.filter(org_type__in=["sme", "early_mid_size", "mid_size", "large"])
                 .values_list("name", flat=True))
    assert all(n.count("(주)") == 1 and not any(f in n for f in ("주식회사", "유한회사", "(유)")) for n in names)
    # agreements from this year's selection run now; spending up to today only; nothing settled in the future
    assert {a.start_date.year for a in Agreement.objects.filter(status="active")} == {today.year}
    assert all(a.start_date <= today for a in Agreement.objects.filter(status="active"))
    assert Transaction.objects.exists() and not Transaction.objects.filter(occurred_at__gt=now).exists()
    assert not SettlementRun.objects.filter(finished_at__gt=now).exists()
    # the two demo scenarios ask different questions and select differently
    from doyak.portfolio.seeding import DEMO_NAMES

    scenarios = list(Scenario.objects.filter(status__in=["approved", "solved", "submitted"], name__in=DEMO_NAMES)
                     .order_by("pk"))
    assert len(scenarios) == 2 and scenarios[0].policy["objective"] != scenarios[1].policy["objective"]
    chosen = [set(Selection.objects.filter(scenario=s, selected=True).values_list("proposal_id", flat=True))
              for s in scenarios]
    assert chosen[0] != chosen[1]
    # the board's regional-package card counts the agreements the demo selected in its fund track (kpi.seeding)
    # and at least one card is behind its trajectory
    from doyak.kpi.selectors import board

    states = {state.key: state for state in board()}
    assert states["regional.growth_engine_package"].actual > 0
    assert states["fake_work.change_answer_days"].actual is not None  # the requests the PM answered (agreements)
    assert any(state.status in ("behind", "at_risk") and state.actual for state in states.values())
    # the on-device chip and the chemical transition count the agreements of their earlier round (kpi.seeding), and
    # their drill-downs list exactly the records that sum to the card
    from doyak.kpi.selectors import indicator_state

    for key in ("max.on_device_ai_chip_program", "regional.chemical_transition_project",
                "fake_work.evidence_checks_per_100m", "fake_work.evidence_removed_by_exemptions"):
        detail = indicator_state(indicator=states[key].indicator)
        assert detail.actual and detail.actual == states[key].actual, key
        if detail.indicator.aggregate == "sum":
            assert sum(r.value for r in detail.records) == detail.actual, key
    # the chip programme's milestones sit on the chip projects and count once the program manager verified them
    from doyak.max.models import Asset

    chips = Asset.objects.filter(kind="chip_milestone")
    assert chips.filter(status="verified").exists() and chips.filter(status="registered").exists()
    assert set(chips.filter(status="verified").values_list("verified_by__username", flat=True)) == {"pm"}
    assert set(chips.values_list("projects__call__track", flat=True)) == {"max_on_device_chip"}
    # the demo evaluator's profile is her own: her name, her researcher entry, her assignments
    evaluator = User.objects.get(username="evaluator")
    profile = EvaluatorProfile.objects.get(user=evaluator)
    assert profile.name == evaluator.researcher.name == "박민준" and profile.researcher_id == evaluator.researcher_id
    assert profile.assignments.exists()


def test_seed_same_seed_same_data():
    # given the generators behind seed_run, fed twice with the same seed
    import random

    from faker import Faker

    from doyak.demo.seeding import _organization_rows, _regions_by_code, _researcher_rows

    def generate(seed):
        rng, fake = random.Random(seed), Faker("ko_KR")
        fake.seed_instance(seed)
        orgs = _organization_rows(rng, fake, 50, _regions_by_code(dt.date(2026, 11, 1)))
        people = _researcher_rows(rng, fake, 80, orgs)
        return ([(o.name, o.business_registration_number, o.org_type, o.region.code) for o in orgs],
                [(r.name, r.national_researcher_number, r.organization.business_registration_number) for r in people])

    # then both runs make the same rows, and another seed makes others
    assert generate(11) == generate(11)
    assert generate(11) != generate(12)
