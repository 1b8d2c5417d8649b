"""Scoring provisions: topics, bindingness, direction, and the evidence behind them.

Every scorer follows one protocol, :class:`Scorer`: ``score(texts, languages)`` returns one
:class:`ProvisionScore` per text. Three topic scorers are usable alone:

- :class:`~nlp_toolkit.score.lexicon.LexiconScorer`: taxonomy lexicons (spaCy
  ``PhraseMatcher`` for English, character matching for Chinese), no model;
- :class:`~nlp_toolkit.score.zeroshot.ZeroShotScorer`: cosine to topic prototypes built from
  descriptions and exemplars, with any :class:`~nlp_toolkit.embed.Embedder`;
- :class:`~nlp_toolkit.score.supervised.SupervisedScorer`: per-topic logistic regression on
  multilingual embeddings plus lexicon and prototype features, thresholds from the model card.

Bindingness (:mod:`~nlp_toolkit.score.modality`) and direction
(:mod:`~nlp_toolkit.score.direction`) are rules shared by all three.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from nlp_toolkit.records import Bindingness, Direction, Evidence, ProvisionScore

if TYPE_CHECKING:
    import numpy as np

__all__ = ["Bindingness", "Direction", "Evidence", "ProvisionScore", "Scorer"]

@runtime_checkable
class Scorer(Protocol):
    """Anything that scores provision texts."""

    def score(self, texts: Sequence[str], languages: Sequence[str], *,
              doc_ids: Sequence[str] | None = None,
              vectors: np.ndarray | None = None) -> list[ProvisionScore]:
        """One :class:`ProvisionScore` per text; ``languages`` are ISO codes (``en``, ``zh``).

        ``doc_ids`` (one per text) group the texts into documents for context features;
        ``vectors`` are the embed stage's vectors of the texts (computed when None). A
        scorer that uses neither ignores them, so every stage calls every scorer alike.
        """
        ...
