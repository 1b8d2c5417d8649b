"""Lexicon topic scorer: taxonomy terms found in the text, with exact character offsets.

English uses spaCy's ``PhraseMatcher`` on ``spacy.blank("en")`` (case-insensitive on the
``LOWER`` attribute). Chinese uses plain character matching: jieba's word segmentation
splits legal compounds inconsistently (``个人信息处理者`` -> ``个人 / 信息处理 / 者``), so a
phrase matcher over its tokens misses terms that a substring search finds.

Thai text is matched on its consonant skeleton: vowel signs above and below the line and
tone marks are left out on both sides (PDF extraction moves them: ``ขอ้มูล`` for ``ข้อมูล``),
and each hit is mapped back to its exact span of the text.

A match is dropped when it overlaps an ``exclude`` phrase of its topic ("transfer of shares"),
and a context-rule term counts only when a ``near`` phrase occurs within its window
("transfer" near "abroad|cross-border|境外"). Terms in the first line (the heading) count
double.

Example:
    >>> scorer = LexiconScorer()
    >>> s = scorer.score(["Article 5 Customs Duties\\nNo Party shall impose customs duties "
    ...                   "on electronic transmissions."], ["en"])[0]
    >>> s.labels
    ('customs_duties',)
    >>> s.bindingness, s.direction
    ('hard', 'liberalizing')
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nlp_toolkit.score import Evidence, ProvisionScore
from nlp_toolkit.score.direction import rule_score
from nlp_toolkit.score.modality import base_language
from nlp_toolkit.topics import Taxonomy, load_taxonomy

__all__ = ["LexiconScorer", "Match", "base_language", "heading_end", "thai_skeleton"]

HEADING_WEIGHT = 2.0
WEAK_WEIGHT = 0.4


@dataclass(frozen=True, slots=True)
class Match:
    """A lexicon hit: ``text == provision[char_start:char_end]``."""

    topic: str
    text: str
    char_start: int
    char_end: int
    weight: float




def heading_end(text: str) -> int:
    """End offset of the provision's first line (its number and heading), at most 200 chars."""
    cut = text.find("\n")
    return min(len(text) if cut < 0 else cut, 200)


_THAI = re.compile("[\u0e01-\u0e5b]")
#: Thai marks that PDF extraction misplaces: the vowel signs above and below the
#: consonant, the tone marks and the other combining signs.
_THAI_MARKS = frozenset("\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e3a"
                        "\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c\u0e4d\u0e4e")


def thai_skeleton(text: str) -> tuple[str, list[int]]:
    """``(skeleton, offsets)``: ``text`` without Thai combining marks (sara am read as sara
    aa), and each skeleton character's offset in ``text`` (pure).

    >>> thai_skeleton("ข้อมูล")[0] == thai_skeleton("ขอ้มูล")[0] == "ขอมล"
    True
    """
    chars: list[str] = []
    offsets: list[int] = []
    for i, c in enumerate(text):
        if c in _THAI_MARKS:
            continue
        chars.append("\u0e32" if c == "\u0e33" else c)
        offsets.append(i)
    return "".join(chars), offsets


#: Lexicon languages matched in Latin-script text: English, and Indonesian (``id``) and
#: Vietnamese (``vi``) terms that no English text contains, so one matcher serves all three.
LATIN_LEXICONS = ("en", "id", "vi")


