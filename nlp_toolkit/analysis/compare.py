"""Compare two sets of provisions: best-matching pairs, near-copies vs merely related rules.

For each provision of side A the best match in side B is found by dense cosine similarity
(or, without vectors, by shingle Jaccard); each pair also gets the character 5-gram
Jaccard similarity of the two texts (the share of shared text, as in treaty text-as-data
research) and the share of A's shingles found in B (``containment``), and a ``relation``:

=============  ===============================================================
``near_copy``  Jaccard >= 0.6: the same text up to small edits (names of the
               Parties, numbering, a clause added or dropped).
``light_edit`` 0.3 <= Jaccard < 0.6: the same template, reworded in places.
``related``    Jaccard < 0.3 but cosine >= 0.4: same subject, own words
               (paraphrase, another drafting tradition, another language).
``unrelated``  everything else.
=============  ===============================================================

The cut-offs are :data:`DEFAULT_THRESHOLDS`; ``related`` depends on the embedding model
(0.4 suits all-MiniLM-L6-v2: a reworded customs-duties article scores 0.44-0.86 against the
original, an unrelated institutional article 0.15-0.23), so it can be changed with
:class:`Thresholds`.

Example:
    >>> pairs = best_pairs(["Each Party shall protect personal data."],
    ...                    ["Customs duties shall not apply.",
    ...                     "Each Party shall protect personal data"])
    >>> (pairs[0].b, pairs[0].relation)
    (1, 'near_copy')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from nlp_toolkit.analysis.transplants import hashed_jaccard, normalise_many, shingle_hashes
from nlp_toolkit.errors import ToolkitError

if TYPE_CHECKING:
    from nlp_toolkit.store import Store

__all__ = [
    "DEFAULT_THRESHOLDS",
    "Pair",
    "Relation",
    "Thresholds",
    "best_pairs",
    "classify",
    "compare_index",
]

Relation = Literal["near_copy", "light_edit", "related", "unrelated"]


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Cut-offs of :func:`classify` (see the module docstring)."""

    near_copy: float = 0.6
    light_edit: float = 0.3
    related: float = 0.4


DEFAULT_THRESHOLDS = Thresholds()


def classify(jaccard: float, cosine: float | None,
             thresholds: Thresholds = DEFAULT_THRESHOLDS) -> Relation:
    """The relation of a pair from its shingle Jaccard and dense cosine (None: unknown).

    Example:
        >>> classify(0.7, 0.9), classify(0.4, None), classify(0.1, 0.8), classify(0.1, 0.3)
        ('near_copy', 'light_edit', 'related', 'unrelated')
    """
    if jaccard >= thresholds.near_copy:
        return "near_copy"
    if jaccard >= thresholds.light_edit:
        return "light_edit"
    if cosine is not None and cosine >= thresholds.related:
        return "related"
    return "unrelated"


@dataclass(frozen=True, slots=True)
class Pair:
    """A provision of A and its best match in B.

    Attributes:
        a, b: row indices into the two sides.
        score: the ranking score: ``cosine`` when vectors were given, else ``jaccard``.
        cosine: dense cosine similarity, or None without vectors.
        jaccard: character 5-gram Jaccard similarity of the normalised texts.
        containment: share of A's shingles that occur in B.
        relation: see :func:`classify`.
        mutual: A's row is also B's best match in A.
    """

    a: int
    b: int
    score: float
    cosine: float | None
    jaccard: float
    containment: float
    relation: Relation
    mutual: bool


