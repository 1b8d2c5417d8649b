"""Bindingness: deontic modality per clause, the strongest clause wins.

Each clause (split at ``. ; :`` + space, ``。；``) is classed by the first cue tier that
matches, in the taxonomy's order. English: ``none`` (definitions, carve-outs such as
"Nothing in this Chapter shall prevent", "shall not apply", commencement, constitutive
rules) before ``soft`` ("shall endeavour", "shall cooperate", "recognise", "where possible")
before ``hard`` ("shall", "must", "no person shall", an individual's "may request") before
``weak_soft`` (permissive "may"). Chinese: ``none`` (是指, 不适用, 施行) before ``hard``
(应当, 不得, 必须, 国家实行) before ``soft`` (鼓励, 支持, 推动, 促进) before ``weak_soft`` (可以).
The provision takes the strongest clause class (hard > soft > none). The first line (number
and heading) is skipped, so a heading never decides.

Example:
    >>> classify_bindingness("Article 3\\nEach Party shall endeavour to cooperate.", "en")
    ('soft', 0.5)
    >>> classify_bindingness("第五条 电子商务经营者不得泄露用户信息。", "zh")[0]
    'hard'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from nlp_toolkit.score import Bindingness
from nlp_toolkit.topics import Taxonomy, load_taxonomy

__all__ = [
    "CLAUSE_CLASSES",
    "classify_bindingness",
    "clause_classes",
    "clause_spans",
    "compile_cues",
    "tier_counts",
]

CLAUSE_CLASSES = ("none", "soft", "hard", "weak_soft", "plain")
_RANK = {"hard": 3, "soft": 2, "weak_soft": 1, "none": 0, "plain": 0}
_EN_BREAK = re.compile(r"[.;:](?=\s)|\n(?=\(?[0-9ivxa-z]{1,5}[.)]\s)")
_ZH_BREAK = re.compile(r"[。；：]")
#: A list item: "(a)", "(ii)", "1.", "(1)", "（一）".
_ITEM = re.compile(
    r"\s*(?:\([0-9a-z]{1,4}\)|[0-9]{1,2}[.)]\s|（[一二三四五六七八九十]{1,3}）)", re.I
)
_LEAD_ENDS = (":", "：", "—", "–")
#: A lead-in that ends in its modal verb: "Each Party shall:", "the Tribunal shall, ..., —".
_BARE_MODAL = re.compile(r"\b(shall|must|should)(?:\s*,[^,]{1,80},)?\s*$", re.I)
_EN_OBJECTIVE = re.compile(
    r"\b(?:objectives?|purposes?|aims?)\s+of\s+this\s+(?:chapter|agreement|part|article)\s+"
    r"(?:is|are|shall\s+be)\s+to\b",
    re.I,
)
#: A heading line that names an objectives/purpose article ("Article 1 Objectives",
#: "Principles and Objectives", "Purpose and Definitions").
_EN_OBJECTIVE_HEAD = re.compile(
    r"^(?:article\s+[0-9.]+\s*[:.]?\s*)?(?:general\s+)?(?:principles\s+and\s+)?"
    r"(?:objectives?|purposes?)(?:\s+and\s+[a-z]+)?\s*$",
    re.I,
)
_ZH_OBJECTIVE = re.compile(r"为了[^。]{0,80}制定本(?:法|条例|规定)")
_ZH_HEAD = re.compile(r"^\s*第[一二三四五六七八九十百零〇两0-9]+条\s*")


def _continues(text: str, cut: int) -> bool:
    """Whether the first line runs on into the next (a wrapped sentence, not a heading)."""
    nxt = text[cut + 1 : cut + 2]
    return nxt.islower() and not text[:cut].rstrip().endswith((".", ";", ":"))


def clause_spans(text: str, language: str = "en") -> list[tuple[int, int]]:
    """Clause spans of ``text`` (offsets into it), skipping an English first line.

    Example:
        >>> t = "Article 1 Title\\nA shall go; B may stay."
        >>> [t[s:e] for s, e in clause_spans(t)]
        ['A shall go;', 'B may stay.']
    """
    start = 0
    if not language.startswith("zh"):
        cut = text.find("\n")
        start = cut + 1 if 0 <= cut < 200 and not _continues(text, cut) else 0
        pattern = _EN_BREAK
    else:
        head = _ZH_HEAD.match(text)
        start = head.end() if head else 0
        pattern = _ZH_BREAK
    spans: list[tuple[int, int]] = []
    for m in pattern.finditer(text, start):
        if m.end() > start and text[start : m.end()].strip():
            spans.append((start, m.end()))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return [(s + len(text[s:e]) - len(text[s:e].lstrip()), e) for s, e in spans]


def compile_cues(cues: Sequence[str], lang: str) -> re.Pattern[str]:
    """One case-insensitive pattern for a cue list, longest cue first.

    English cues match whole words with any whitespace (PDF line breaks) between words; a
    cue written ``re:PATTERN`` is a regular expression (``re:(?<!by )means(?! of)`` keeps
    "means" as in definitions but not "by means of").

    Example:
        >>> bool(compile_cues(["shall endeavour"], "en").search("shall\\nendeavour"))
        True
    """
    parts: list[str] = []
    for cue in sorted(cues, key=len, reverse=True):
        if cue.startswith("re:"):
            parts.append(cue[3:])
        elif lang == "zh":
            parts.append(re.escape(cue))
        else:
            parts.append(r"\s+".join(map(re.escape, cue.split())))
    body = "|".join(parts)
    return re.compile(body if lang == "zh" else r"\b(?:" + body + r")\b", re.IGNORECASE)


@lru_cache(maxsize=4)
def _patterns(taxonomy: Taxonomy, lang: str) -> list[tuple[str, re.Pattern[str]]]:
    order = taxonomy.bindingness_order.get(lang) or ("none", "soft", "hard", "weak_soft")
    out: list[tuple[str, re.Pattern[str]]] = []
    langs = (lang, "id") if lang == "en" else (lang,)  # Latin-script text: English, Indonesian
    for tier in order:
        lex = taxonomy.bindingness_cues.get(tier, {})
        cues = [c for code in langs for c in lex.get(code, ())]
        if not cues:
            continue
        out.append((tier, compile_cues(cues, lang)))
    return out


def _tier(clause: str, pats: Sequence[tuple[str, re.Pattern[str]]]) -> str:
    for name, pat in pats:
        if pat.search(clause):
            return name
    return "plain"


def _objectives_article(text: str, lang: str, head_end: int) -> bool:
    """Whether ``text`` is an objectives/purpose article (its heading, or an
    "the objectives of this Chapter are to" clause, says so)."""
    if lang == "zh":
        return bool(_ZH_OBJECTIVE.search(text))
    lines = text[: max(head_end, 160)].split("\n")[:2]
    return any(_EN_OBJECTIVE_HEAD.match(line.strip()) for line in lines) or bool(
        _EN_OBJECTIVE.search(text)
    )


def clause_classes(
    text: str, language: str = "en", *, taxonomy: Taxonomy | None = None
) -> list[tuple[int, int, str]]:
    """``(start, end, tier)`` per clause; ``tier`` is one of :data:`CLAUSE_CLASSES`.

    Beyond each clause's own cues, three structural rules apply (English and Chinese):

    - a lead-in ending in a bare modal ("Each Party shall:", "he shall—") lends its modal to
      the list items that follow, and the items decide ("shall: (a) work towards ..." is
      soft, "shall: (a) adopt ..." hard); the lead-in itself counts as plain;
    - a lead-in classed ``none`` ("For the purposes of this Chapter:", "The objectives of
      this Chapter are to:") makes its items ``none`` unless an item is itself hard;
    - in an objectives or purpose article, hortatory clauses ("The Parties recognise ...",
      "promote ...") are ``none``: such articles state aims, not commitments.
    """
    lang = "zh" if language.lower().startswith(("zh", "chi", "cmn")) else "en"
    return list(_clause_classes(text, lang, taxonomy or load_taxonomy()))


@lru_cache(maxsize=8192)
def _clause_classes(text: str, lang: str, taxonomy: Taxonomy) -> tuple[tuple[int, int, str], ...]:
    """Cached body of :func:`clause_classes`: the topic, bindingness and direction features
    all read a provision's clause tiers, so each text is classed once."""
    pats = _patterns(taxonomy, lang)
    spans = clause_spans(text, lang)
    head_end = spans[0][0] if spans and lang != "zh" else 0
    objectives = _objectives_article(text, lang, head_end)
    out: list[tuple[int, int, str]] = []
    lead_modal = ""
    lead_none = False
    for s, e in spans:
        clause = text[s:e]
        item = _ITEM.match(clause)
        if item is None:
            lead_modal, lead_none = "", False
        if item is not None and lead_modal:
            tier = _tier(f"{lead_modal} {clause[item.end():]}", pats)
        else:
            tier = _tier(clause, pats)
        if item is not None and lead_none and tier != "hard":
            tier = "none"
        if objectives and tier in ("soft", "weak_soft"):
            tier = "none"
        if item is None and clause.rstrip().endswith(_LEAD_ENDS):
            modal = _BARE_MODAL.search(clause.rstrip().rstrip(":：—–-").rstrip())
            if modal is not None and lang == "en":
                lead_modal = modal.group(1)
                tier = "plain"
            lead_none = tier == "none"
        out.append((s, e, tier))
    return tuple(out)


def classify_bindingness(
    text: str, language: str = "en", *, taxonomy: Taxonomy | None = None
) -> tuple[Bindingness, float]:
    """The provision's bindingness class and a 0-1 strength score.

    The score is 0 for ``none``, 0.5 for ``soft`` (0.35 when only permissive "may"), and
    0.75-1.0 for ``hard`` (growing with the share of hard clauses).
    """
    tiers = [t for _, _, t in clause_classes(text, language, taxonomy=taxonomy)]
    best = max((_RANK[t] for t in tiers), default=0)
    if best == 3:
        share = tiers.count("hard") / max(1, len(tiers))
        return "hard", round(0.75 + 0.25 * share, 3)
    if best == 2:
        return "soft", 0.5
    if best == 1:
        return "soft", 0.35
    return "none", 0.0


def tier_counts(texts: Sequence[str], languages: Sequence[str]) -> list[dict[str, int]]:
    """Clause counts per tier for each text (features for a learned layer)."""
    out: list[dict[str, int]] = []
    for text, lang in zip(texts, languages, strict=True):
        counts = dict.fromkeys(CLAUSE_CLASSES, 0)
        for _, _, tier in clause_classes(text, lang):
            counts[tier] += 1
        out.append(counts)
    return out
