"""Units that stand for an article of their own document: elucidations and translations.

Two kinds of unit restate an article rather than being one, and are printed far from it
(after the law's text), so they cannot be its children:

- an Indonesian law's elucidation of ``Pasal 5``: ``DOC:Penjelasan 5`` (``elucidation.py``);
- a translation printed with the law, its rendering of ``Điều 26``: ``DOC:en 26``
  (``translation.py``; the prefix is the translation's ISO 639-1 language).

An amending law's elucidation explains the articles its ``Pasal I`` quotes as rewritten
(``Penjelasan 26`` of the ITE amendment explains the new article 26); the amending law has
no article 26 of its own, so that elucidation stands for ``DOC:I`` (:func:`article_refs`).

Each is numbered ``PREFIX N``, N the article's own number, and stands for ``DOC:N``: this
module is the one place that reads that rule. Neither is a main unit (``units.py``), so
articles are counted, scored, diffed and exported once; both are retrieval units, so a
question in the translation's language (or the elucidation's wording) can find them, and a
reader that reports articles maps them with :func:`stood_for_ref` (a hit on ``DOC:en 26``
is a hit on article 26), or for a whole index with
:func:`nlp_toolkit.store.queries.article_ids`.

>>> stood_for_ref("idn-ite-law-2008:Penjelasan 5")
'idn-ite-law-2008:5'
>>> stood_for_ref("vnm-cybersecurity-law-2018:en 26")
'vnm-cybersecurity-law-2018:26'
>>> stood_for_ref("vnm-cybersecurity-law-2018:26") is None
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["STAND_IN_LEVELS", "article_refs", "stand_in_number", "stood_for_number",
           "stood_for_ref"]

#: Levels of the units that stand for an article of their document.
STAND_IN_LEVELS = frozenset({"elucidation", "translation"})
#: ``Penjelasan N`` (an elucidation) or ``LL N`` (a translation into language LL).
_NUMBER_RE = re.compile(r"^(?:Penjelasan|[a-z]{2}) (\S+)$")


def stand_in_number(prefix: str, article_number: str) -> str:
    """The number of the unit that stands for article ``article_number`` (pure).

    >>> stand_in_number("en", "26")
    'en 26'
    """
    return f"{prefix} {article_number}"


def stood_for_number(number: str) -> str | None:
    """The number of the article a stand-in unit's ``number`` stands for; ``None`` for
    other numbers (pure).

    >>> stood_for_number("Penjelasan 56"), stood_for_number("56"), stood_for_number("(1)")
    ('56', None, None)
    """
    m = _NUMBER_RE.match(number)
    return m.group(1) if m else None


def stood_for_ref(ref: str) -> str | None:
    """The ref of the article a stand-in unit (``DOC:Penjelasan 5``, ``DOC:en 26``) stands
    for; ``None`` for other refs, sub-units included (pure)."""
    doc_id, sep, number = ref.partition(":")
    article = stood_for_number(number) if sep else None
    return None if article is None else f"{doc_id}:{article}"


def article_refs(units: Iterable[tuple[str, str | None, bool]]) -> dict[str, str]:
    """For each unit that is or stands for an article, the ref of that article (pure).

    Args:
        units: ``(ref, parent_ref, main)`` of every unit of one or more documents, parents
            before their children (``main``: the main-unit flag, ``units.py``).

    Returns:
        ``ref -> article ref``: a main unit maps to itself; a sub-unit (a paragraph, an
        item) to the main unit it lies in; a stand-in (``DOC:en 26``) to its article when
        the document has that article, else, in an amending law (its articles numbered
        ``I``, ``II``: an Indonesian *Undang-Undang Perubahan*), to ``DOC:I``, the article
        that quotes the amended articles its elucidation explains (``Penjelasan 26`` of the
        ITE amendment explains article 26 as Pasal I rewrites it). Units that stand for no
        article (chapters, the preamble, the ``Penjelasan`` root, another stand-in whose
        article is missing) are absent.

    >>> article_refs([("d:1", None, False), ("d:26", "d:1", True), ("d:26(1)", "d:26", False),
    ...               ("d:en", None, False), ("d:en 26", "d:en", False),
    ...               ("d:en 44", "d:en", False)])
    {'d:26': 'd:26', 'd:26(1)': 'd:26', 'd:en 26': 'd:26'}
    >>> article_refs([("a:I", None, True), ("a:II", None, True),  # an amending law
    ...               ("a:Penjelasan", None, False), ("a:Penjelasan 26", "a:Penjelasan", False)])
    {'a:I': 'a:I', 'a:II': 'a:II', 'a:Penjelasan 26': 'a:I'}
    """
    out: dict[str, str] = {}
    stand_ins: list[tuple[str, str]] = []
    arabic: set[str] = set()  # documents with an article numbered in digits
    for ref, parent, main in units:
        if main:
            out[ref] = ref
            doc_id, _, number = ref.partition(":")
            if number[:1].isdigit():
                arabic.add(doc_id)
        elif (article := stood_for_ref(ref)) is not None:
            stand_ins.append((ref, article))
        elif parent is not None and parent in out:
            out[ref] = out[parent]
    for ref, article in stand_ins:
        if out.get(article) == article:
            out[ref] = article
        elif ((doc_id := article.partition(":")[0]) not in arabic
              and out.get(amending := f"{doc_id}:I") == amending):
            out[ref] = amending
    return out
