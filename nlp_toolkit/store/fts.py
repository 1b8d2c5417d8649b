"""Pure text folding for the full-text index, and safe FTS5 queries from user text.

SQLite's ``unicode61`` tokenizer splits on spaces and punctuation, which Chinese, Japanese,
Thai and Lao text lacks: a whole sentence would be one token. :func:`fold` puts a space
around every character (with its combining marks) of those scripts, so each becomes a
token, and :func:`match_query` folds the query the same way and quotes it as a phrase:
``个人信息`` finds the four characters in a row, and one- or two-character queries work.

>>> fold("第三十八条 personal data")
' 第  三  十  八  条  personal data'
>>> match_query('个人 data')
'" 个  人 " OR "data"'
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Literal

from nlp_toolkit.extract.scripts import FTS_CHARACTER_RE
from nlp_toolkit.records import SUB_LEVELS, Provision

_SPLIT = FTS_CHARACTER_RE
_MAX_TERMS = 64


def fold(text: str) -> str:
    """Text as the index sees it: NFC, one token per CJK/Thai/Lao character (pure)."""
    return _SPLIT.sub(lambda m: f" {m.group(0)} ", unicodedata.normalize("NFC", text))


def match_query(query: str, *, mode: Literal["or", "and"] = "or") -> str:
    """An FTS5 MATCH expression for free text: every word a quoted phrase (pure).

    No FTS5 syntax from the user survives (quotes are doubled), so any text is a valid
    query. Words are joined by ``OR`` (ranked by BM25) or ``AND``.

    Raises:
        ValueError: The query has no searchable characters.
    """
    terms = [t for t in query.split() if any(ch.isalnum() for ch in t)][:_MAX_TERMS]
    if not terms:
        raise ValueError(f"query {query!r} has no letters or digits to search for")
    phrases = ['"' + fold(t).replace('"', '""') + '"' for t in terms]
    return (" OR " if mode == "or" else " AND ").join(phrases)


def retrieval_units(provisions: Sequence[Provision]) -> list[bool]:
    """Which provisions the full-text index holds: each character of a document once.

    A provision's text covers its descendants, so indexing every level would index a
    chapter's words again in each article and paragraph. Indexed are the provisions that
    contain no unit above paragraph level (not a chapter or a 第一节 section of articles)
    and that are not inside an indexed unit (so an article's paragraphs and items are
    not) (pure).
    """
    index = {p.ref: i for i, p in enumerate(provisions)}
    container = [False] * len(provisions)
    for p in provisions:
        if p.parent_ref in index and p.level not in SUB_LEVELS:
            container[index[p.parent_ref]] = True
    indexed = [False] * len(provisions)
    covered = [False] * len(provisions)  # indexed, or inside an indexed unit
    for i, p in enumerate(provisions):  # parents come before their children
        parent = index.get(p.parent_ref) if p.parent_ref is not None else None
        inside = parent is not None and covered[parent]
        indexed[i] = not container[i] and not inside
        covered[i] = indexed[i] or inside
    return indexed
