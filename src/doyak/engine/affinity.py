"""Proposal–evaluator affinity (적합도) in [0, 1] from text and technology classification codes.

Text: Korean and English are tokenised with Kiwi (kiwipiepy): Korean nouns and roots (NNG,
NNP, XR), foreign words (SL, lower-cased, minus a few English stop words) and hanja (SH). Each
document is a TF-IDF vector (sublinear tf ``1 + ln count``, smoothed idf
``ln((1 + N) / (1 + df)) + 1`` over all proposals and evaluators given), L2-normalised; text
affinity is the cosine.

Codes: every technology classification code (e.g. 산업기술분류 ``EE0101``) is expanded to its
prefixes of the lengths in ``code_prefixes`` (default 2, 4, 6: large/middle/small class); code
affinity is the Jaccard index of the two prefix sets.

Combined: ``(text_weight · text + code_weight · code) / (text_weight + code_weight)``; a part
is left out (with its weight) when either side has no tokens or no codes, and the score is 0
when both parts are left out. Scores are rounded to 9 decimals so identical profiles score
exactly 1.0 and disjoint ones exactly 0.0.

Pairs are computed sparsely (inverted index, blocks of proposals), so large inputs never build
a dense term matrix; ``affinity_candidates`` keeps the ``top_n`` best evaluators per proposal.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from doyak.engine.assignment import Candidates
from doyak.engine.errors import EngineError

_KEPT_TAGS = frozenset({"NNG", "NNP", "XR", "SL", "SH"})
_ENGLISH_STOP_WORDS = frozenset(
    "a an and are as at be by for from in into is it of on or the to with using based via".split()
)
_BLOCK = 512
_DECIMALS = 9

_kiwi: Any = None
_kiwi_lock = threading.Lock()


class AffinityError(EngineError):
    """Malformed affinity input (e.g. negative weights, repeated ids)."""

    code = "affinity_invalid_input"


@dataclass(frozen=True)
class Profile:
    """A proposal or an evaluator as affinity sees it: free text and classification codes."""

    id: str
    text: str = ""
    codes: tuple[str, ...] = ()


def _kiwi_instance() -> Any:
    """One Kiwi per process, created on first use (loading its model takes seconds)."""
    global _kiwi
    if _kiwi is None:
        with _kiwi_lock:
            if _kiwi is None:
                from kiwipiepy import Kiwi

                _kiwi = Kiwi()
    return _kiwi


def tokens_of(text: str) -> list[str]:
    """Index terms of a Korean/English text: nouns and roots, lower-cased foreign words."""
    if not text.strip():
        return []
    out: list[str] = []
    for token in _kiwi_instance().tokenize(text):
        if token.tag not in _KEPT_TAGS:
            continue
        form = token.form.lower() if token.tag == "SL" else token.form
        if token.tag == "SL" and (form in _ENGLISH_STOP_WORDS or len(form) < 2):
            continue
        out.append(form)
    return out


def code_prefixes_of(codes: Sequence[str], lengths: Sequence[int]) -> set[str]:
    """Prefixes of the given lengths of every code (a code shorter than a length counts whole)."""
    out: set[str] = set()
    for code in codes:
        code = code.strip().upper()
        if not code:
            continue
        for n in lengths:
            out.add(code[:n])
    return out


@dataclass(frozen=True, eq=False)
class _Sparse:
    """Rows of a sparse matrix in CSR form plus the transposed (term -> rows) postings."""

    indptr: np.ndarray
    term: np.ndarray
    value: np.ndarray
    n_rows: int


def _csr(rows: list[dict[int, float]]) -> _Sparse:
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(r) for r in rows])
    term = np.fromiter((t for r in rows for t in r), dtype=np.int64, count=int(indptr[-1]))
    value = np.fromiter((v for r in rows for v in r.values()), dtype=np.float64, count=int(indptr[-1]))
    return _Sparse(indptr, term, value, len(rows))


def _postings(m: _Sparse, n_terms: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(start per term, row ids, values) of the transposed matrix."""
    rows = np.repeat(np.arange(m.n_rows), np.diff(m.indptr))
    order = np.argsort(m.term, kind="stable")
    start = np.zeros(n_terms + 1, dtype=np.int64)
    start[1:] = np.cumsum(np.bincount(m.term, minlength=n_terms))
    return start, rows[order], m.value[order]


