"""Query words and result snippets (pure): the searchable terms of a query, and the window
of a provision's text with the most term hits, hits marked.

>>> query_terms("Transfer of personal data")
['transfer', 'personal', 'data']
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from functools import lru_cache

from nlp_toolkit.extract.scripts import UNSPACED_RE

__all__ = ["OTHER_SCRIPT", "query_terms", "snippet"]

_STOP = frozenset((
    "a", "an", "and", "any", "are", "as", "at", "be", "by", "for", "from", "has", "have",
    "in", "into", "is", "it", "its", "of", "on", "or", "that", "the", "their", "this", "to",
    "under", "was", "were", "which", "with", "what", "how", "when", "where", "who", "does",
    "do", "can", "may", "shall", "about"))
#: A character of a script written without spaces (Thai, Lao, Japanese kana, CJK).
OTHER_SCRIPT = UNSPACED_RE


def query_terms(query: str) -> list[str]:
    """The searchable words of a query: stop words and one-letter words dropped (pure).

    >>> query_terms("Transfer of personal data to another country")
    ['transfer', 'personal', 'data', 'another', 'country']
    >>> query_terms("个人信息出境")
    ['个人', '人信', '信息', '息出', '出境']
    """
    out: list[str] = []
    for word in re.findall(r"\w+", query.lower()):
        if word in _STOP:
            continue
        if OTHER_SCRIPT.match(word) and len(word) > 2:
            # unspaced Chinese: overlapping character pairs match across word boundaries
            out.extend(word[i:i + 2] for i in range(len(word) - 1))
        elif len(word) > 1 or OTHER_SCRIPT.match(word):
            out.append(word)
    return out


@lru_cache(maxsize=256)
def _terms_pattern(terms: frozenset[str]) -> re.Pattern[str] | None:
    pats = [re.escape(t) for t in sorted(terms, key=lambda t: (-len(t), t))]
    return re.compile("|".join(pats), re.IGNORECASE) if pats else None


def snippet(text: str, terms: Sequence[str], *, width: int = 240, mark: str = "**") -> str:
    """The ``width``-character window of ``text`` with the most term hits, hits marked (pure).

    >>> snippet("Alpha beta. The transfer of data abroad is limited.", ["transfer"], width=30)
    '…beta. The **transfer** of data…'
    """
    flat = " ".join(text.split())
    rx = _terms_pattern(frozenset(t for t in terms if t))
    hits = [m.start() for m in rx.finditer(flat)] if rx else []
    start = 0
    if hits:
        # the hit that starts the window holding the most hits (the first such)
        best = max(range(len(hits)), key=lambda i: bisect_left(hits, hits[i] + width, i) - i)
        start = max(0, hits[best] - width // 6)
        while start > 0 and not flat[start - 1].isspace() and start > hits[best] - width // 3:
            start -= 1
    end = min(len(flat), start + width)
    while end < len(flat) and end > start + width - 20 and not flat[end].isspace():
        end -= 1
    window = flat[start:end].strip()
    if rx is not None:
        window = rx.sub(lambda m: f"{mark}{m.group(0)}{mark}", window).replace(mark * 2, "")
    return ("…" if start > 0 else "") + window + ("…" if end < len(flat) else "")