def _latin(lexicon: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    return tuple(p for lang in LATIN_LEXICONS for p in lexicon.get(lang, ()))


class LexiconScorer:
    """Score topics by weighted lexicon hits.

    Args:
        taxonomy: the taxonomy (the packaged one by default).
        scale: hits needed for probability ``1 - 1/e``; ``p = 1 - exp(-hits / scale)``.
        threshold: probability at which a topic is asserted.
    """

    def __init__(
        self, taxonomy: Taxonomy | None = None, *, scale: float = 1.5, threshold: float = 0.6
    ) -> None:
        self.taxonomy = taxonomy or load_taxonomy()
        self.scale = scale
        self.threshold = threshold
        self._en: Any = None
        self._en_keys: dict[str, tuple[str, float, str]] = {}
        self._zh: list[tuple[re.Pattern[str], str, float, str]] | None = None
        self._th: list[tuple[re.Pattern[str], str, float, str]] | None = None
        self._cache: dict[tuple[str, str], tuple[Match, ...]] = {}

    # -- matching ---------------------------------------------------------------------
    def _english(self) -> Any:
        if self._en is None:
            import spacy
            from spacy.matcher import PhraseMatcher

            nlp = spacy.blank("en")
            matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
            for t in self.taxonomy.topics:
                groups: list[tuple[str, tuple[str, ...], float]] = [
                    ("term", _latin(t.terms), 1.0),
                    ("weak", _latin(t.weak_terms), WEAK_WEIGHT),
                    ("exclude", _latin(t.exclude), 0.0),
                ]
                for i, rule in enumerate(t.context):
                    groups.append((f"ctx{i}", _latin(rule.terms), rule.weight))
                for kind, phrases, weight in groups:
                    if phrases:
                        key = f"{t.id}|{kind}"
                        matcher.add(key, [nlp.make_doc(p) for p in phrases])
                        self._en_keys[key] = (t.id, weight, kind)
            self._en = (nlp, matcher)
        return self._en

    def _patterns(self, lang: str) -> list[tuple[re.Pattern[str], str, float, str]]:
        """Substring patterns of one unspaced script's terms (``zh``; ``th`` as skeletons)."""
        out: list[tuple[re.Pattern[str], str, float, str]] = []
        for t in self.taxonomy.topics:
            groups: list[tuple[str, tuple[str, ...], float]] = [
                ("term", t.terms.get(lang, ()), 1.0),
                ("weak", t.weak_terms.get(lang, ()), WEAK_WEIGHT),
                ("exclude", t.exclude.get(lang, ()), 0.0),
            ]
            for i, rule in enumerate(t.context):
                groups.append((f"ctx{i}", rule.terms.get(lang, ()), rule.weight))
            for kind, phrases, weight in groups:
                if lang == "th":
                    phrases = tuple(thai_skeleton(p)[0] for p in phrases)
                if phrases:
                    alts = sorted(phrases, key=len, reverse=True)
                    pattern = re.compile("|".join(re.escape(p) for p in alts))
                    out.append((pattern, t.id, weight, kind))
        return out

    def _chinese(self) -> list[tuple[re.Pattern[str], str, float, str]]:
        if self._zh is None:
            self._zh = self._patterns("zh")
        return self._zh

    def _thai(self, text: str) -> list[tuple[str, str, int, int, float]]:
        """Hits of the ``th`` terms on ``text``'s skeleton, as spans of ``text``."""
        if self._th is None:
            self._th = self._patterns("th")
        skeleton, offsets = thai_skeleton(text)
        hits: list[tuple[str, str, int, int, float]] = []
        for pattern, tid, weight, kind in self._th:
            for m in pattern.finditer(skeleton):
                hits.append((tid, kind, offsets[m.start()], offsets[m.end() - 1] + 1, weight))
        return hits

    def _raw(self, text: str, lang: str) -> list[tuple[str, str, int, int, float]]:
        """``(topic, kind, start, end, weight)`` for every phrase hit, before filtering."""
        hits: list[tuple[str, str, int, int, float]] = []
        if lang == "zh":
            for pattern, tid, weight, kind in self._chinese():
                for m in pattern.finditer(text):
                    hits.append((tid, kind, m.start(), m.end(), weight))
            return hits
        nlp, matcher = self._english()
        # Newlines become spaces (same length, so offsets hold): PDF lines break phrases.
        doc = nlp.make_doc(text.replace("\n", " "))
        for key_hash, start, end in matcher(doc):
            tid, weight, kind = self._en_keys[nlp.vocab.strings[key_hash]]
            span = doc[start:end]
            hits.append((tid, kind, span.start_char, span.end_char, weight))
        if _THAI.search(text):  # Thai has no cue language of its own: found by its script
            hits.extend(self._thai(text))
        return hits

    def matches(self, text: str, language: str = "en") -> list[Match]:
        """Lexicon matches in ``text`` after exclusions and context rules, in text order.

        Overlapping hits of one topic keep the longest. Results are cached per text (the
        features and the evidence of a provision read the same matches).
        """
        lang = base_language(language)
        key = (text, lang)
        found = self._cache.get(key)
        if found is None:
            if len(self._cache) >= 4096:
                self._cache.clear()
            found = self._cache[key] = tuple(self._matches(text, lang))
        return list(found)

    def _matches(self, text: str, lang: str) -> list[Match]:
        raw = self._raw(text, lang)
        excluded = [(t, s, e) for t, k, s, e, _ in raw if k == "exclude"]
        lowered = text.lower().replace("\n", " ")
        rules = {t.id: t.context for t in self.taxonomy.topics}
        kept: list[tuple[str, int, int, float]] = []
        for tid, kind, s, e, w in raw:
            if kind == "exclude":
                continue
            if any(t == tid and s < xe and xs < e for t, xs, xe in excluded):
                continue
            if kind.startswith("ctx"):
                rule = rules[tid][int(kind[3:])]
                window = lowered[max(0, s - rule.window) : e + rule.window]
                if not any(n in window for n in rule.near.get(lang, ())):
                    continue
            kept.append((tid, s, e, w))
        kept.sort(key=lambda h: (h[0], h[1], -(h[2] - h[1])))
        out: list[Match] = []
        last: dict[str, int] = {}
        for tid, s, e, w in kept:
            if s < last.get(tid, -1):
                continue
            last[tid] = e
            out.append(Match(tid, text[s:e], s, e, w))
        out.sort(key=lambda m: (m.char_start, m.topic))
        return out

    # -- scores -----------------------------------------------------------------------
    def hit_weights(self, text: str, language: str = "en") -> dict[str, float]:
        """Weighted hits per topic (heading hits count :data:`HEADING_WEIGHT` times)."""
        head = heading_end(text)
        out = dict.fromkeys(self.taxonomy.ids, 0.0)
        for m in self.matches(text, language):
            out[m.topic] += m.weight * (HEADING_WEIGHT if m.char_start < head else 1.0)
        return out

    def features(self, texts: Sequence[str], languages: Sequence[str]) -> np.ndarray:
        """``(n, 2 * topics)`` float32: ``log1p`` of heading hits, then of all weighted hits."""
        ids = self.taxonomy.ids
        rows = np.zeros((len(texts), 2 * len(ids)), dtype=np.float32)
        for i, (text, lang) in enumerate(zip(texts, languages, strict=True)):
            head = heading_end(text)
            for m in self.matches(text, lang):
                j = ids.index(m.topic)
                if m.char_start < head:
                    rows[i, j] += m.weight
                rows[i, len(ids) + j] += m.weight
        return np.log1p(rows)

    def probabilities(self, text: str, language: str = "en") -> dict[str, float]:
        """``1 - exp(-hits / scale)`` per topic."""
        return {
            t: 1.0 - math.exp(-w / self.scale) for t, w in self.hit_weights(text, language).items()
        }

    def score(self, texts: Sequence[str], languages: Sequence[str], *,
              doc_ids: Sequence[str] | None = None,
              vectors: Any = None) -> list[ProvisionScore]:
        """Topics from lexicon hits; bindingness and direction from the shared rules.

        ``doc_ids`` and ``vectors`` (the :class:`~nlp_toolkit.score.Scorer` protocol's) are
        not used: a lexicon reads the text only.
        """
        del doc_ids, vectors
        out: list[ProvisionScore] = []
        for text, lang in zip(texts, languages, strict=True):
            probs = self.probabilities(text, lang)
            labels = tuple(t for t in self.taxonomy.ids if probs[t] >= self.threshold)
            evidence = tuple(
                Evidence(m.topic, m.text, m.char_start, m.char_end, "lexicon", m.weight)
                for m in self.matches(text, lang)
                if m.topic in labels
            )
            out.append(rule_score(text, lang, probs, labels, evidence))
        return out
