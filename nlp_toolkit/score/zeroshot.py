"""Zero-shot topic scorer: cosine between a provision and each topic's prototype vector.

A topic's prototype is the normalised mean embedding of its label, description and exemplar
sentences (English and Chinese), so a multilingual embedder (``use-m3``) scores Chinese
provisions against the same prototypes. Cosines become probabilities through a logistic
``sigmoid(slope * (cos - center))``. Evidence for an asserted topic is the provision's
clause closest to the prototype.

Example:
    >>> import numpy as np
    >>> cosine_probabilities(np.array([[0.2, 0.5]]), center=0.35, slope=12.0).round(2)
    array([[0.14, 0.86]], dtype=float32)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nlp_toolkit.embed import Embedder, embed_provisions
from nlp_toolkit.score import Evidence, ProvisionScore
from nlp_toolkit.score.direction import rule_score
from nlp_toolkit.score.lexicon import base_language
from nlp_toolkit.score.modality import clause_spans
from nlp_toolkit.topics import Taxonomy, load_taxonomy

__all__ = [
    "ZeroShotScorer",
    "best_clause",
    "cosine_probabilities",
    "prototype_texts",
    "topic_prototypes",
]


def prototype_texts(taxonomy: Taxonomy) -> list[list[str]]:
    """Per topic: its label, description and exemplars (all languages)."""
    out: list[list[str]] = []
    for t in taxonomy.topics:
        texts = [f"{t.label}: {t.description}"]
        for lang in sorted(t.exemplars):
            texts.extend(t.exemplars[lang])
        out.append(texts)
    return out


def topic_prototypes(taxonomy: Taxonomy, embedder: Embedder) -> np.ndarray:
    """``(topics, dim)`` float32 unit rows: the mean embedding of each topic's texts."""
    groups = prototype_texts(taxonomy)
    flat = [s for g in groups for s in g]
    vecs = embedder.encode(flat)
    rows: list[np.ndarray] = []
    i = 0
    for g in groups:
        mean = vecs[i : i + len(g)].mean(axis=0)
        rows.append(mean / max(float(np.linalg.norm(mean)), 1e-12))
        i += len(g)
    return np.vstack(rows).astype(np.float32)


def cosine_probabilities(cos: np.ndarray, *, center: float, slope: float) -> np.ndarray:
    """Logistic map of cosines to 0-1: ``1 / (1 + exp(-slope * (cos - center)))``."""
    return (1.0 / (1.0 + np.exp(-slope * (np.asarray(cos, dtype=np.float64) - center)))).astype(
        np.float32
    )


def best_clause(
    text: str, language: str, prototype: np.ndarray, embedder: Embedder
) -> tuple[int, int] | None:
    """Span of the clause of ``text`` most similar to ``prototype`` (None for empty text)."""
    spans = clause_spans(text, base_language(language)) or (
        [(0, len(text))] if text.strip() else []
    )
    if not spans:
        return None
    vecs = embedder.encode([text[s:e] for s, e in spans])
    best = int(np.argmax(vecs @ prototype))
    return spans[best]


class ZeroShotScorer:
    """Score topics by cosine to topic prototypes.

    Args:
        embedder: any embedder; ``use-m3`` for Chinese and English alike.
        taxonomy: the taxonomy (the packaged one by default).
        center: cosine at which the probability is 0.5.
        slope: steepness of the logistic map.
        threshold: probability at which a topic is asserted.
        prototypes: precomputed prototypes (from a model card); computed when None.
    """

    def __init__(
        self,
        embedder: Embedder,
        taxonomy: Taxonomy | None = None,
        *,
        center: float = 0.45,
        slope: float = 15.0,
        threshold: float = 0.5,
        prototypes: np.ndarray | None = None,
    ) -> None:
        self.embedder = embedder
        self.taxonomy = taxonomy or load_taxonomy()
        self.center = center
        self.slope = slope
        self.threshold = threshold
        self.prototypes = prototypes

    def _protos(self) -> np.ndarray:
        if self.prototypes is None:
            self.prototypes = topic_prototypes(self.taxonomy, self.embedder)
        return self.prototypes

    def cosines(self, texts: Sequence[str], vectors: np.ndarray | None = None) -> np.ndarray:
        """``(n, topics)`` cosines between provisions and prototypes."""
        vecs = embed_provisions(texts, self.embedder) if vectors is None else vectors
        return np.asarray(vecs @ self._protos().T, dtype=np.float32)

    def score(
        self,
        texts: Sequence[str],
        languages: Sequence[str],
        *,
        doc_ids: Sequence[str] | None = None,
        vectors: np.ndarray | None = None,
    ) -> list[ProvisionScore]:
        """Topics by prototype cosine; evidence is the closest clause per asserted topic.

        ``doc_ids`` (the :class:`~nlp_toolkit.score.Scorer` protocol's) is not used.
        """
        del doc_ids
        ids = self.taxonomy.ids
        probs = cosine_probabilities(
            self.cosines(texts, vectors), center=self.center, slope=self.slope
        )
        protos = self._protos()
        out: list[ProvisionScore] = []
        for i, (text, lang) in enumerate(zip(texts, languages, strict=True)):
            row = {t: float(probs[i, j]) for j, t in enumerate(ids)}
            labels = tuple(t for t in ids if row[t] >= self.threshold)
            evidence: list[Evidence] = []
            for t in labels:
                span = best_clause(text, lang, protos[ids.index(t)], self.embedder)
                if span is not None:
                    evidence.append(Evidence(t, text[span[0] : span[1]], *span, "embedding"))
            out.append(rule_score(text, lang, row, labels, evidence))
        return out
