"""A learned re-ranker over first-stage candidates (learning to rank, pointwise).

The first stage (BM25 of the query's words and of its translated terms, cosine of each dense
model, fused by reciprocal rank) finds candidates; this module re-orders the best of them by
a logistic regression over features of each (query, candidate) pair:

- the fused score and rank, and the candidate's rank in each first-stage ranking (the
  national-law ranking of e5 and use-m3 included);
- the cosine of the query and the candidate in the dense model, and its gap to the best
  candidate's;
- the share of the query's words in the candidate's heading;
- the candidate's document type (national law: statute or regulation; treaty), whether it is
  a treaty in a language that is neither the query's nor English (the generic Spanish and
  French treaty articles a cross-lingual query drifts to), and its length.

No feature names a document, a jurisdiction or a topic, so the model carries over to laws it
was not trained on. It is opt-in (``SearchIndex(store, reranker="default")``): with the
national-law ranking in the first stage, the fused order matched it on the tune half. It
re-orders queries in a Latin script only: 68 of the 74 training questions are English, and
a Chinese query keeps the fused order (its own characters rank it well). It is trained on
the tune half of ``corpus/dev/search_questions.jsonl`` (``models/reranker/train.py``) and
shipped as arrays (``weights.npz``) with a model card (``meta.json``), like the scorer.

Everything here is pure but :meth:`Reranker.load` / :meth:`Reranker.save` and
:func:`default_reranker` (files). Scikit-learn is imported by :func:`fit` only.

>>> r = Reranker(("a", "b"), np.zeros(2), np.ones(2), np.array([1.0, -1.0]), 0.0)
>>> r.score(np.array([[1.0, 0.0], [0.0, 1.0]])).tolist()
[1.0, -1.0]
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from nlp_toolkit.defaults import DEFAULT_RERANKER
from nlp_toolkit.errors import ToolkitError

__all__ = ["FEATURES", "RANKINGS", "RERANK_DEPTH", "Candidate", "Reranker", "default_reranker",
           "features", "fit", "heading_overlap", "reorder"]

#: First-stage rankings whose ranks are features (a missing ranking counts as no rank).
RANKINGS = ("lexical", "translated", "dense", "national")
#: Feature names, in column order.
FEATURES = ("fused", "fused_rank", "rank_lexical", "rank_translated", "rank_dense",
            "rank_national", "cosine",
            "cosine_gap", "heading_overlap", "national", "statute", "regulation",
            "treaty_other_language", "log_length")
#: Candidates (best fused first) the re-ranker re-orders; the rest keep their fused order
#: after them. 200 holds 0.82 of the tune half's answers (the fused top 150 held 0.81).
RERANK_DEPTH = 200
_WORD = re.compile(r"\w+")
# English inflections folded before comparing words; "ss" endings (process, access) keep
# their s, so that "processing" and "process" meet
_SUFFIX = re.compile(r"(?:ations|ation|ions|ion|ings|ing|ed|es|e|al|ly|(?<!s)s)$")


@dataclass(frozen=True, slots=True)
class Candidate:
    """What the features read of one candidate (from the unit table and the store)."""

    heading: str
    length: int  # characters
    doc_type: str
    language: str


def _stem(word: str) -> str:
    """``word`` without one English inflection (pure).

    >>> [_stem(w) for w in ("processing", "process", "processes", "deletion", "delete")]
    ['process', 'process', 'process', 'delet', 'delet']
    """
    return _SUFFIX.sub("", word, count=1) if len(word) > 4 else word


def heading_overlap(terms: Sequence[str], heading: str) -> float:
    """Share of the query's words (suffix-folded) in the heading (pure).

    >>> heading_overlap(["transfers", "personal", "data"], "Transfer of personal information")
    0.6666666666666666
    """
    return _overlap(_stems(terms), heading)


def _stems(terms: Sequence[str]) -> frozenset[str]:
    return frozenset(_stem(t.lower()) for t in terms)


def _overlap(want: frozenset[str], heading: str) -> float:
    if not want:
        return 0.0
    have = {_stem(w) for w in _WORD.findall(heading.lower())}
    return len(want & have) / len(want)


def features(pool: Sequence[int], fused: Mapping[int, float],
             rankings: Mapping[str, Sequence[int]], cosines: np.ndarray,
             candidates: Mapping[int, Candidate], terms: Sequence[str],
             query_language: str) -> np.ndarray:
    """The ``(len(pool), len(FEATURES))`` feature matrix of a query's candidates (pure).

    Args:
        pool: candidate ids, best fused first.
        fused: each candidate's fused (RRF) score.
        rankings: each first-stage ranking (names of :data:`RANKINGS`), best first.
        cosines: the dense model's cosine of each pool candidate with the query.
        candidates: each candidate's heading, length, document type and language.
        terms: the query's searchable words.
        query_language: the query's language (``en`` for Latin script).
    """
    positions = {name: {i: p for p, i in enumerate(rankings.get(name, ()))}
                 for name in RANKINGS}
    best = float(cosines.max()) if len(cosines) else 0.0
    want = _stems(terms)  # the query's words, folded once for every candidate
    rows = []
    for n, i in enumerate(pool):
        c = candidates.get(i, Candidate("", 0, "", ""))
        ranks = [positions[name].get(i) for name in RANKINGS]
        treaty = c.doc_type == "treaty"
        rows.append([
            fused.get(i, 0.0), 1.0 / (1 + n),
            *(0.0 if p is None else 1.0 / (1 + p) for p in ranks),
            float(cosines[n]), float(cosines[n]) - best,
            _overlap(want, c.heading),
            float(bool(c.doc_type) and not treaty), float(c.doc_type == "statute"),
            float(c.doc_type.endswith("regulation")),
            float(treaty and c.language not in (query_language, "en")),
            math.log1p(c.length)])
    return np.asarray(rows, dtype=np.float64).reshape(len(pool), len(FEATURES))


def reorder(fused: Sequence[tuple[int, float]], scores: np.ndarray
            ) -> list[tuple[int, float]]:
    """The first ``len(scores)`` fused candidates by descending score (ties: fused order),
    then the rest in fused order; each candidate once, with its new score (pure).

    >>> reorder([(1, 0.9), (2, 0.8), (3, 0.7)], np.array([0.1, 0.5]))
    [(2, 0.5), (1, 0.1), (3, 0.7)]
    """
    n = len(scores)
    order = sorted(range(n), key=lambda j: (-float(scores[j]), j))
    return [(fused[j][0], float(scores[j])) for j in order] + list(fused[n:])


@dataclass(frozen=True)
class Reranker:
    """A standardised logistic regression: ``score = ((x - mean) / scale) @ coef + intercept``.

    Attributes:
        names: the feature names it was trained on (must be :data:`FEATURES` to be used).
        card: the model card (``meta.json``).
    """

    names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    card: Mapping[str, Any] | None = None

    def score(self, x: np.ndarray) -> np.ndarray:
        """Log-odds of relevance per row of ``x`` (pure)."""
        return np.asarray(((x - self.mean) / self.scale) @ self.coef + self.intercept)

    def save(self, folder: str | Path, card: Mapping[str, Any]) -> None:
        """Write ``weights.npz`` (arrays only) and ``meta.json`` (the card) to ``folder``."""
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        np.savez(out / "weights.npz", mean=self.mean, scale=self.scale, coef=self.coef,
                 intercept=np.array([self.intercept]))
        meta = {**card, "features": list(self.names)}
        (out / "meta.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n",
                                       encoding="utf-8")

    @classmethod
    def load(cls, folder: str | Path) -> Reranker:
        """Read a re-ranker written by :meth:`save`.

        Raises:
            ToolkitError: the folder lacks the files, or its features are not
                :data:`FEATURES` (a model of another version: retrain it with
                ``models/reranker/train.py``).
        """
        path = Path(folder)
        try:
            meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
            with np.load(path / "weights.npz", allow_pickle=False) as w:
                arrays = {k: w[k] for k in ("mean", "scale", "coef", "intercept")}
        except (OSError, KeyError, ValueError) as exc:
            raise ToolkitError(f"cannot read the re-ranker in {path}: {exc}; retrain it with "
                               "`python models/reranker/train.py`") from exc
        names = tuple(meta.get("features", ()))
        if names != FEATURES:
            raise ToolkitError(f"the re-ranker in {path} was trained on features {names}, "
                               f"this version computes {FEATURES}: retrain it with "
                               "`python models/reranker/train.py`")
        return cls(names, arrays["mean"], arrays["scale"], arrays["coef"],
                   float(arrays["intercept"][0]), meta)


def fit(x: np.ndarray, y: np.ndarray, *, c: float = 1.0) -> Reranker:
    """A class-balanced logistic regression on standardised features (scikit-learn)."""
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=5000)
    model.fit((x - mean) / scale, y)
    return Reranker(FEATURES, mean, scale, model.coef_[0].astype(np.float64),
                    float(model.intercept_[0]))


@lru_cache(maxsize=1)
def default_reranker() -> Reranker | None:
    """The shipped re-ranker (``models/reranker`` of the working folder, else of the project
    this package was installed from), or None when neither holds one."""
    for folder in (DEFAULT_RERANKER, Path(__file__).resolve().parents[2] / DEFAULT_RERANKER):
        if (folder / "meta.json").is_file():
            return Reranker.load(folder)
    return None