def _jaccard_matrix(hash_a: Sequence[np.ndarray], hash_b: Sequence[np.ndarray]) -> np.ndarray:
    """All-pairs shingle Jaccard as a dense ``(len(a), len(b))`` array (sparse products)."""
    from scipy import sparse

    vocab, inverse = np.unique(np.concatenate([*hash_a, *hash_b, np.empty(0, np.uint64)]),
                               return_inverse=True)

    def csr(sets: Sequence[np.ndarray], offset: int) -> Any:
        lengths = np.array([s.shape[0] for s in sets], dtype=np.int64)
        cols = inverse[offset:offset + int(lengths.sum())]
        indptr = np.concatenate(([0], np.cumsum(lengths)))
        data = np.ones(cols.shape[0], dtype=np.float32)
        return sparse.csr_matrix((data, cols, indptr), shape=(len(sets), vocab.shape[0]))

    ma = csr(hash_a, 0)
    mb = csr(hash_b, sum(s.shape[0] for s in hash_a))
    inter = (ma @ mb.T).toarray()
    size_a = np.array([s.shape[0] for s in hash_a], dtype=np.float32)
    size_b = np.array([s.shape[0] for s in hash_b], dtype=np.float32)
    union = size_a[:, None] + size_b[None, :] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def best_pairs(
    texts_a: Sequence[str],
    texts_b: Sequence[str],
    vectors_a: np.ndarray | None = None,
    vectors_b: np.ndarray | None = None,
    *,
    mutual_only: bool = False,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    n: int = 5,
) -> list[Pair]:
    """For each text of A, its best match in B, best pairs first.

    Args:
        texts_a, texts_b: the two sides' texts.
        vectors_a, vectors_b: L2-normalised embeddings, one row per text (both or neither).
            With them a match is the highest cosine; without, the highest Jaccard.
        mutual_only: keep only pairs that are each other's best match.
        thresholds: cut-offs of the ``relation`` label.
        n: shingle length in characters.

    Returns:
        Pairs sorted by descending score, ties by A's then B's row.

    Raises:
        ValueError: if only one side has vectors, or rows and texts disagree in number.
    """
    if (vectors_a is None) != (vectors_b is None):
        raise ValueError("give vectors for both sides or for neither")
    if not texts_a or not texts_b:
        return []
    norm = normalise_many([*texts_a, *texts_b])
    hashes = [shingle_hashes(t, n) for t in norm]
    ha, hb = hashes[: len(texts_a)], hashes[len(texts_a):]
    cos: np.ndarray | None = None
    if vectors_a is not None and vectors_b is not None:
        va = np.asarray(vectors_a, dtype=np.float32)
        vb = np.asarray(vectors_b, dtype=np.float32)
        if va.shape[0] != len(texts_a) or vb.shape[0] != len(texts_b):
            raise ValueError(f"got {va.shape[0]} and {vb.shape[0]} vectors for "
                             f"{len(texts_a)} and {len(texts_b)} texts")
        cos = va @ vb.T
        sim = cos
    else:
        sim = _jaccard_matrix(ha, hb)
    # argmax keeps the first (lowest) index among ties: deterministic
    best_b = np.argmax(sim, axis=1)
    best_a = np.argmax(sim, axis=0)
    pairs: list[Pair] = []
    for i, j in enumerate(best_b.tolist()):
        mutual = int(best_a[j]) == i
        if mutual_only and not mutual:
            continue
        inter = np.intersect1d(ha[i], hb[j], assume_unique=True).shape[0]
        jac = hashed_jaccard(ha[i], hb[j])
        contain = inter / ha[i].shape[0] if ha[i].shape[0] else 0.0
        c = None if cos is None else float(cos[i, j])
        pairs.append(Pair(i, j, float(sim[i, j]), c, round(jac, 4), round(contain, 4),
                          classify(jac, c, thresholds), mutual))
    pairs.sort(key=lambda p: (-p.score, p.a, p.b))
    return pairs


# -- over the index ------------------------------------------------------------------------
def _topic_ids(store: Store, topic: str) -> set[int]:
    """Provision ids the scorer labelled with ``topic``.

    Raises:
        ToolkitError: the index has no topic scores.
    """
    from nlp_toolkit.store.filters import topic_provision_ids
    from nlp_toolkit.store.scores import score_models

    if not score_models(store):
        raise ToolkitError("no topic scores in this index: run `nlp-toolkit score` first")
    return {int(i) for i in topic_provision_ids(store, topic)}


def _pick_model(store: Store, model: str | None, languages: set[str]) -> str | None:
    """The model to compare with: the given one, else a stored one (multilingual first
    when the two sides' languages differ), else None (lexical comparison)."""
    from nlp_toolkit.embed.models import model_preference
    from nlp_toolkit.store.vectors import model_ids

    if model is not None:
        return model
    stored = model_ids(store)
    preferred = model_preference(multilingual=len(languages) > 1)
    for m in preferred + stored:
        if m in stored:
            return m
    return None


