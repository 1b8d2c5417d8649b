"""Choose which candidate heads really start units: the best-scoring numbering chain.

A document's articles or sections are numbered in sequence (1, 2, 2A, 3, ... or 12.1,
12.2, ...). Cross-references and wrapped lines that happen to start with a number break
that sequence, so the chain that best follows it (dynamic programming over candidates,
with a bounded look-back, so linear in the number of candidates) is kept.

>>> number_key("48B")
(48, 0, 'B')
>>> is_successor(number_key("21A"), number_key("21AA"))
True
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

Key = tuple[int, int, str]

_LOOKBACK = 400
_MAX_GAP = 60


def number_key(number: str) -> Key:
    """Sort key of a normalised article number: ``(major, minor, letters)``.

    ``"12.15"`` -> ``(12, 15, '')``; ``"48B"`` -> ``(48, 0, 'B')``; ``"26/1"`` ->
    ``(26, 1, '')``; ``"5-2"`` -> ``(5, 2, '')``.
    """
    for sep in (".", "/", "-"):
        if sep in number:
            a, b = number.split(sep, 1)
            return (_int_prefix(a), _int_prefix(b), "")
    major = _int_prefix(number)
    letters = number[len(str(major)) :] if number[:1].isdigit() else ""
    return (major, 0, letters.upper())


def _int_prefix(text: str) -> int:
    digits = ""
    for ch in text:
        if not ch.isdigit():
            break
        digits += ch
    return int(digits) if digits else 0


def gap(prev: Key, cur: Key, *, dotted: bool) -> int | None:
    """How many numbers were skipped from ``prev`` to ``cur`` (0 = direct successor).

    ``None`` when ``cur`` does not come after ``prev``.
    """
    if dotted:
        if cur[0] == prev[0] and cur[1] > prev[1]:
            return cur[1] - prev[1] - 1
        if cur[0] > prev[0] and cur[1] <= 1:
            return cur[0] - prev[0] - 1
        return None
    if cur[0] == prev[0]:
        if cur[1] > prev[1] and cur[2] == prev[2]:
            return cur[1] - prev[1] - 1
        # 24A < 24AA < 24B (inserted between) or 24Z < 24AA (continued): accept both
        if cur[1] == prev[1] and (cur[2] > prev[2] or len(cur[2]) > len(prev[2])):
            return 0
        return None
    if cur[0] > prev[0]:
        return cur[0] - prev[0] - 1
    return None


def is_successor(prev: Key, cur: Key) -> bool:
    """True when ``cur`` directly follows ``prev`` (no number skipped)."""
    return gap(prev, cur, dotted=False) == 0


@dataclass(frozen=True, slots=True)
class ChainItem:
    """What the chain needs to know about one candidate."""

    key: Key
    end_key: Key  # differs from key for a range "27. to 32."
    strength: float  # evidence from layout: bold heading, left margin, sentence end before
    containers: int  # how many chapter headings come before this candidate
    dotted: bool


def best_chain(items: Sequence[ChainItem]) -> list[int]:
    """Indices of the candidates on the best numbering chain, in order.

    Each kept candidate earns its strength; a direct successor earns a bonus, a skip
    of g numbers costs in proportion to g; a restart at 1 is allowed only where
    a chapter heading lies between the two candidates. Candidates off the chain are dropped.
    """
    n = len(items)
    if n == 0:
        return []
    best = [0.0] * n
    back = [-1] * n
    for i, it in enumerate(items):
        start_pen = 0.0 if it.key[0] <= 1 else min(3.0, 0.4 * it.key[0])
        best[i] = it.strength + 1.0 - start_pen
        for j in range(max(0, i - _LOOKBACK), i):
            prev = items[j]
            g = gap(prev.end_key, it.key, dotted=it.dotted and prev.dotted)
            if g is None:
                if it.containers > prev.containers and it.key[0] <= 1 and it.key[1] <= 1:
                    trans = 1.5
                else:
                    continue
            elif g > _MAX_GAP:
                continue
            else:
                trans = 2.0 if g == 0 else max(0.1, 1.2 - 0.1 * g)
            score = best[j] + it.strength + trans
            if score > best[i]:
                best[i] = score
                back[i] = j
    end = max(range(n), key=lambda k: best[k])
    chain = []
    while end >= 0:
        chain.append(end)
        end = back[end]
    return chain[::-1]
