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
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

__all__ = ["Bindingness", "Direction", "Evidence", "ProvisionScore", "Scorer"]

Bindingness = Literal["hard", "soft", "none"]
Direction = Literal["liberalizing", "restrictive", "neutral"]


@dataclass(frozen=True, slots=True)
class Evidence:
    """The characters of a provision that drove a topic: ``text == provision[char_start:char_end]``.

    ``source`` is ``lexicon`` (a term match) or ``embedding`` (the best-matching sentence).
    """

    topic: str
    text: str
    char_start: int
    char_end: int
    source: str = "lexicon"
    weight: float = 1.0


@dataclass(frozen=True, slots=True)
class ProvisionScore:
    """The scores of one provision.

    Attributes:
        topics: probability per topic id, in taxonomy order.
        labels: the asserted topics (probability at or above the topic's threshold).
        bindingness: ``hard`` / ``soft`` / ``none``.
        bindingness_score: 0-1 strength of the strongest obligation (hard 1, soft ~0.5).
        direction: ``liberalizing`` / ``restrictive`` / ``neutral``.
        evidence: spans behind each asserted topic.
    """

    topics: dict[str, float]
    labels: tuple[str, ...]
    bindingness: Bindingness
    bindingness_score: float
    direction: Direction
    evidence: tuple[Evidence, ...] = field(default=())


@runtime_checkable
class Scorer(Protocol):
    """Anything that scores provision texts."""

    def score(self, texts: Sequence[str], languages: Sequence[str]) -> list[ProvisionScore]:
        """One :class:`ProvisionScore` per text; ``languages`` are ISO codes (``en``, ``zh``)."""
        ...