def _block_products(
    left: _Sparse, right_t: tuple[np.ndarray, np.ndarray, np.ndarray], n_right: int, lo: int, hi: int
) -> np.ndarray:
    """Dense (hi - lo) × n_right block of left[lo:hi] · rightᵀ."""
    start, r_rows, r_vals = right_t
    a, b = int(left.indptr[lo]), int(left.indptr[hi])
    terms, vals = left.term[a:b], left.value[a:b]
    local_row = np.repeat(np.arange(hi - lo), np.diff(left.indptr[lo : hi + 1]))
    counts = start[terms + 1] - start[terms]
    total = int(counts.sum())
    out = np.zeros((hi - lo) * n_right)
    if total == 0:
        return out.reshape(hi - lo, n_right)
    owner = np.repeat(np.arange(len(terms)), counts)
    offset = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    pos = start[terms][owner] + offset
    flat = local_row[owner] * n_right + r_rows[pos]
    out += np.bincount(flat, weights=vals[owner] * r_vals[pos], minlength=(hi - lo) * n_right)
    return out.reshape(hi - lo, n_right)


@dataclass(frozen=True, eq=False)
class _Prepared:
    text_p: _Sparse
    text_e_t: tuple[np.ndarray, np.ndarray, np.ndarray]
    code_p: _Sparse
    code_e_t: tuple[np.ndarray, np.ndarray, np.ndarray]
    p_has_text: np.ndarray
    e_has_text: np.ndarray
    p_code_size: np.ndarray
    e_code_size: np.ndarray
    text_weight: float
    code_weight: float
    n_e: int


def _prepare(
    *,
    proposals: Sequence[Profile],
    evaluators: Sequence[Profile],
    text_weight: float,
    code_weight: float,
    code_prefixes: Sequence[int],
) -> _Prepared:
    if text_weight < 0 or code_weight < 0 or text_weight + code_weight <= 0:
        raise AffinityError("weights must be non-negative and not both zero")
    if any(n < 1 for n in code_prefixes):
        raise AffinityError("code prefix lengths must be at least 1")
    for kind, items in (("proposal", proposals), ("evaluator", evaluators)):
        ids = [x.id for x in items]
        if len(set(ids)) != len(ids):
            raise AffinityError(f"{kind} ids must not repeat")

    docs = [tokens_of(x.text) for x in (*proposals, *evaluators)]
    vocab: dict[str, int] = {}
    counts: list[dict[int, int]] = []
    for doc in docs:
        c: dict[int, int] = {}
        for tok in doc:
            t = vocab.setdefault(tok, len(vocab))
            c[t] = c.get(t, 0) + 1
        counts.append(c)
    df = np.zeros(len(vocab))
    for c in counts:
        for t in c:
            df[t] += 1
    idf = np.log((1.0 + len(docs)) / (1.0 + df)) + 1.0
    rows: list[dict[int, float]] = []
    for c in counts:
        w = {t: (1.0 + math.log(n)) * idf[t] for t, n in c.items()}
        norm = math.sqrt(sum(v * v for v in w.values()))
        rows.append({t: v / norm for t, v in w.items()} if norm > 0 else {})
    n_p = len(proposals)
    text_p, text_e = _csr(rows[:n_p]), _csr(rows[n_p:])

    code_vocab: dict[str, int] = {}
    code_rows: list[dict[int, float]] = []
    for x in (*proposals, *evaluators):
        code_rows.append(
            {code_vocab.setdefault(c, len(code_vocab)): 1.0 for c in code_prefixes_of(x.codes, code_prefixes)}
        )
    code_p, code_e = _csr(code_rows[:n_p]), _csr(code_rows[n_p:])
    return _Prepared(
        text_p=text_p,
        text_e_t=_postings(text_e, len(vocab)),
        code_p=code_p,
        code_e_t=_postings(code_e, len(code_vocab)),
        p_has_text=np.diff(text_p.indptr) > 0,
        e_has_text=np.diff(text_e.indptr) > 0,
        p_code_size=np.diff(code_p.indptr).astype(np.float64),
        e_code_size=np.diff(code_e.indptr).astype(np.float64),
        text_weight=float(text_weight),
        code_weight=float(code_weight),
        n_e=len(evaluators),
    )


