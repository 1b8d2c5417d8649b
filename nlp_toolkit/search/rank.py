"""Pure ranking over arrays: exact dense top-k, reciprocal-rank fusion, scores standardised
within groups, hub scores, and an ANN index.

Everything here works on numpy arrays and plain ids; nothing touches files or models, so
every function can be checked against brute force (see ``tests/test_rank.py``).

Ordering contract shared by :func:`dense_topk` and :class:`AnnIndex`: results are sorted
by descending score, ties broken by ascending row index, so equal inputs always give equal
outputs.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

import numpy as np

from nlp_toolkit.errors import ToolkitError

__all__ = ["AnnIndex", "dense_topk", "hub_scores", "rrf_fuse", "top_k", "zscore_by_group"]

H = TypeVar("H", bound=Hashable)

# Bounds the (queries x rows) score block that dense_topk holds at once (floats).
_SCORE_BLOCK = 32_000_000


def _as_2d(vectors: np.ndarray, name: str) -> tuple[np.ndarray, bool]:
    arr = np.asarray(vectors, dtype=np.float32)
    if arr.ndim == 1:
        return arr[None, :], True
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 1-D or 2-D array, got shape {arr.shape}")
    return arr, False


def _topk_row(scores: np.ndarray, k: int, allowed: np.ndarray | None) -> np.ndarray:
    """Indices of the k best entries of one score row: score desc, index asc."""
    if allowed is not None:
        scores = np.where(allowed, scores, -np.inf)
    n = scores.shape[0]
    if k < n:
        part = np.argpartition(-scores, k - 1)[:k]
        kth = scores[part].min()
        # Every entry tied with the k-th best competes, so the cut does not depend on
        # argpartition's arbitrary choice among equal scores.
        cand = np.flatnonzero(scores >= kth)
    else:
        cand = np.arange(n)
    order = np.lexsort((cand, -scores[cand]))
    return cand[order[:k]]


def dense_topk(
    query_vecs: np.ndarray,
    matrix: np.ndarray,
    k: int,
    *,
    mask: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Exact top-k rows of ``matrix`` by inner product with each query.

    With L2-normalised vectors the inner product is the cosine similarity.

    Args:
        query_vecs: ``(q, d)`` queries, or one ``(d,)`` query.
        matrix: ``(n, d)`` candidate vectors.
        k: how many rows to return per query; capped at the number of allowed rows.
        mask: optional boolean ``(n,)``; only rows where it is True can be returned.

    Returns:
        ``(indices, scores)``, each ``(q, k')`` (or ``(k',)`` for a 1-D query), sorted by
        descending score, ties by ascending index.

    Raises:
        ValueError: on mismatched shapes or ``k < 1``.

    Example:
        >>> m = np.eye(3, dtype=np.float32)
        >>> idx, sc = dense_topk(np.array([0.0, 1.0, 0.5]), m, 2)
        >>> idx.tolist(), sc.tolist()
        ([1, 2], [1.0, 0.5])
    """
    queries, single = _as_2d(query_vecs, "query_vecs")
    mat = np.asarray(matrix, dtype=np.float32)
    if mat.ndim != 2:
        raise ValueError(f"matrix must be 2-D (n, d), got shape {mat.shape}")
    if queries.shape[1] != mat.shape[1]:
        raise ValueError(
            f"query dimension {queries.shape[1]} != matrix dimension {mat.shape[1]}: "
            "embed queries and matrix with the same model"
        )
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    allowed: np.ndarray | None = None
    n_allowed = mat.shape[0]
    if mask is not None:
        allowed = np.asarray(mask, dtype=bool)
        if allowed.shape != (mat.shape[0],):
            raise ValueError(f"mask must have shape ({mat.shape[0]},), got {allowed.shape}")
        n_allowed = int(allowed.sum())
    k_eff = min(k, n_allowed)
    n_q = queries.shape[0]
    indices = np.empty((n_q, k_eff), dtype=np.int64)
    scores = np.empty((n_q, k_eff), dtype=np.float32)
    step = max(1, _SCORE_BLOCK // max(1, mat.shape[0]))
    for start in range(0, n_q, step):
        block = queries[start : start + step] @ mat.T
        for j, row in enumerate(block):
            top = _topk_row(row, k_eff, allowed) if k_eff else np.empty(0, dtype=np.int64)
            indices[start + j] = top
            scores[start + j] = row[top]
    if single:
        return indices[0], scores[0]
    return indices, scores


def top_k(scores: np.ndarray, k: int, *, mask: np.ndarray | None = None) -> np.ndarray:
    """Indices of the ``k`` best scores (descending; ties by ascending index), among the
    ``mask`` rows when one is given.

    >>> top_k(np.array([0.1, 0.9, 0.5, 0.9]), 2).tolist()
    [1, 3]
    >>> top_k(np.array([0.1, 0.9, 0.5]), 5, mask=np.array([True, False, True])).tolist()
    [2, 0]
    """
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    s = np.asarray(scores)
    allowed = None if mask is None else np.asarray(mask, dtype=bool)
    k = min(k, int(s.shape[0] if allowed is None else allowed.sum()))
    if k == 0:
        return np.zeros(0, dtype=np.int64)
    return _topk_row(s, k, allowed)


def zscore_by_group(scores: np.ndarray, groups: np.ndarray,
                    present: np.ndarray | None = None) -> np.ndarray:
    """Each score standardised within its group: ``(s - group mean) / group std``.

    Cross-lingual models score text in the query's language higher than equally relevant
    text in another; standardising the cosines within each document language lets the best
    answers of every language compete. A group of one (or of equal scores) gets 0.

    Args:
        scores: ``(n,)`` scores.
        groups: ``(n,)`` non-negative integer group codes.
        present: ``(n,)`` bool, False where a row has no score (a model with no vector of
            it): such rows get 0 and stay out of their group's mean and std.

    >>> zscore_by_group(np.array([1.0, 3.0, 10.0, 10.0]), np.array([0, 0, 1, 1])).tolist()
    [-1.0, 1.0, 0.0, 0.0]
    >>> zscore_by_group(np.array([1.0, 3.0, 0.0]), np.zeros(3, dtype=int),
    ...                 np.array([True, True, False])).tolist()
    [-1.0, 1.0, 0.0]
    """
    s = np.asarray(scores, dtype=np.float64)
    g = np.asarray(groups, dtype=np.int64)
    if s.shape != g.shape:
        raise ValueError(f"scores and groups differ in shape: {s.shape} vs {g.shape}")
    if not s.size:
        return s
    if present is not None:
        keep = np.asarray(present, dtype=bool)
        # rows with no score form a group of their own, whose scores are then dropped
        z = zscore_by_group(s, np.where(keep, g, int(g.max()) + 1))
        return np.where(keep, z, 0.0)
    n = np.bincount(g).astype(np.float64)
    mean = np.bincount(g, weights=s) / np.maximum(n, 1)
    var = np.bincount(g, weights=(s - mean[g]) ** 2) / np.maximum(n, 1)
    std = np.sqrt(var)
    safe = np.where(std > 0, std, 1.0)
    return np.where(std[g] > 0, (s - mean[g]) / safe[g], 0.0)


def hub_scores(matrix: np.ndarray, *, rows: np.ndarray | None = None, sample: int = 8000,
               k: int = 10, order: np.ndarray | None = None) -> np.ndarray:
    """How close each row usually is to others: the mean of its 2nd to ``k + 1``-th best
    inner products with a fixed sample of the rows (every ``n // sample``-th row, in
    ``order``).

    In a high-dimensional embedding space a few vectors ("hubs") are near almost every
    other; a long provision that lists many subjects is one. Subtracting a row's hub score
    from its cosine with a source ranks the rows that are close to *this* source above the
    rows that are close to everything. The best product is left out because a sampled row
    meets itself there.

    Args:
        matrix: ``(n, d)`` vectors, L2-normalised for cosines.
        rows: the row indices to score (default all); the sample is drawn from every row.
        sample: the size of the reference sample (the stride is ``max(1, n // sample)``).
        k: how many of a row's nearest sampled rows are averaged.
        order: a permutation of the rows that the sample strides over (default: as
            stored). Give one that does not depend on storage order (say, by document and
            position) and the sample, so the scores, are the same for every build of an
            index.

    Returns:
        float32 hub scores, one per row of ``rows`` (or of ``matrix``); zeros where the
        sample has fewer than two rows.

    Raises:
        ValueError: if ``sample < 1``, ``k < 1`` or ``matrix`` is not 2-D.

    >>> m = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    >>> hub_scores(m, k=1).tolist()
    [1.0, 1.0, 0.0]
    """
    if sample < 1 or k < 1:
        raise ValueError(f"sample and k must be >= 1, got sample={sample}, k={k}")
    m = np.asarray(matrix, dtype=np.float32)
    if m.ndim != 2:
        raise ValueError(f"matrix must be 2-D, got shape {m.shape}")
    stride = max(1, len(m) // sample)
    if order is None:
        reference = m[::stride]
    else:
        picks = np.asarray(order, dtype=np.int64)
        if len(picks) != len(m):
            raise ValueError(f"order must list every row once, got {len(picks)} of {len(m)}")
        reference = m[picks[::stride]]  # the sampled rows only, not a reordered copy
    chosen = m if rows is None else m[np.asarray(rows, dtype=np.int64)]
    kk = min(k, len(reference) - 1)
    out = np.zeros(len(chosen), dtype=np.float32)
    if kk < 1:
        return out
    block = max(1, _SCORE_BLOCK // len(reference))
    for start in range(0, len(chosen), block):
        scores = chosen[start:start + block] @ reference.T
        best = np.partition(scores, scores.shape[1] - (kk + 1), axis=1)[:, -(kk + 1):]
        out[start:start + block] = (best.sum(axis=1) - best.max(axis=1)) / kk
    return out


def rrf_fuse(
    rankings: Sequence[Sequence[H]],
    *,
    k: int = 60,
    weights: Sequence[float] | None = None,
) -> list[tuple[H, float]]:
    """Reciprocal-rank fusion of several rankings (best first) into one.

    Each id scores ``sum_i weights[i] / (k + rank_i)`` over the rankings it appears in
    (rank starts at 1; a repeat within one ranking counts once, at its best rank). Ties are
    broken by the best rank the id reached anywhere, then by first appearance (ranking
    order, then position), so the result is deterministic.

    Args:
        rankings: lists of ids, each sorted best first (e.g. BM25 hits and dense hits).
        k: the RRF damping constant (60 in Cormack et al. 2009).
        weights: one non-negative weight per ranking; all 1.0 by default.

    Returns:
        ``(id, score)`` pairs, best first; each id of the union exactly once.

    Raises:
        ValueError: if ``k < 0`` or ``weights`` has the wrong length or a negative value.

    Example:
        >>> rrf_fuse([["a", "b"], ["b", "c"]], k=1)[0]
        ('b', 0.8333333333333333)
    """
    if k < 0:
        raise ValueError(f"k must be >= 0, got {k}")
    if weights is None:
        w = [1.0] * len(rankings)
    else:
        w = [float(x) for x in weights]
        if len(w) != len(rankings):
            raise ValueError(f"got {len(w)} weights for {len(rankings)} rankings")
        if any(x < 0 for x in w):
            raise ValueError("weights must be non-negative")
    score: dict[H, float] = {}
    best: dict[H, int] = {}
    first: dict[H, int] = {}
    order = 0
    for ranking, weight in zip(rankings, w, strict=True):
        seen: set[H] = set()
        for rank, item in enumerate(ranking, start=1):
            if item in seen:
                continue
            seen.add(item)
            score[item] = score.get(item, 0.0) + weight / (k + rank)
            best[item] = min(best.get(item, rank), rank)
            if item not in first:
                first[item] = order
                order += 1
    ids = sorted(score, key=lambda i: (-score[i], best[i], first[i]))
    return [(i, score[i]) for i in ids]


class AnnIndex:
    """Approximate nearest neighbours (HNSW via ``hnswlib``) with the :func:`dense_topk` API.

    Scores are inner products, so with L2-normalised vectors they are cosines. Parameters
    are stored only; the graph is built by :meth:`build` / :meth:`add`.

    Args:
        dim: vector dimension.
        m: HNSW graph degree (higher: better recall, more memory).
        ef_construction: candidate list size while building.
        ef_search: candidate list size while searching (raised to ``k`` when smaller).
        threads: worker threads for building and searching.
        seed: random seed of the level generator.

    Example:
        >>> idx = AnnIndex(2).build(np.eye(2, dtype=np.float32))
        >>> idx.search(np.array([0.0, 1.0]), 1)[0].tolist()
        [1]
    """

    def __init__(
        self,
        dim: int,
        *,
        m: int = 16,
        ef_construction: int = 100,
        ef_search: int = 100,
        threads: int = 2,
        seed: int = 1,
    ) -> None:
        self.dim = dim
        self.m = m
        self.ef_construction = ef_construction
        self.ef_search = ef_search
        self.threads = threads
        self.seed = seed
        self.index_: Any = None
        self.size_ = 0

    def __len__(self) -> int:
        return self.size_

    def _check(self, vectors: np.ndarray, name: str) -> tuple[np.ndarray, bool]:
        arr, single = _as_2d(vectors, name)
        if arr.shape[1] != self.dim:
            raise ValueError(f"{name} has dimension {arr.shape[1]}, the index has {self.dim}")
        return np.ascontiguousarray(arr), single

    def build(self, matrix: np.ndarray) -> AnnIndex:
        """Index ``matrix`` (rows get ids ``0..n-1``), replacing any earlier content."""
        try:
            import hnswlib
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ToolkitError(
                "approximate search needs hnswlib: run `pip install hnswlib`, "
                "or use dense_topk (exact) instead"
            ) from exc
        mat, _ = self._check(matrix, "matrix")
        index = hnswlib.Index(space="ip", dim=self.dim)
        index.init_index(
            max_elements=max(1, mat.shape[0]),
            ef_construction=self.ef_construction,
            M=self.m,
            random_seed=self.seed,
            allow_replace_deleted=False,
        )
        index.set_num_threads(self.threads)
        self.index_ = index
        self.size_ = 0
        if mat.shape[0]:
            self.add(mat)
        return self

    def add(self, vectors: np.ndarray) -> AnnIndex:
        """Append rows; they get the next ids (``len(self)`` onwards)."""
        if self.index_ is None:
            return self.build(vectors)
        vecs, _ = self._check(vectors, "vectors")
        if not vecs.shape[0]:
            return self
        needed = self.size_ + vecs.shape[0]
        if needed > self.index_.get_max_elements():
            self.index_.resize_index(max(needed, 2 * self.index_.get_max_elements()))
        ids = np.arange(self.size_, needed, dtype=np.int64)
        self.index_.add_items(vecs, ids, num_threads=self.threads)
        self.size_ = needed
        return self

    def search(
        self,
        query_vecs: np.ndarray,
        k: int,
        *,
        mask: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Approximate top-k; same arguments, shapes and ordering as :func:`dense_topk`.

        Raises:
            ToolkitError: if nothing was indexed yet.
        """
        if self.index_ is None or self.size_ == 0:
            raise ToolkitError("the ANN index is empty: call build(matrix) before search")
        queries, single = self._check(query_vecs, "query_vecs")
        if k < 1:
            raise ValueError(f"k must be >= 1, got {k}")
        filt: Callable[[int], bool] | None = None
        n_allowed = self.size_
        if mask is not None:
            allowed = np.asarray(mask, dtype=bool)
            if allowed.shape != (self.size_,):
                raise ValueError(f"mask must have shape ({self.size_},), got {allowed.shape}")
            n_allowed = int(allowed.sum())
            allowed_list = allowed.tolist()

            def filt(label: int) -> bool:
                return bool(allowed_list[label])

        k_eff = min(k, n_allowed)
        if k_eff == 0:
            empty_i = np.empty((queries.shape[0], 0), dtype=np.int64)
            empty_s = np.empty((queries.shape[0], 0), dtype=np.float32)
            return (empty_i[0], empty_s[0]) if single else (empty_i, empty_s)
        self.index_.set_ef(max(self.ef_search, k_eff))
        labels, dists = self.index_.knn_query(
            queries, k=k_eff, num_threads=1 if filt else self.threads, filter=filt
        )
        labels = labels.astype(np.int64)
        scores = (1.0 - dists).astype(np.float32)  # hnswlib's "ip" distance is 1 - <q, x>
        order = np.lexsort((labels, -scores), axis=-1)
        labels = np.take_along_axis(labels, order, axis=1)
        scores = np.take_along_axis(scores, order, axis=1)
        if single:
            return labels[0], scores[0]
        return labels, scores
