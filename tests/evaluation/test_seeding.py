"""The evaluator pool seed: from researchers plus outside experts, the demo evaluator included, idempotent."""

from doyak.evaluation.models import EvaluatorProfile
from doyak.evaluation.seeding import evaluation_seed


def test_seed_fills_the_pool_once(make_organization, make_researcher, make_user):
    org = make_organization()
    researchers = [make_researcher(organization=org, career_stage="senior") for _ in range(12)]
    make_user(role="evaluator", username="evaluator", researcher=researchers[0])
    first = evaluation_seed(scale="demo", seed=7)
    # 120 wanted: 10 outside experts, and all 12 researchers (the demo evaluator's own entry among them)
    assert first == {"evaluator_profiles": 22}
    assert EvaluatorProfile.objects.filter(user__username="evaluator", researcher=researchers[0]).count() == 1
    assert EvaluatorProfile.objects.filter(researcher=None, is_economic_expert=True).count() == 10
    assert evaluation_seed(scale="demo", seed=7) == {"evaluator_profiles": 0}
    assert EvaluatorProfile.objects.count() == 22
