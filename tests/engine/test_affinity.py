"""Tests of proposal–evaluator affinity (Kiwi tokens, TF-IDF cosine, classification-code Jaccard)."""

from __future__ import annotations

import numpy as np
import pytest

from doyak.engine.affinity import (
    AffinityError,
    Profile,
    affinity_candidates,
    affinity_scores,
    code_prefixes_of,
    tokens_of,
)

BATTERY = Profile("P1", "리튬이온 이차전지 양극재의 고용량화 기술 개발")
EXPERTS = [
    Profile("E-lidar", "자율주행 차량용 라이다 센서 신호처리"),
    Profile("E-cathode", "이차전지 양극재"),
    Profile("E-chip", "AI 기반 반도체 공정 최적화"),
]


def test_tokens_of_korean_keeps_nouns_and_drops_particles():
    # given a Korean title / when tokenised / then nouns remain, the particle 의 and suffix 화 do not
    assert tokens_of("이차전지 양극재의 고용량화") == ["전지", "양극", "재", "용량"]


def test_tokens_of_english_lowercases_and_drops_stop_words():
    assert tokens_of("High-nickel Cathode materials for the Batteries") == [
        "high",
        "nickel",
        "cathode",
        "materials",
        "batteries",
    ]


def test_affinity_scores_battery_expert_ranks_first_for_a_cathode_proposal():
    # given a battery-cathode proposal and three evaluators
    # when scored on text only
    scores = affinity_scores(proposals=[BATTERY], evaluators=EXPERTS, code_weight=0.0)
    # then the cathode expert ranks first and the unrelated ones score 0
    assert int(np.argmax(scores[0])) == 1
    assert scores[0, 1] > 0.3
    assert scores[0, 0] == 0.0
    assert scores[0, 2] == 0.0


def test_affinity_scores_identical_text_is_one():
    same = "수소 연료전지 스택 내구성 향상 hydrogen fuel cell stack"
    scores = affinity_scores(
        proposals=[Profile("P", same)], evaluators=[Profile("E", same), Profile("X", "반도체")]
    )
    assert scores[0, 0] == 1.0


def test_affinity_scores_disjoint_text_is_zero():
    scores = affinity_scores(
        proposals=[Profile("P", "수소 연료전지")], evaluators=[Profile("E", "반도체 패키징 공정")]
    )
    assert scores.tolist() == [[0.0]]


def test_code_prefixes_of_expands_large_middle_small_classes():
    assert code_prefixes_of(["EE0101", " ee0203 "], (2, 4, 6)) == {"EE", "EE01", "EE0101", "EE02", "EE0203"}


def test_affinity_scores_codes_only_are_prefix_jaccard():
    # given no text, codes EE0101 vs EE0102: prefixes {EE, EE01, EE0101} vs {EE, EE01, EE0102}
    p = Profile("P", "", ("EE0101",))
    e = Profile("E", "", ("EE0102",))
    # when scored / then Jaccard = 2 / 4
    assert affinity_scores(proposals=[p], evaluators=[e]).tolist() == [[0.5]]


def test_affinity_scores_weights_combine_text_and_codes():
    # given identical text (1.0) and codes sharing 2 of 4 prefixes (0.5)
    p = Profile("P", "수소 연료전지", ("EE0101",))
    e = Profile("E", "수소 연료전지", ("EE0102",))
    # when weighted 0.7 / 0.3 / then 0.7·1 + 0.3·0.5
    assert affinity_scores(proposals=[p], evaluators=[e], text_weight=0.7, code_weight=0.3).tolist() == [
        [0.85]
    ]


def test_affinity_candidates_keeps_top_n_best_first_and_drops_zeros():
    # given the battery proposal and the three evaluators
    # when the top 2 are kept
    c = affinity_candidates(proposals=[BATTERY], evaluators=EXPERTS, top_n=2)
    # then only the cathode expert remains (the others score 0)
    assert [c.evaluator_ids[j] for j in c.evaluator.tolist()] == ["E-cathode"]
    assert c.proposal.tolist() == [0]


def test_affinity_candidates_many_proposals_match_the_dense_scores():
    # given 600 proposals (more than one block) built from a few texts
    texts = ["이차전지 양극재", "자율주행 라이다", "반도체 공정", "hydrogen fuel cell"]
    proposals = [Profile(f"P{i}", texts[i % 4] + f" 과제{i % 7}") for i in range(600)]
    evaluators = [Profile(f"E{j}", texts[j % 4], (f"EE0{j % 3}01",)) for j in range(9)]
    # when candidates (top 3, zeros kept) and the dense matrix are computed
    c = affinity_candidates(proposals=proposals, evaluators=evaluators, top_n=3, min_score=-1.0)
    dense = affinity_scores(proposals=proposals, evaluators=evaluators)
    # then every kept pair has its dense score, and each proposal keeps its 3 best
    assert np.array_equal(c.score, dense[c.proposal, c.evaluator])
    assert np.bincount(c.proposal, minlength=600).tolist() == [3] * 600
    best = np.sort(dense, axis=1)[:, ::-1][:, :3].sum()
    assert c.score.sum() == pytest.approx(best, rel=1e-12)


def test_affinity_scores_negative_weight_rejected():
    with pytest.raises(AffinityError) as info:
        affinity_scores(proposals=[BATTERY], evaluators=EXPERTS, text_weight=-1.0)
    assert info.value.code == "affinity_invalid_input"
