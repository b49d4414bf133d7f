"""Versions are frozen: once version 1 is signed nothing changes or deletes it, one by one or in bulk."""

from __future__ import annotations

import pytest

from doyak.agreements.models import AgreementVersion, FrozenVersion

pytestmark = pytest.mark.django_db


def test_concluded_agreement_has_version_one_frozen_with_its_terms(make_agreement):
    # given an agreement concluded by the program manager
    agreement = make_agreement(budget={"materials": 8_000_000, "activities": 4_000_000})
    # then version 1 is frozen, in force from the start date, and snapshots the budget by source
    version = AgreementVersion.objects.get(agreement=agreement)
    assert (agreement.status, agreement.version, version.number) == ("active", 1, 1)
    assert version.frozen_at is not None and version.effective_from == agreement.start_date
    lead = agreement.proposal.lead_organization
    assert version.terms["lead_institution"] == {"id": lead.pk, "name": lead.name}
    assert [(b["category"], b["gov_krw"], b["cash_krw"]) for b in version.terms["budget"]] == [
        ("activities", 3_000_000, 1_000_000), ("materials", 6_000_000, 2_000_000)]


def test_frozen_version_refuses_save_update_and_delete(make_agreement):
    # given a frozen version 1
    agreement = make_agreement()
    version = AgreementVersion.objects.get(agreement=agreement)
    terms = dict(version.terms)
    # when it is changed, updated in bulk or deleted: then each is refused
    version.terms = {**terms, "method": "바꿈"}
    with pytest.raises(FrozenVersion):
        version.save()
    with pytest.raises(FrozenVersion):
        AgreementVersion.objects.filter(pk=version.pk).update(terms={})
    with pytest.raises(FrozenVersion):
        version.delete()
    with pytest.raises(FrozenVersion):
        AgreementVersion.objects.filter(agreement=agreement).delete()
    # and nothing changed
    assert AgreementVersion.objects.get(pk=version.pk).terms == terms
