import pytest

from doyak.accounts.models import User
from doyak.core.seeding import seed_run
from doyak.organizations.models import Organization, Researcher
from doyak.organizations.validators import brn_is_valid
from doyak.programs.models import Program

pytestmark = pytest.mark.django_db


def test_seed_demo_counts_and_idempotent():
    # when the demo data is loaded twice with the same seed
    first = seed_run(scale="demo", seed=7)
    second = seed_run(scale="demo", seed=7)
    # then the first run adds the demo sizes and the second adds nothing
    assert first == {"organizations": 300, "researchers": 1500, "programs": 20, "users": 8}
    assert second == {"organizations": 0, "researchers": 0, "programs": 0, "users": 0}
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


def test_seed_same_seed_same_data():
    seed_run(scale="demo", seed=11)
    names = list(Organization.objects.order_by("business_registration_number").values_list("name", "business_registration_number")[:20])
    Researcher.objects.all().delete()
    User.objects.all().delete()
    Organization.objects.all().delete()
    Program.objects.all().delete()
    seed_run(scale="demo", seed=11)
    again = list(Organization.objects.order_by("business_registration_number").values_list("name", "business_registration_number")[:20])
    assert names == again
