"""The operative-unit rule: which provisions state law, and which only frame it (pure).

Non-operative are the units an analyst never cites as the answer to a question: preambles
and recitals, arrangements of sections and tables of contents, reprints' lists of amendments
and of sections amended, signature blocks and enacting formulas, and the sections a
consolidated act lists as deleted or repealed ("11. [Deleted by Act 19 of 2024]",
"103. (Deleted)"). Search and ``similar`` leave
them out by default (they are long, so they match many words, and they ranked in the first
page for plain questions); the store keeps the flag in ``provisions.operative``, computed at
ingest and back-filled by the schema migration with this same function.

>>> is_operative("preamble", "", "")
False
>>> is_operative("schedule", "", "LAWS OF MALAYSIA\\nAct 709\\nLIST OF AMENDMENTS")
False
>>> is_operative("section", "[Deleted by Act 19 of 2024 wef 31/10/2025]", "Section 11. [...]")
False
>>> is_operative("section", "(Deleted by Act A1381).", "103. (Deleted by Act A1381).")
False
>>> is_operative("section", "Retention of personal data", "10. (1) ...")
True
"""

from __future__ import annotations

import re

from nlp_toolkit.segment.patterns import GONE_NOTE_RE

__all__ = ["NON_OPERATIVE_LEVELS", "is_operative"]

#: Levels whose units never state operative law.
#: An Indonesian law's elucidations (``Penjelasan``) explain the articles, which are cited.
#: A translation's articles (``translation``) state the law, in the reader's language (a
#: search reports them as the article they stand for, ``standins.py``); its root unit
#: (``translations``) holds only its title and chapter headings of its own.
NON_OPERATIVE_LEVELS = frozenset({"preamble", "recital", "recitals", "arrangement", "toc",
                                  "signature", "front_matter", "elucidations", "elucidation",
                                  "translations"})
_HEADING = re.compile(
    r"^\s*(?:preamble|pre[áa]mbulo|pr[ée]ambule|recitals?|whereas|long title|"
    r"arrangement of (?:sections|clauses|articles)|table of contents|contents|"
    r"list of amendments|list of (?:sections|articles|provisions) amended|"
    r"legislative history|signatures?|in witness whereof|enacting formula)\s*$",
    re.IGNORECASE)
# a unit whose opening lines carry one of these titles is a reprint's or an act's frame
_OPENING = re.compile(
    r"^(?:list of amendments|list of sections amended|arrangement of sections|"
    r"table of contents|in witness whereof)\b", re.IGNORECASE | re.MULTILINE)
_OPENING_LINES = 8


def is_operative(level: str, heading: str, text: str, *, number: str = "") -> bool:
    """Whether a provision states operative law (see the module docstring).

    Args:
        level: the provision's level (``preamble`` units are never operative).
        heading: its heading; ``number``: its number (``List of Amendments`` is one).
        text: its text; only the first lines are read.
    """
    if level.lower() in NON_OPERATIVE_LEVELS:
        return False
    if _HEADING.match(heading) or _HEADING.match(number) or GONE_NOTE_RE.match(heading):
        return False
    opening = "\n".join(text.lstrip().splitlines()[:_OPENING_LINES])
    return _OPENING.search(opening) is None
