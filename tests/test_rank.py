"""Ranking: exact top-k against brute force, RRF invariants, per-group standardisation,
ANN recall against exact."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nlp_toolkit.errors import ToolkitError
from nlp_toolkit.search.rank import (
    AnnIndex,
    dense_topk,
    hub_scores,
    rrf_fuse,
    top_k,
    zscore_by_group,
)


def _brute_force(q: np.ndarray, m: np.ndarray, k: int, mask: np.ndarray | None):
    scores = q @ m.T
    out_i, out_s = [], []
    for row in scores:
        cand = [j for j in range(m.shape[0]) if mask is None or mask[j]]
        cand.sort(key=lambda j: (-row[j], j))
        out_i.append(cand[:k])
        out_s.append([row[j] for j in cand[:k]])
    return np.array(out_i, dtype=np.int64), np.array(out_s, dtype=np.float32)


# Small integer-valued floats make ties frequent, which is what the ordering rule is about.
_values = st.integers(-3, 3).map(float)


@st.composite
def _problem(draw: st.DrawFn):
    n = draw(st.integers(1, 30))
    d = draw(st.integers(1, 6))
    q = draw(st.integers(1, 4))
    matrix = draw(hnp.arrays(np.float32, (n, d), elements=_values))
    queries = draw(hnp.arrays(np.float32, (q, d), elements=_values))
    k = draw(st.integers(1, n + 3))
    mask = draw(st.one_of(st.none(), hnp.arrays(np.bool_, (n,))))
    return queries, matrix, k, mask


@settings(max_examples=200, deadline=None)
@given(_problem())
def test_dense_topk_equals_brute_force_sort(problem) -> None:
    queries, matrix, k, mask = problem
    idx, scores = dense_topk(queries, matrix, k, mask=mask)
    want_i, want_s = _brute_force(queries, matrix, k, mask)
    assert idx.tolist() == want_i.tolist()
    np.testing.assert_allclose(scores, want_s.reshape(scores.shape))


def test_dense_topk_ties_by_index_and_one_query_shape() -> None:
    matrix = np.ones((10, 3), dtype=np.float32)
    idx, scores = dense_topk(np.ones(3, dtype=np.float32), matrix, 4)
    assert idx.tolist() == [0, 1, 2, 3]
    assert scores.shape == (4,)


def test_dense_topk_rejects_dimension_mismatch() -> None:
    with pytest.raises(ValueError, match="same model"):
        dense_topk(np.ones((1, 3)), np.ones((5, 4)), 2)
    with pytest.raises(ValueError, match="k must be"):
        dense_topk(np.ones((1, 3)), np.ones((5, 3)), 0)


_ids = st.lists(st.integers(0, 25), max_size=15)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ids, max_size=5), st.integers(0, 100))
def test_rrf_is_a_permutation_of_the_union(rankings: list[list[int]], k: int) -> None:
    fused = rrf_fuse(rankings, k=k)
    ids = [i for i, _ in fused]
    assert sorted(ids) == sorted({i for r in rankings for i in r})
    scores = [s for _, s in fused]
    assert scores == sorted(scores, reverse=True)
    # Deterministic: same input, same output; and a list input gives a list output.
    assert rrf_fuse(rankings, k=k) == fused


@settings(max_examples=200, deadline=None)
@given(_ids.map(lambda xs: list(dict.fromkeys(xs))))
def test_rrf_of_one_ranking_keeps_its_order(ranking: list[int]) -> None:
    assert [i for i, _ in rrf_fuse([ranking])] == ranking


def test_rrf_scores_and_weights() -> None:
    fused = dict(rrf_fuse([["a", "b"], ["b", "c"]], k=60))
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    weighted = rrf_fuse([["a"], ["b"]], weights=[1.0, 2.0])
    assert [i for i, _ in weighted] == ["b", "a"]
    # Equal scores: the id with the better best rank wins, then first appearance.
    assert [i for i, _ in rrf_fuse([["x", "y"], ["y", "x"]])] == ["x", "y"]
    with pytest.raises(ValueError, match="weights"):
        rrf_fuse([["a"]], weights=[1.0, 1.0])


def _clustered(n: int, d: int, seed: int) -> np.ndarray:
    """Unit vectors with low intrinsic dimension, like real sentence embeddings."""
    rng = np.random.default_rng(seed)
    basis = rng.standard_normal((32, d)).astype(np.float32)
    x = rng.standard_normal((n, 32)).astype(np.float32) @ basis
    x += 0.3 * rng.standard_normal((n, d)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.mark.slow
def test_ann_recall_at_10_against_exact() -> None:
    data = _clustered(20_000, 384, seed=0)
    rng = np.random.default_rng(1)
    queries = data[rng.choice(len(data), 100, replace=False)]
    queries = queries + 0.05 * rng.standard_normal(queries.shape).astype(np.float32)
    index = AnnIndex(384, ef_construction=100).build(data[:15_000]).add(data[15_000:])
    assert len(index) == 20_000
    got, got_scores = index.search(queries, 10)
    want, _ = dense_topk(queries, data, 10)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(got, want, strict=True)])
    assert recall >= 0.95
    assert np.all(np.diff(got_scores, axis=1) <= 1e-6)
    exact = np.einsum("qd,qkd->qk", queries, data[got])
    np.testing.assert_allclose(got_scores, exact, atol=1e-4)


def test_ann_small_exact_mask_and_errors() -> None:
    data = _clustered(300, 16, seed=2)
    index = AnnIndex(16, ef_search=300).build(data)
    idx, scores = index.search(data[5], 3)
    assert idx[0] == 5 and scores[0] == pytest.approx(1.0, abs=1e-5)
    mask = np.zeros(300, dtype=bool)
    mask[[7, 8, 9]] = True
    masked, _ = index.search(data[:2], 5, mask=mask)
    assert masked.shape == (2, 3)
    assert set(masked[0]) == {7, 8, 9}
    with pytest.raises(ToolkitError, match="build"):
        AnnIndex(16).search(data[0], 1)
    with pytest.raises(ValueError, match="dimension"):
        index.search(np.ones(8, dtype=np.float32), 1)


@st.composite
def _scores_and_mask(draw: st.DrawFn):
    n = draw(st.integers(1, 30))
    scores = draw(hnp.arrays(np.float64, (n,), elements=_values))
    mask = draw(st.one_of(st.none(), hnp.arrays(np.bool_, (n,))))
    return scores, draw(st.integers(1, n + 3)), mask


@given(_scores_and_mask())
def test_top_k_equals_brute_force_sort(problem) -> None:
    scores, k, mask = problem
    allowed = [j for j in range(len(scores)) if mask is None or mask[j]]
    expected = sorted(allowed, key=lambda j: (-scores[j], j))[:k]
    assert top_k(scores, k, mask=mask).tolist() == expected


@st.composite
def _grouped(draw: st.DrawFn):
    n = draw(st.integers(1, 40))
    scores = draw(hnp.arrays(np.float64, (n,), elements=st.floats(-1, 1, width=32,
                                                                 allow_subnormal=False)))
    groups = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, 3)))
    return scores, groups


@given(_grouped())
def test_zscore_by_group_standardises_each_group_and_keeps_its_order(problem) -> None:
    scores, groups = problem
    z = zscore_by_group(scores, groups)
    assert z.shape == scores.shape and np.isfinite(z).all()
    for g in set(groups.tolist()):
        part, zpart = scores[groups == g], z[groups == g]
        if np.ptp(part) > 0:
            assert abs(zpart.mean()) < 1e-6
            assert abs(zpart.std() - 1.0) < 1e-6
        else:  # one member, or equal scores: no spread to standardise
            assert np.allclose(zpart, 0.0, atol=1e-6)
        # within a group the order of the scores is the order of their z-scores
        order = np.argsort(part, kind="stable")
        assert (np.diff(zpart[order]) >= -1e-9).all()


@given(_grouped(), st.data())
def test_zscore_by_group_leaves_rows_without_a_score_out(problem, data) -> None:
    # a row a model holds no vector of scores 0 and moves no other row's z-score
    scores, groups = problem
    present = data.draw(hnp.arrays(bool, scores.shape))
    z = zscore_by_group(scores, groups, present)
    assert (z[~present] == 0).all()
    junk = np.where(present, scores, 99.0)  # whatever the absent rows hold
    assert np.array_equal(zscore_by_group(junk, groups, present), z)
    if present.any():
        np.testing.assert_allclose(z[present], zscore_by_group(scores[present],
                                                               groups[present]), atol=1e-9)
    assert np.array_equal(zscore_by_group(scores, groups, np.ones_like(present)),
                          zscore_by_group(scores, groups))


def test_zscore_by_group_lets_a_lower_scored_language_compete() -> None:
    # a cross-lingual model scores every English text above every Chinese one; the best
    # of each language come out level
    scores = np.array([0.80, 0.70, 0.60, 0.40, 0.30, 0.20])
    groups = np.array([0, 0, 0, 1, 1, 1])
    z = zscore_by_group(scores, groups)
    assert z[0] == pytest.approx(z[3])
    assert sorted(top_k(z, 2).tolist()) == [0, 3]
    with pytest.raises(ValueError, match="shape"):
        zscore_by_group(scores, groups[:2])
    with pytest.raises(ValueError, match="k must be"):
        top_k(scores, 0)


@settings(max_examples=100, deadline=None)
@given(hnp.arrays(np.float32, st.tuples(st.integers(1, 25), st.integers(1, 5)),
                  elements=_values), st.integers(1, 30), st.integers(1, 6))
def test_hub_scores_equal_their_definition(matrix: np.ndarray, sample: int, k: int) -> None:
    # the mean of each row's 2nd..(k+1)-th best product with every (n // sample)-th row
    reference = matrix[:: max(1, len(matrix) // sample)]
    kk = min(k, len(reference) - 1)
    want = [0.0 if kk < 1 else float(np.mean(sorted(row @ reference.T, reverse=True)[1:kk + 1]))
            for row in matrix]
    got = hub_scores(matrix, sample=sample, k=k)
    assert got.shape == (len(matrix),) and got.dtype == np.float32
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-4)
    # some rows only: the same scores, the sample still drawn from every row
    rows = np.arange(len(matrix))[::2]
    np.testing.assert_allclose(hub_scores(matrix, rows=rows, sample=sample, k=k), got[rows],
                               rtol=1e-5, atol=1e-4)


@settings(max_examples=50, deadline=None)
@given(hnp.arrays(np.float32, st.tuples(st.integers(2, 25), st.integers(1, 5)),
                  elements=_values), st.integers(1, 30), st.integers(1, 6), st.randoms())
def test_hub_scores_follow_the_order_not_the_storage(matrix: np.ndarray, sample: int, k: int,
                                                    rnd: Any) -> None:
    # the same rows stored in another order (another build): given the order that puts
    # them back, every row keeps its score
    perm = np.array(rnd.sample(range(len(matrix)), len(matrix)))
    stored = matrix[perm]
    want = hub_scores(matrix, sample=sample, k=k)[perm]
    got = hub_scores(stored, sample=sample, k=k, order=np.argsort(perm))
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-4)
    with pytest.raises(ValueError, match="every row"):
        hub_scores(matrix, order=np.arange(len(matrix) - 1))


def test_hub_scores_single_out_the_vector_near_everything() -> None:
    # six provisions on six subjects, and one that lists them all: it is near every other
    # row, so its hub score is the highest; for a source on subject 0 that touches subject
    # 1, the cosine puts the list between them, the cosine less the hub score does not
    subjects = np.eye(6, dtype=np.float32)
    listing = subjects.sum(axis=0) / np.sqrt(6)
    m = np.vstack([subjects, listing])
    h = hub_scores(m, k=2)
    assert int(np.argmax(h)) == 6
    source = (subjects[0] + 0.5 * subjects[1]) / np.linalg.norm(subjects[0] + 0.5 * subjects[1])
    assert top_k(m @ source, 3).tolist() == [0, 6, 1]
    assert top_k(m @ source - h, 2).tolist() == [0, 1]
    with pytest.raises(ValueError, match="sample and k"):
        hub_scores(m, k=0)
    with pytest.raises(ValueError, match="2-D"):
        hub_scores(m[0])
