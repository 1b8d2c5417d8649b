"""Jurisdictions a question names: "Does Singapore require ...", "under Malaysian law".

An analyst who names a country asks about its law. :func:`mentioned_jurisdictions` finds the
names and adjectives of :data:`~nlp_toolkit.sources.region.NAMED_AS` as whole words, in the
order the question names them; the search then ranks each named jurisdiction's national law
first (:meth:`~nlp_toolkit.search.index.SearchIndex.search`, ``scope_mentions``), with the
question :func:`without_mentions` of them: within Singapore's law, the word "Singapore"
only favours the sections that name it ("transfer outside Singapore").

>>> mentioned_jurisdictions("Can data leave Vietnam or Thailand? And under Thai law?")
('VNM', 'THA')
>>> mentioned_jurisdictions("Do operators in the EU need consent?", known={"SGP"})
()
>>> mentioned_jurisdictions("Is a euro payment an e-payment?")
()
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache

from nlp_toolkit.sources.region import NAMED_AS

__all__ = ["mentioned_jurisdictions", "names_agreements", "without_mentions"]


@lru_cache(maxsize=1)
def _pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    code_of = {name: code for code, names in NAMED_AS.items() for name in names}
    alternatives = sorted(code_of, key=len, reverse=True)  # "lao pdr" before "lao"
    words = "|".join(re.escape(a).replace(r"\ ", r"\s+") for a in alternatives)
    return re.compile(rf"(?<![\w-])({words})(?:'s|’s)?(?![\w-])", re.IGNORECASE), code_of


def mentioned_jurisdictions(query: str, known: Collection[str] | None = None
                            ) -> tuple[str, ...]:
    """The jurisdiction codes ``query`` names, first named first, each once (pure).

    Args:
        query: the question.
        known: the codes to look for (the index's jurisdictions); default every code of
            :data:`~nlp_toolkit.sources.region.NAMED_AS`.
    """
    pattern, code_of = _pattern()
    out: list[str] = []
    for m in pattern.finditer(query):
        code = code_of[" ".join(m.group(1).lower().split())]
        if code not in out and (known is None or code in known):
            out.append(code)
    return tuple(out)


def without_mentions(query: str) -> str:
    """``query`` without the jurisdiction names of :func:`mentioned_jurisdictions` (pure).

    >>> without_mentions("Does Singapore's law require breach notification?")
    'Does law require breach notification?'
    """
    pattern, _ = _pattern()
    return " ".join(pattern.sub(" ", query).split())


#: How a question names trade agreements: "Do trade agreements require ...", "e-commerce
#: chapters", "treaties", an agreement's acronym.
_AGREEMENTS = re.compile(
    r"\b(?:(?:free |regional |international |digital (?:economy )?)?trade agreements?|"
    r"(?:digital )?(?:economy |partnership )agreements?|treat(?:y|ies)|FTAs?|"
    r"e-?commerce chapters?|electronic commerce chapters?|RCEP|AANZFTA|ACFTA|AHKFTA|CPTPP|"
    r"TPP|DEPA|USMCA|WTO|JSI)\b", re.IGNORECASE)


def names_agreements(query: str) -> bool:
    """True when ``query`` names trade agreements (pure).

    >>> names_agreements("Do trade agreements commit countries to open payment systems?")
    True
    >>> names_agreements("platform service agreements and trading rules")
    False
    """
    return _AGREEMENTS.search(query) is not None
