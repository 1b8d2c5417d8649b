"""Indonesian laws: the official elucidation (PENJELASAN) and amending laws' Roman articles.

An Indonesian law is printed with its *Penjelasan*: a general part (``I. UMUM``) and then,
article by article (``II. PASAL DEMI PASAL``), the official explanation of each
``Pasal N``. Those repeated ``Pasal N`` headings are not articles: read as articles they
would give the law every article twice. So everything from the ``PENJELASAN`` title on is
one root unit of level ``elucidations`` (number ``Penjelasan``), and each article's
explanation is a unit of level ``elucidation`` inside it:

- ref ``DOC:Penjelasan 5``, number ``Penjelasan 5``, parent ``DOC:Penjelasan``;
- it explains the article ``DOC:5`` (``elucidated_ref``); the link is by number, because
  a provision's span must lie inside its parent's (the provisions tile the text), and
  the elucidation is printed far from its article.

Elucidations are neither articles nor sections, so ``provisions --level article`` lists
the law's own ``Pasal 1..N`` only, while search and ``--level all`` see the elucidations.

An amending law ("Undang-Undang tentang Perubahan atas ...") has two articles, ``Pasal I``
(the amendments, each quoting the amended article in full: ``Pasal 26`` ... ``Pasal 45B``)
and ``Pasal II`` (commencement). ``roman_articles`` finds them; the quoted ``Pasal N``
headings between them are text of ``Pasal I``, not articles.

>>> elucidated_ref("idn-ite-law-2008:Penjelasan 5")
'idn-ite-law-2008:5'
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from nlp_toolkit.records import Line
from nlp_toolkit.segment.standins import stood_for_ref

__all__ = [
    "ELUCIDATIONS_LEVEL",
    "ELUCIDATION_LEVEL",
    "elucidated_ref",
    "elucidation_articles",
    "elucidation_start",
    "roman_articles",
]

#: Level of one article's elucidation, and of the root unit that holds them all.
ELUCIDATION_LEVEL = "elucidation"
ELUCIDATIONS_LEVEL = "elucidations"
_PREFIX = "Penjelasan"
_TITLE_RE = re.compile(r"^PENJELASAN$")
_TITLE_NEXT_RE = re.compile(r"^(?:ATAS|UNDANG-UNDANG|PERATURAN)\b")
_PASAL_RE = re.compile(r"^Pasal\s+(\d{1,3}[A-Z]?|[IVX]{1,5})$")
_GARBLED_RE = re.compile(r"^P[a-z]{3,5}\s+(\d{1,3})$")
_ROMAN_RE = re.compile(r"^Pasal\s+([IVX]{1,5})$")


def elucidated_ref(ref: str) -> str | None:
    """The ref of the article that an elucidation unit explains; ``None`` for other refs
    (the stand-in rule: ``standins.stood_for_ref``).

    >>> elucidated_ref("idn-pdp-law-2022:Penjelasan 56") is None
    False
    >>> elucidated_ref("idn-pdp-law-2022:56") is None
    True
    """
    number = ref.partition(":")[2]
    return stood_for_ref(ref) if number.startswith(_PREFIX + " ") else None


def elucidation_start(lines: Sequence[Line]) -> int | None:
    """The line of the elucidation's title (``PENJELASAN`` over ``ATAS UNDANG-UNDANG``)."""
    for i, ln in enumerate(lines):
        if _TITLE_RE.match(ln.text.strip()):
            nxt = next((x.text.strip() for x in lines[i + 1 : i + 4] if x.text.strip()), "")
            if _TITLE_NEXT_RE.match(nxt):
                return i
    return None


def elucidation_articles(lines: Sequence[Line], start: int) -> list[tuple[int, str]]:
    """``(line, number)`` of each ``Pasal N`` heading in the elucidation from ``start``."""
    out = []
    garbled: list[tuple[int, int]] = []
    for i in range(start + 1, len(lines)):
        text = lines[i].text.strip()
        m = _PASAL_RE.match(text)
        if m:
            out.append((i, m.group(1)))
        elif g := _GARBLED_RE.match(text):
            garbled.append((i, int(g.group(1))))
    # a heading the scan garbled ("Pukul 98" for "Pasal 98") counts when it is exactly the
    # number missing between its neighbours
    for i, value in garbled:
        k = next((k for k, (j, _) in enumerate(out) if j > i), len(out))
        before, after = (out[k - 1][1] if k else ""), (out[k][1] if k < len(out) else "")
        if before.isdigit() and after.isdigit() and int(before) + 1 == value == int(after) - 1:
            out.insert(k, (i, str(value)))
    return out


def roman_articles(lines: Sequence[Line], end: int) -> list[tuple[int, str]]:
    """``(line, number)`` of an amending law's ``Pasal I``, ``Pasal II``... before ``end``.

    Empty unless both ``Pasal I`` and ``Pasal II`` stand on lines of their own.
    """
    found = [(i, m.group(1)) for i in range(min(end, len(lines)))
             if (m := _ROMAN_RE.match(lines[i].text.strip()))]
    numbers = [n for _, n in found]
    return found if "I" in numbers and "II" in numbers else []
