"""Synthetic evaluator-assignment data for ``bench/assign.py`` (deterministic for a seed).

Proposals and evaluators get latent topic vectors (topics of uneven popularity); every proposal's
candidates are its ``candidates`` most similar evaluators (with noise). The affinity mixes topic
similarity with an evaluator "breadth" that makes some evaluators wanted by many proposals, and a
per-proposal "niche" factor that makes some proposals poorly served: the total-affinity optimum
then leaves a few proposals with weak panels, which is what the ``fair`` objective addresses.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv


def generate(
    *, proposals: int, evaluators: int, candidates: int, conflict_share: float, seed: int
) -> tuple[pa.Table, pa.Table]:
    rng = np.random.default_rng(seed)
    dims, n_topics = 12, 60
    centers = rng.normal(size=(n_topics, dims))
    centers /= np.linalg.norm(centers, axis=1, keepdims=True)
    popularity = 1.0 / np.arange(1, n_topics + 1) ** 0.8
    popularity /= popularity.sum()
    xp = centers[rng.choice(n_topics, proposals, p=popularity)] + 0.45 * rng.normal(size=(proposals, dims))
    xe = centers[rng.integers(0, n_topics, evaluators)] + 0.45 * rng.normal(size=(evaluators, dims))
    xp /= np.linalg.norm(xp, axis=1, keepdims=True)
    xe /= np.linalg.norm(xe, axis=1, keepdims=True)
    breadth = rng.beta(2, 5, evaluators)
    niche = rng.uniform(0.55, 1.0, proposals)
    k = min(candidates, evaluators)
    ps, es, ss = [], [], []
    for lo in range(0, proposals, 1000):
        hi = min(lo + 1000, proposals)
        sim = (xp[lo:hi] @ xe.T).astype(np.float32)
        sim += 0.15 * rng.normal(size=sim.shape).astype(np.float32)
        idx = np.argpartition(-sim, k - 1, axis=1)[:, :k]
        val = np.take_along_axis(sim, idx, axis=1)
        score = (0.25 + 0.35 * val + 0.4 * breadth[idx]) * niche[lo:hi, None]
        ps.append(np.repeat(np.arange(lo, hi), k))
        es.append(idx.ravel())
        ss.append(score.ravel())
    p, e = np.concatenate(ps), np.concatenate(es)
    s = np.round(np.clip(np.concatenate(ss).astype(np.float64), 0.0, 1.0), 6)
    pid = np.char.add("P", np.char.zfill(np.arange(proposals).astype(str), 6))
    eid = np.char.add("E", np.char.zfill(np.arange(evaluators).astype(str), 5))
    affinity = pa.table({"proposal_id": pid[p], "evaluator_id": eid[e], "score": s})
    forbidden = rng.random(len(p)) < conflict_share
    conflicts = pa.table(
        {
            "proposal_id": pid[p[forbidden]],
            "evaluator_id": eid[e[forbidden]],
            "reason": np.full(int(forbidden.sum()), "same_organization"),
        }
    )
    return affinity, conflicts


def write(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="none"))
