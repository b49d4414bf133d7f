"""Baselines for ``bench/assign.py``: a greedy assignment and the LP solved by HiGHS.

Each runs in its own process (``bench/assign.py --worker ...``): highspy and OR-Tools bundle
different ``libhighs.so.1`` builds and cannot be loaded together.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl


def load(affinity: Path, conflicts: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
    """(proposal index, evaluator index, score) of the eligible pairs, and the counts."""
    a = pl.read_csv(affinity, schema_overrides={"proposal_id": pl.String, "evaluator_id": pl.String})
    c = pl.read_csv(conflicts, schema_overrides={"proposal_id": pl.String, "evaluator_id": pl.String})
    a = a.join(c.select("proposal_id", "evaluator_id"), on=["proposal_id", "evaluator_id"], how="anti")
    p_codes, p_n = _codes(a["proposal_id"])
    e_codes, e_n = _codes(a["evaluator_id"])
    return p_codes, e_codes, a["score"].to_numpy().astype(np.float64), p_n, e_n


def _codes(col: pl.Series) -> tuple[np.ndarray, int]:
    uniq, inverse = np.unique(col.to_numpy().astype(str), return_inverse=True)
    return inverse.astype(np.int64), len(uniq)


def greedy(p: np.ndarray, e: np.ndarray, s: np.ndarray, n_p: int, n_e: int, k: int, max_load: int):
    """Slot by slot (round r = every proposal's r-th evaluator), each proposal takes its best
    eligible evaluator that still has capacity. Returns (chosen mask, unfilled slots)."""
    order = np.lexsort((-s, p))
    starts = np.searchsorted(p[order], np.arange(n_p + 1))
    load = np.zeros(n_e, dtype=np.int64)
    pointer = starts[:-1].copy()
    chosen = np.zeros(len(p), dtype=bool)
    unfilled = 0
    e_sorted = e[order].tolist()
    load_l = load.tolist()
    ptr = pointer.tolist()
    ends = starts[1:].tolist()
    picked = []
    for _ in range(k):
        for i in range(n_p):
            j = ptr[i]
            while j < ends[i] and load_l[e_sorted[j]] >= max_load:
                j += 1
            if j < ends[i]:
                load_l[e_sorted[j]] += 1
                picked.append(j)
                j += 1
            else:
                unfilled += 1
            ptr[i] = j
    chosen[order[np.asarray(picked, dtype=np.int64)]] = True
    return chosen, unfilled


def lp_highs(p: np.ndarray, e: np.ndarray, s: np.ndarray, n_p: int, n_e: int, k: int, max_load: int):
    """The transportation LP (x in [0, 1]) solved by HiGHS simplex. Returns (x, objective)."""
    import highspy

    n = len(s)
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = n_p + n_e
    lp.col_cost_ = s
    lp.col_lower_ = np.zeros(n)
    lp.col_upper_ = np.ones(n)
    lp.row_lower_ = np.concatenate([np.full(n_p, float(k)), np.zeros(n_e)])
    lp.row_upper_ = np.concatenate([np.full(n_p, float(k)), np.full(n_e, float(max_load))])
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.arange(0, 2 * n + 1, 2, dtype=np.int32)
    index = np.empty(2 * n, dtype=np.int32)
    index[0::2] = p
    index[1::2] = n_p + e
    lp.a_matrix_.index_ = index
    lp.a_matrix_.value_ = np.ones(2 * n)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("solver", "simplex")
    h.passModel(lp)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"HiGHS: {h.getModelStatus()}")
    return np.asarray(h.getSolution().col_value), float(h.getInfo().objective_function_value)