def compare_index(
    store: Store,
    a: str,
    b: str,
    *,
    by: Literal["jurisdiction", "doc"] = "jurisdiction",
    model: str | None = None,
    topic: str | None = None,
    k: int | None = 20,
    mutual_only: bool = False,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> list[dict[str, Any]]:
    """Best-matching main units between two jurisdictions (or two documents) of an index.

    Args:
        store: the index.
        a, b: jurisdiction codes (``SGP``) or doc ids, per ``by``. Documents of both
            jurisdictions (their bilateral treaty) are left out of a jurisdiction compare.
        by: what ``a`` and ``b`` name.
        model: embedding model id; None picks a stored one (see the module docstring), or
            compares by shingle Jaccard alone when no vectors are stored.
        topic: only provisions labelled with this topic (on both sides).
        k: at most this many pairs (None: all).
        mutual_only: only mutual best matches.
        thresholds: cut-offs of ``relation``.

    Returns:
        Records, best first: ``rank``, ``score``, ``cosine``, ``jaccard``, ``containment``,
        ``relation``, ``mutual``, ``model``, and the provision fields of both sides under
        ``a`` and ``b``.

    Raises:
        ToolkitError: a side has no provisions, the model has no vectors, or ``topic`` is
            given but the index has no scores.
    """
    from nlp_toolkit.store.queries import provision_ids
    from nlp_toolkit.store.vectors import load_matrix

    keep = None if topic is None else _topic_ids(store, topic)
    sides = []
    for name in (a, b):
        rows = [p for p in store.provisions(doc_id=name if by == "doc" else None,
                                            articles=True)
                if by == "doc" or name in p.jurisdiction.split(";")]
        if not rows:
            raise ToolkitError(f"no provisions for {by} {name!r} in the index; "
                               "`nlp-toolkit stats` lists what is there")
        sides.append(rows)
    if by == "jurisdiction":
        # a treaty between both jurisdictions would only match itself: leave it out
        shared = {r.doc_id for r in sides[0]} & {r.doc_id for r in sides[1]}
        sides = [[r for r in side if r.doc_id not in shared] for side in sides]
        if not sides[0] or not sides[1]:
            raise ToolkitError(f"{a} and {b} have only shared documents; compare two "
                               "documents with --doc-a/--doc-b instead")
    model_id = _pick_model(store, model, {r.language for side in sides for r in side})
    vecs: list[np.ndarray | None] = [None, None]
    if model_id is not None:
        matrix = load_matrix(store, model_id)
        row_of = {int(pid): i for i, pid in enumerate(matrix.ids.tolist())}
        ids_of = provision_ids(store, [r.ref for side in sides for r in side])
        for s, side in enumerate(sides):
            present = [r for r in side if ids_of.get(r.ref) in row_of]
            sides[s] = present
            vecs[s] = matrix.matrix[[row_of[ids_of[r.ref]] for r in present]]
    if keep is not None:
        ids_of = provision_ids(store, [r.ref for side in sides for r in side])
        for s, side in enumerate(sides):
            mask = [ids_of.get(r.ref) in keep for r in side]
            sides[s] = [r for r, m in zip(side, mask, strict=True) if m]
            v = vecs[s]
            if v is not None:
                vecs[s] = v[np.asarray(mask, dtype=bool)]
    pairs = best_pairs([r.text for r in sides[0]], [r.text for r in sides[1]],
                       vecs[0], vecs[1], mutual_only=mutual_only, thresholds=thresholds)
    out = []
    for rank, p in enumerate(pairs[:k] if k is not None else pairs, start=1):
        out.append({"rank": rank, "score": round(p.score, 4),
                    "cosine": None if p.cosine is None else round(p.cosine, 4),
                    "jaccard": p.jaccard, "containment": p.containment,
                    "relation": p.relation, "mutual": p.mutual, "model": model_id,
                    "a": sides[0][p.a].to_dict(), "b": sides[1][p.b].to_dict()})
    return out
