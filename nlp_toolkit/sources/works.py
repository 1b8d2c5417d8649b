"""Works and expressions: which documents are versions or translations of one law (pure).

A law (the *work*) has versions (as enacted, reprints, revised editions) and language
expressions; the manifest may name them in the optional ``work`` and ``version_date``
columns. Where it is silent they are inferred from the ``doc_id`` convention of
``corpus/manifest.csv``: a version or language suffix (``-as-enacted``, ``-reprint-2023``,
``-en``, ``-th``) follows the work's id, and the version date is the reprint's year, else the
document's year.

An amending act (``mys-pdpa-amendment-2024``) is a work of its own: it is not an expression
of the act it amends, and its sections are not that act's sections.

>>> infer_work("mys-pdpa-2010-reprint-2023"), infer_work("tha-pdpa-2019-th")
('mys-pdpa-2010', 'tha-pdpa-2019')
>>> infer_version_date("mys-pdpa-2010-reprint-2023", 2023, "")
'2023'
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["LANGUAGE_SUFFIXES", "infer_version_date", "infer_work", "standing_documents"]

#: Language suffixes a doc_id may end with (ISO 639-1 of the corpus's languages).
LANGUAGE_SUFFIXES = frozenset({"en", "th", "zh", "id", "vi", "ms", "lo", "km", "my", "fil",
                               "es", "fr"})
_VERSION = re.compile(
    r"-(?:as-enacted|original|consolidated|current|(?:reprint|revised|rev|amended|"
    r"consolidated|version|as-at)(?:-\d{4}(?:-\d{2}){0,2})?)$")
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")


def infer_work(doc_id: str) -> str:
    """The work a document expresses: ``doc_id`` without version and language suffixes."""
    work = doc_id
    while True:
        stem, _, last = work.rpartition("-")
        if stem and last in LANGUAGE_SUFFIXES:
            work = stem
            continue
        cut = _VERSION.sub("", work)
        if cut != work and cut:
            work = cut
            continue
        return work


def infer_version_date(doc_id: str, year: int | None, title: str) -> str:
    """The version's date as ``YYYY`` (sortable; a manifest may give ``YYYY-MM-DD``).

    A reprint or revised edition's own year (in the doc_id, else the latest year in the
    title: "reprint as at 1 July 2023", "2020 Revised Edition") beats the year of enactment.
    """
    m = re.search(r"-(?:reprint|revised|rev|amended|version|as-at)-(\d{4})", doc_id)
    if m:
        return m.group(1)
    years = [int(y) for y in _YEAR.findall(title)]
    best = max([*years, *([year] if year else [])], default=None)
    return "" if best is None else str(best)


def standing_documents(docs: Mapping[str, tuple[str, str, str]], *, language: str = "en"
                       ) -> set[str]:
    """The one document that stands for each work: its latest version, in ``language``
    where that version has an expression in it, else its first by doc_id.

    Counting every document would count a law once per version and translation (the
    Malaysian PDPA as enacted and its reprint, the Thai PDPA in English and in Thai).

    Args:
        docs: ``doc_id -> (work, version_date, language)``; an empty work is the doc_id.
        language: the preferred language of the standing expression.

    >>> sorted(standing_documents({
    ...     "mys-pdpa-2010-as-enacted": ("mys-pdpa-2010", "2010", "en"),
    ...     "mys-pdpa-2010-reprint-2023": ("mys-pdpa-2010", "2023", "en"),
    ...     "tha-pdpa-2019-th": ("tha-pdpa-2019", "2019", "th"),
    ...     "tha-pdpa-2019-en": ("tha-pdpa-2019", "2019", "en"),
    ...     "chn-pipl-2021": ("", "2021", "zh")}))
    ['chn-pipl-2021', 'mys-pdpa-2010-reprint-2023', 'tha-pdpa-2019-en']
    """
    works: dict[str, list[str]] = {}
    for doc_id, (work, _, _) in docs.items():
        works.setdefault(work or doc_id, []).append(doc_id)
    out: set[str] = set()
    for members in works.values():
        latest = max(docs[d][1] for d in members)
        out.add(min((d for d in members if docs[d][1] == latest),
                    key=lambda d: (docs[d][2] != language, d)))
    return out