def _block_scores(prep: _Prepared, lo: int, hi: int) -> np.ndarray:
    text = _block_products(prep.text_p, prep.text_e_t, prep.n_e, lo, hi)
    inter = _block_products(prep.code_p, prep.code_e_t, prep.n_e, lo, hi)
    union = prep.p_code_size[lo:hi, None] + prep.e_code_size[None, :] - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        code = np.where(union > 0, inter / union, 0.0)
    use_text = (prep.p_has_text[lo:hi, None] & prep.e_has_text[None, :]) * prep.text_weight
    use_code = ((prep.p_code_size[lo:hi, None] > 0) & (prep.e_code_size[None, :] > 0)) * prep.code_weight
    weight = use_text + use_code
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(weight > 0, (use_text * text + use_code * code) / weight, 0.0)
    return np.round(np.clip(score, 0.0, 1.0), _DECIMALS)


def affinity_scores(
    *,
    proposals: Sequence[Profile],
    evaluators: Sequence[Profile],
    text_weight: float = 0.7,
    code_weight: float = 0.3,
    code_prefixes: Sequence[int] = (2, 4, 6),
) -> np.ndarray:
    """Dense proposals × evaluators affinity matrix (for small inputs; see ``affinity_candidates``)."""
    prep = _prepare(
        proposals=proposals,
        evaluators=evaluators,
        text_weight=text_weight,
        code_weight=code_weight,
        code_prefixes=code_prefixes,
    )
    blocks = [
        _block_scores(prep, lo, min(lo + _BLOCK, len(proposals))) for lo in range(0, len(proposals), _BLOCK)
    ]
    return np.vstack(blocks) if blocks else np.zeros((0, len(evaluators)))


def affinity_candidates(
    *,
    proposals: Sequence[Profile],
    evaluators: Sequence[Profile],
    top_n: int,
    text_weight: float = 0.7,
    code_weight: float = 0.3,
    code_prefixes: Sequence[int] = (2, 4, 6),
    min_score: float = 0.0,
) -> Candidates:
    """The ``top_n`` best evaluators per proposal with score > ``min_score``, as candidate pairs.

    Ties are broken by evaluator order; within a proposal pairs come best first.
    """
    if top_n < 1:
        raise AffinityError(f"top_n must be at least 1, got {top_n}")
    prep = _prepare(
        proposals=proposals,
        evaluators=evaluators,
        text_weight=text_weight,
        code_weight=code_weight,
        code_prefixes=code_prefixes,
    )
    n_e = len(evaluators)
    keep = min(top_n, n_e)
    ps: list[np.ndarray] = []
    es: list[np.ndarray] = []
    ss: list[np.ndarray] = []
    for lo in range(0, len(proposals), _BLOCK):
        hi = min(lo + _BLOCK, len(proposals))
        score = _block_scores(prep, lo, hi)
        if keep == 0:
            continue
        # stable best-first order: by -score then evaluator index
        order = np.argsort(-score, axis=1, kind="stable")[:, :keep]
        top = np.take_along_axis(score, order, axis=1)
        mask = top > min_score
        rows = np.repeat(np.arange(lo, hi), keep).reshape(hi - lo, keep)
        ps.append(rows[mask])
        es.append(order[mask])
        ss.append(top[mask])
    cat = lambda xs, dt: np.concatenate(xs) if xs else np.zeros(0, dtype=dt)  # noqa: E731
    return Candidates(
        proposal_ids=tuple(x.id for x in proposals),
        evaluator_ids=tuple(x.id for x in evaluators),
        proposal=cat(ps, np.int64),
        evaluator=cat(es, np.int64),
        score=cat(ss, np.float64),
    )
