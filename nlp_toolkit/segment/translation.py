"""A translation printed with the law: one ``translations`` unit, one ``translation`` unit
per translated article, never a second set of articles.

A web page may carry the law and a (partial) translation of it (``extract/html.py`` keeps
the translation after the law's text and marks its lines with its ``language``). Read as
articles, its ``Article 26.`` headings would give the law every article twice. So, as an
Indonesian law's elucidation (``elucidation.py``), everything from the first translated
line on is one root unit of level ``translations`` (number ``Translation (en)``), and each
``Article N`` heading in it opens a unit of level ``translation``:

- ref ``DOC:en 26``, number ``en 26``, parent ``DOC:Translation (en)``;
- it stands for the article ``DOC:26`` (``standins.stood_for_ref``), linked by number: the
  translation is printed far from its article, and a unit's span lies inside its parent's.

Only headings whose number is an article of the document open a unit, each number once and
in increasing order (a cross-reference that starts a line, "Article 18 of this Law ...", is
text); the rest of the translation (its title, chapter headings) is text of the unit it
follows.

>>> from nlp_toolkit.records import Line
>>> lines = [Line("Điều 1. Phạm vi"), Line("Scope", language="en"),
...          Line("Article 1. Scope", language="en"), Line("Article 9. Gone", language="en")]
>>> start = translation_start(lines)
>>> start, translation_articles(lines, start, {"1", "2"})
(1, [(2, '1', 'Scope')])
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from nlp_toolkit.records import Line
from nlp_toolkit.segment.numbering import Key, number_key
from nlp_toolkit.segment.standins import stand_in_number

__all__ = ["TRANSLATIONS_LEVEL", "TRANSLATION_LEVEL", "translation_articles",
           "translation_name", "translation_number", "translation_start"]

#: Level of one article's translation, and of the root unit that holds them all.
TRANSLATION_LEVEL = "translation"
TRANSLATIONS_LEVEL = "translations"
#: "Article 26. Title", "Article 26:", "Article 26" (English, the translations the corpus has).
_HEADING_RE = re.compile(r"^Article\s+(\d{1,3}[A-Za-z]?)(?:\s*[.:]\s*(.*)|\s*)$")


def translation_start(lines: Sequence[Line]) -> int | None:
    """The first line of a translation (the first line that carries a ``language``)."""
    return next((i for i, ln in enumerate(lines) if ln.language), None)


def translation_name(language: str) -> str:
    """The number of the root unit of a translation into ``language`` (pure).

    >>> translation_name("en")
    'Translation (en)'
    """
    return f"Translation ({language})"


def translation_number(language: str, article: str) -> str:
    """The number of the translation of article ``article`` (pure)."""
    return stand_in_number(language, article)


def translation_articles(lines: Sequence[Line], start: int, articles: Collection[str]
                         ) -> list[tuple[int, str, str]]:
    """``(line, article number, heading)`` of each translated article from ``start`` on.

    Args:
        lines: the document's lines; ``start``: :func:`translation_start`.
        articles: the numbers of the document's own articles; a heading for any other
            number is not a unit.
    """
    out: list[tuple[int, str, str]] = []
    last: Key | None = None
    for i in range(start, len(lines)):
        m = _HEADING_RE.match(lines[i].text.strip())
        if m is None or m.group(1) not in articles:
            continue
        key = number_key(m.group(1))
        if last is not None and key <= last:
            continue
        out.append((i, m.group(1), (m.group(2) or "").strip()))
        last = key
    return out
