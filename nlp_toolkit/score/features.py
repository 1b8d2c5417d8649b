"""Feature matrices for the learned layers (pure functions over texts and arrays).

- topic features: provision embedding, lexicon hit features, cosine to topic prototypes;
- bindingness features: clause-tier counts and shares, the rule class, heading cues;
- direction features: topic probabilities, the rule direction, direction cue counts,
  the bindingness class.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from nlp_toolkit.score.direction import classify_direction, direction_cue_counts
from nlp_toolkit.score.lexicon import WEAK_WEIGHT, LexiconScorer, base_language, heading_end
from nlp_toolkit.score.modality import (
    CLAUSE_CLASSES,
    classify_bindingness,
    clause_classes,
    compile_cues,
)
from nlp_toolkit.topics import Taxonomy, load_taxonomy

__all__ = [
    "BIND_CLASSES",
    "CONSTRUCTIONS",
    "DIRECTION_CONSTRUCTIONS",
    "DIR_CLASSES",
    "TOPIC_FEATURES",
    "bindingness_features",
    "construction_counts",
    "direction_features",
    "heading_flags",
    "one_hot",
    "topic_tensor",
]

BIND_CLASSES = ("hard", "soft", "none")
#: Topics whose assertion makes the direction cue counts enter the direction layer twice.
BORDER_TOPICS = ("data_flows", "data_localization")
DIR_CLASSES = ("liberalizing", "restrictive", "neutral")

# Headings of general provisions that rarely carry an obligation (language-neutral list).
_GENERAL_HEADING = re.compile(
    r"definition|interpretation|objective|purpose|scope|short title|commencement|"
    r"exception|entry into force|amendment|withdrawal|relation to other|"
    r"用语|定义|含义|目的|适用范围|施行|宗旨",
    re.IGNORECASE,
)


#: National-law constructions counted as features (cue lists: the taxonomy's
#: ``constructions``): offences and penalties, powers conferred on an authority,
#: registration and licensing, exemptions, definitions, amending provisions.
#: ``legal_effect``: rules that give or keep legal effect (an electronic record "is not to be
#: denied legal effect", "that requirement is met"): rules of law that bind with no "shall".
#: Leave one tune law out, bindingness 0.803 -> 0.827 (SG ETA 0.48 -> 0.60); on the test
#: laws (``benchmarks/score_test.py``) 0.854 -> 0.850, no gain.
CONSTRUCTIONS = ("offence", "power", "registration", "exemption", "definition", "amending",
                 "legal_effect")
#: The constructions the direction layer reads: not ``legal_effect``, whose direction the
#: direction cues already carry; with it, direction trained on laws and tested on treaties
#: fell from 0.892 to 0.750 (transfer protocol), without it 0.887.
DIRECTION_CONSTRUCTIONS = tuple(c for c in CONSTRUCTIONS if c != "legal_effect")
_DIRECTION_SLOTS = [CONSTRUCTIONS.index(c) for c in DIRECTION_CONSTRUCTIONS]


@lru_cache(maxsize=8)
def _construction_patterns(taxonomy: Taxonomy, lang: str) -> dict[str, re.Pattern[str] | None]:
    """One pattern per construction; Latin-script text reads the ``en``, ``id`` and ``vi``
    cues."""
    langs = ("zh",) if lang == "zh" else ("en", "id", "vi")
    out: dict[str, re.Pattern[str] | None] = {}
    for kind in CONSTRUCTIONS:
        lex = taxonomy.construction_cues.get(kind, {})
        cues = [c for code in langs for c in lex.get(code, ())]
        out[kind] = compile_cues(cues, lang) if cues else None
    return out


def construction_counts(
    text: str, language: str, *, taxonomy: Taxonomy | None = None
) -> np.ndarray:
    """``(len(CONSTRUCTIONS),)`` float32 cue counts in the body (the heading line excluded).

    Example:
        >>> construction_counts("Section 9\\nAny person who fails shall be guilty of an offence.",
        ...                     "en").tolist()
        [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    """
    lang = base_language(language)
    return _construction_counts(text, lang, taxonomy or load_taxonomy()).copy()


@lru_cache(maxsize=8192)
def _construction_counts(text: str, lang: str, taxonomy: Taxonomy) -> np.ndarray:
    pats = _construction_patterns(taxonomy, lang)
    body = text[heading_end(text) :] if lang != "zh" else text
    return np.array(
        [len(p.findall(body)) if (p := pats[k]) is not None else 0 for k in CONSTRUCTIONS],
        dtype=np.float32,
    )


def one_hot(values: Sequence[str], classes: Sequence[str]) -> np.ndarray:
    """``(n, len(classes))`` float32 indicator matrix."""
    out = np.zeros((len(values), len(classes)), dtype=np.float32)
    for i, v in enumerate(values):
        if v in classes:
            out[i, list(classes).index(v)] = 1.0
    return out


TOPIC_FEATURES = (
    "heading_hits",
    "body_hits",
    "cosine",
    "cosine_margin",
    "housekeeping",
    "non_operative",
    "doc_main",
    "doc_main_x_housekeeping",
    "doc_main_x_non_operative",
    "doc_main_x_rule_hard",
    "doc_main_x_offence",
    "doc_main_x_power",
)
#: A topic is a document's main topic when at least this share of its provisions hit it.
MAIN_SHARE = 0.5
#: Documents with at least this many provisions get full weight on the main-topic feature.
FULL_CONTEXT = 30


@lru_cache(maxsize=4)
def _heading_patterns(taxonomy: Taxonomy, lang: str) -> dict[str, re.Pattern[str] | None]:
    out: dict[str, re.Pattern[str] | None] = {}
    for kind in ("housekeeping", "non_operative"):
        cues = sorted(taxonomy.heading_cues.get(kind, {}).get(lang, ()), key=len, reverse=True)
        if not cues:
            out[kind] = None
        elif lang == "zh":
            out[kind] = re.compile("|".join(re.escape(c) for c in cues))
        else:
            alts = "|".join(r"\s+".join(map(re.escape, c.split())) for c in cues)
            out[kind] = re.compile(r"\b(?:" + alts + r")\b", re.IGNORECASE)
    return out


def heading_flags(
    text: str, language: str, *, taxonomy: Taxonomy | None = None
) -> tuple[float, float]:
    """``(housekeeping, non_operative)`` flags from the provision's first line."""
    pats = _heading_patterns(taxonomy or load_taxonomy(), base_language(language))
    head = text[: heading_end(text)]
    return tuple(  # type: ignore[return-value]
        1.0 if (p := pats[k]) is not None and p.search(head) else 0.0
        for k in ("housekeeping", "non_operative")
    )


def _doc_slices(doc_ids: Sequence[str]) -> dict[str, np.ndarray]:
    out: dict[str, list[int]] = {}
    for i, d in enumerate(doc_ids):
        out.setdefault(d, []).append(i)
    return {d: np.array(v) for d, v in out.items()}


def _strong_hits(texts: Sequence[str], languages: Sequence[str],
                 lexicon: LexiconScorer) -> np.ndarray:
    """``(n, topics)`` bool: a match of more than weak weight (a weak term such as
    "electronic system" runs through a whole statute without naming its subject)."""
    ids = lexicon.taxonomy.ids
    out = np.zeros((len(texts), len(ids)), dtype=bool)
    for i, (text, lang) in enumerate(zip(texts, languages, strict=True)):
        for m in lexicon.matches(text, lang):
            if m.weight > WEAK_WEIGHT:
                out[i, ids.index(m.topic)] = True
    return out


def topic_tensor(
    texts: Sequence[str],
    languages: Sequence[str],
    vectors: np.ndarray,
    prototypes: np.ndarray,
    lexicon: LexiconScorer,
    doc_ids: Sequence[str],
) -> np.ndarray:
    """``(n, topics, len(TOPIC_FEATURES))`` float32 features of each provision and topic.

    Provision features: lexicon hits in the heading and the body, cosine to the topic
    prototype and its margin over the best other topic. Document context: whether the topic
    is the document's main one (hit by a term of more than weak weight in at least
    :data:`MAIN_SHARE` of the provisions that share its doc id, more than any other topic;
    weighted down for documents shorter than :data:`FULL_CONTEXT` provisions, since a
    treaty chapter mixes topics), alone and with
    the housekeeping and non-operative heading flags and a "rule says hard" indicator, so the
    model can give a statute's subject to its operative provisions and not to its
    housekeeping. Only the rule's ``hard`` class enters, and only through the main-topic
    interaction: the full rule class (hard/soft/none one-hot, and main x none) tied topic
    decisions to the bindingness rules' soft/none boundary, and grouped-CV micro-F1 was
    0.845 with them against 0.859 with this one indicator (0.852 with no rule input).
    Wider context (document means, neighbours, document vector) was tried and dropped: it
    lowered grouped-CV micro-F1 (0.80-0.83 against 0.85).
    """
    n, t_count = len(texts), prototypes.shape[0]
    lex = lexicon.features(texts, languages)
    head, body = lex[:, :t_count], lex[:, t_count:]
    cos = np.asarray(vectors @ prototypes.T, dtype=np.float32)
    others = np.where(np.eye(t_count, dtype=bool)[None], -9.0, cos[:, None, :]).max(axis=2)
    margin = cos - others
    strong = _strong_hits(texts, languages, lexicon)
    main = np.zeros_like(body)
    for idx in _doc_slices(doc_ids).values():
        share = strong[idx].mean(axis=0)
        k = int(np.argmax(share))
        if share[k] >= MAIN_SHARE:
            main[idx, k] = min(1.0, len(idx) / FULL_CONTEXT)
    flags = np.array(
        [heading_flags(t, lang) for t, lang in zip(texts, languages, strict=True)]
    ).reshape(n, 2)
    hk = np.repeat(flags[:, :1], t_count, axis=1)
    nonop = np.repeat(flags[:, 1:2], t_count, axis=1)
    hard = np.array(
        [
            1.0 if classify_bindingness(t, lang)[0] == "hard" else 0.0
            for t, lang in zip(texts, languages, strict=True)
        ],
        dtype=np.float32,
    )
    rule_hard = np.repeat(hard.reshape(n, 1), t_count, axis=1)
    built = np.array(
        [construction_counts(t, lang)[:2] > 0 for t, lang in zip(texts, languages, strict=True)],
        dtype=np.float32,
    ).reshape(n, 2)
    offence = np.repeat(built[:, :1], t_count, axis=1)
    power = np.repeat(built[:, 1:2], t_count, axis=1)
    cols = [
        head,
        body,
        cos,
        margin,
        hk,
        nonop,
        main,
        main * hk,
        main * nonop,
        main * rule_hard,
        main * offence,
        main * power,
    ]
    return np.stack(cols, axis=2).astype(np.float32)


def bindingness_features(texts: Sequence[str], languages: Sequence[str]) -> np.ndarray:
    """Clause-tier counts (log1p) and shares, first/last clause tiers, rule class, heading cue."""
    rows: list[np.ndarray] = []
    for text, lang in zip(texts, languages, strict=True):
        tiers = [t for _, _, t in clause_classes(text, lang)]
        counts = np.array([tiers.count(c) for c in CLAUSE_CLASSES], dtype=np.float32)
        share = counts / max(1, len(tiers))
        first = one_hot([tiers[0] if tiers else "plain"], CLAUSE_CLASSES)[0]
        rule, strength = classify_bindingness(text, lang)
        head = text[: heading_end(text)]
        general = 1.0 if _GENERAL_HEADING.search(head) else 0.0
        housekeeping, non_operative = heading_flags(text, lang)
        zh = 1.0 if lang.lower().startswith("zh") else 0.0
        rows.append(
            np.concatenate(
                [
                    np.log1p(counts),
                    share,
                    first,
                    one_hot([rule], BIND_CLASSES)[0],
                    np.array(
                        [
                            strength,
                            general,
                            housekeeping,
                            non_operative,
                            zh,
                            np.log1p(len(text) / 100),
                        ],
                        dtype=np.float32,
                    ),
                    np.log1p(construction_counts(text, lang)),
                ]
            )
        )
    width = 2 * len(CLAUSE_CLASSES) + len(CLAUSE_CLASSES) + 3 + 6 + len(CONSTRUCTIONS)
    return np.vstack(rows).astype(np.float32) if rows else np.zeros((0, width), np.float32)


def direction_features(
    texts: Sequence[str],
    languages: Sequence[str],
    topic_probs: np.ndarray,
    topic_ids: Sequence[str],
    thresholds: np.ndarray,
    bindingness: Sequence[str],
) -> np.ndarray:
    """Topic probabilities, rule direction, cue counts and bindingness as float32, and the
    cue counts again where a cross-border topic (:data:`BORDER_TOPICS`) is asserted: a
    condition on transfer (assessment, approval, certification) or a storage duty is
    restrictive whatever the provision's other topics (PIPL art. 38 was neutral without)."""
    border = [j for j, t in enumerate(topic_ids) if t in BORDER_TOPICS]
    rows: list[np.ndarray] = []
    for i, (text, lang) in enumerate(zip(texts, languages, strict=True)):
        labels = [t for j, t in enumerate(topic_ids) if topic_probs[i, j] >= thresholds[j]]
        rule = classify_direction(text, lang, labels, bindingness[i])
        lib, res = direction_cue_counts(text, lang)
        cues = np.log1p(np.array([lib, res], dtype=np.float32))
        at_border = float(any(topic_probs[i, j] >= thresholds[j] for j in border))
        rows.append(
            np.concatenate(
                [
                    topic_probs[i].astype(np.float32),
                    one_hot([rule], DIR_CLASSES)[0],
                    cues,
                    at_border * cues,
                    one_hot([bindingness[i]], BIND_CLASSES)[0],
                    np.log1p(construction_counts(text, lang)[_DIRECTION_SLOTS]),
                ]
            )
        )
    width = len(topic_ids) + 10 + len(DIRECTION_CONSTRUCTIONS)
    return np.vstack(rows).astype(np.float32) if rows else np.zeros((0, width), np.float32)
