"""Direction: does a provision liberalize digital trade, restrict it, or neither?

Rules over the provision's topics and the taxonomy's direction cues:

- ``government_access`` (authority access, compelled data, minimum retention) is restrictive;
- ``customs_duties``, ``digital_products``, ``source_code``, ``data_localization`` and
  ``e_transactions``/``paperless_trade`` are liberalizing when a liberalizing cue occurs
  ("shall not deny the legal", "not be denied legal effect", "that requirement is met",
  "less favourable treatment"), restrictive when restrictive cues dominate (registration,
  licensing, approval of certification providers), and neutral otherwise: a national law's
  duties on those topics (an operator shall keep its electronic system reliable) neither
  open nor close a market;
- ``data_flows`` is restrictive when condition cues ("only if", "adequate level of
  protection", 安全评估) outnumber free-flow cues ("shall allow", "shall not require");
- ``platform_regulation`` is restrictive when registration, identity verification or
  content-handling cues occur (pure disclosure duties stay neutral);
- everything else is neutral.

Example:
    >>> classify_direction("No Party shall impose customs duties on electronic transmissions.",
    ...                    "en", ("customs_duties",), "hard")
    'liberalizing'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from nlp_toolkit.score import Direction, Evidence, ProvisionScore
from nlp_toolkit.score.modality import base_language, classify_bindingness, compile_cues
from nlp_toolkit.topics import Taxonomy, load_taxonomy

__all__ = ["LIBERAL_TOPICS", "classify_direction", "direction_cue_counts"]

#: Topics whose commitments remove barriers unless restrictive cues dominate.
LIBERAL_TOPICS = frozenset(
    {
        "customs_duties",
        "digital_products",
        "source_code",
        "data_localization",
        "e_transactions",
        "paperless_trade",
        "open_data",
    }
)


@lru_cache(maxsize=4)
def _patterns(taxonomy: Taxonomy, lang: str) -> dict[str, re.Pattern[str]]:
    out: dict[str, re.Pattern[str]] = {}
    langs = LATIN_LEXICONS if lang in LATIN_LEXICONS else (lang,)
    for cls, lex in taxonomy.direction_cues.items():
        cues = [c for code in langs for c in lex.get(code, ())]
        if cues:
            out[cls] = compile_cues(cues, lang)
    return out


#: Cue languages read for Latin-script text (English, and Indonesian cues).
LATIN_LEXICONS = ("en", "id")


def direction_cue_counts(
    text: str, language: str = "en", *, taxonomy: Taxonomy | None = None
) -> tuple[int, int]:
    """``(liberalizing, restrictive)`` cue counts in ``text``."""
    lang = base_language(language)
    return _cue_counts(text, lang, taxonomy or load_taxonomy())


@lru_cache(maxsize=8192)
def _cue_counts(text: str, lang: str, taxonomy: Taxonomy) -> tuple[int, int]:
    """Cached body of :func:`direction_cue_counts` (the rule and the learned layer both
    count a provision's cues)."""
    pats = _patterns(taxonomy, lang)
    lib = pats.get("liberalizing")
    res = pats.get("restrictive")
    return (
        len(lib.findall(text)) if lib else 0,
        len(res.findall(text)) if res else 0,
    )


def classify_direction(
    text: str,
    language: str,
    topics: Sequence[str],
    bindingness: str,  # noqa: ARG001 - part of the scorers' call; the rule no longer reads it
    *,
    taxonomy: Taxonomy | None = None,
) -> Direction:
    """The direction class of one provision from its asserted topics and cue counts."""
    lib, res = direction_cue_counts(text, language, taxonomy=taxonomy)
    topic_set = set(topics)
    if "government_access" in topic_set:
        return "restrictive"
    if "data_flows" in topic_set:
        return "restrictive" if res > lib else "liberalizing"
    if "platform_regulation" in topic_set:
        return "restrictive" if res > 0 else "neutral"
    if topic_set & LIBERAL_TOPICS:
        if res > lib + 1:
            return "restrictive"
        if lib == 0:  # a duty on a topic that treaties liberalize is not itself liberalizing
            return "neutral"
        return "liberalizing"
    return "neutral"


def rule_score(text: str, language: str, topics: dict[str, float], labels: tuple[str, ...],
               evidence: Sequence[Evidence]) -> ProvisionScore:
    """A :class:`ProvisionScore` whose bindingness and direction come from the rules, for
    scorers (lexicon, zero-shot) that decide only the topics themselves."""
    bind, bscore = classify_bindingness(text, language)
    return ProvisionScore(
        topics=topics,
        labels=labels,
        bindingness=bind,
        bindingness_score=bscore,
        direction=classify_direction(text, language, labels, bind),
        evidence=tuple(evidence),
    )
