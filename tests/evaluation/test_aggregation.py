"""Aggregation by the call's rule: exact Decimal values."""

from decimal import Decimal as D

import pytest

from doyak.evaluation.aggregation import (
    CriterionScore,
    aggregate,
    proposal_result,
    rank_results,
    rounded,
    weighted_total,
)


def test_weighted_total_sums_weight_times_share_of_scale():
    # given 40 points at 8/10 and 60 points at 75/100
    scores = [CriterionScore(D("40"), 10, D("8")), CriterionScore(D("60"), 100, D("75"))]
    # when / then
    assert weighted_total(scores) == D("77")


def test_mean_of_all_totals():
    assert aggregate([D("70"), D("80"), D("95")], "mean") == D("245") / 3


def test_trimmed_mean_drops_one_highest_and_one_lowest():
    # given five totals; 50 and 99 are dropped
    totals = [D("80"), D("50"), D("99"), D("70"), D("90")]
    # then the mean of 70, 80, 90
    assert aggregate(totals, "trimmed_mean") == D("80")


def test_trimmed_mean_with_three_keeps_the_middle_one():
    assert aggregate([D("60"), D("90"), D("75")], "trimmed_mean") == D("75")


def test_trimmed_mean_with_two_is_the_plain_mean():
    assert aggregate([D("60"), D("91")], "trimmed_mean") == D("75.5")


def test_trimmed_mean_drops_only_one_of_tied_extremes():
    assert aggregate([D("90"), D("90"), D("60"), D("60")], "trimmed_mean") == D("75")


def test_median_odd_and_even():
    assert aggregate([D("71"), D("60"), D("90")], "median") == D("71")
    assert aggregate([D("71"), D("60"), D("90"), D("80")], "median") == D("75.5")


def test_aggregate_of_nothing_is_none_and_unknown_rule_is_refused():
    assert aggregate([], "mean") is None
    with pytest.raises(ValueError):
        aggregate([D("1")], "max")


def test_result_trimmed_mean_just_below_cutoff_fails_although_it_rounds_to_it():
    # given three totals whose trimmed mean is exactly 69.995 (shown as 70.00)
    result = proposal_result(proposal_id=1, reference="P1", totals=[D("50"), D("69.995"), D("90")],
                             rule="trimmed_mean", cutoff=D("70"), spread_alert_points=D("40"))
    # then the exact score is compared: it fails the 70 cut-off
    assert result.score == D("69.995")
    assert rounded(result.score) == D("70.00")
    assert result.passed is False


def test_result_exactly_at_cutoff_passes_and_flags_spread():
    # given totals whose mean is exactly the cut-off, 0.005 apart
    result = proposal_result(proposal_id=1, reference="P1", totals=[D("69.995"), D("70.005")], rule="mean",
                             cutoff=D("70"), spread_alert_points=D("0.01"))
    # then it passes and the 0.01 spread reaches the alert threshold
    assert result.score == D("70")
    assert result.passed is True
    assert result.spread == D("0.010")
    assert result.spread_alert is True


def test_rank_compares_exact_scores_not_the_rounded_ones():
    # given two scores that both show as 70.00 and one exact tie
    rows = [proposal_result(proposal_id=i, reference=ref, totals=totals, rule="mean", cutoff=D("70"),
                            spread_alert_points=D("20"))
            for i, (ref, totals) in enumerate([("A", [D("69.995")]), ("B", [D("70")]), ("C", [D("70")])])]
    # when ranked
    ranked = rank_results(rows)
    # then the one below the cut-off ranks after the two at it
    assert [(r.reference, r.rank, r.passed) for r in ranked] == [("B", 1, True), ("C", 1, True), ("A", 3, False)]


def test_ripple_part_is_aggregated_apart():
    result = proposal_result(proposal_id=1, reference="P1", totals=[D("80"), D("60"), D("70")],
                             ripple_totals=[D("20"), D("10"), D("15")], rule="median", cutoff=D("70"),
                             spread_alert_points=D("20"), has_ripple=True)
    assert (result.score, result.ripple_score, result.core_score) == (D("70"), D("15"), D("55"))
    assert result.spread_alert is True


def test_rank_shares_ties_and_skips_and_puts_unscored_last():
    rows = [proposal_result(proposal_id=i, reference=ref, totals=totals, rule="mean", cutoff=D("70"),
                            spread_alert_points=D("20"))
            for i, (ref, totals) in enumerate([("C", [D("80")]), ("A", [D("90")]), ("B", [D("80")]), ("D", [])])]
    ranked = rank_results(rows)
    assert [(r.reference, r.rank) for r in ranked] == [("A", 1), ("B", 2), ("C", 2), ("D", None)]
