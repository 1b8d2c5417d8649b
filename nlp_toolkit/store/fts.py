"""Pure text folding for the full-text index, and safe FTS5 queries from user text.

SQLite's ``unicode61`` tokenizer splits on spaces and punctuation, which Chinese, Japanese,
Thai and Lao text lacks: a whole sentence would be one token. :func:`fold` puts a space
around every character (with its combining marks) of those scripts, so each becomes a
token, and :func:`match_query` folds the query the same way and quotes it as a phrase:
``个人信息`` finds the four characters in a row, and one- or two-character queries work.

Latin-script languages need no splitting: ``unicode61`` with ``remove_diacritics 2`` reads
Vietnamese syllables (``dữ liệu`` -> ``du``, ``lieu``) and Indonesian words as tokens and
drops their tone marks, so a query typed with or without them matches. Only Vietnamese
``đ``, a letter of its own rather than ``d`` with a mark, survives that folding: :func:`fold`
writes it ``d``, so ``Dieu`` finds ``Điều``.

>>> fold("第三十八条 personal data")
' 第  三  十  八  条  personal data'
>>> fold("Điều 26. Bảo vệ dữ liệu")
'Diều 26. Bảo vệ dữ liệu'
>>> match_query('个人 data')
'" 个  人 " OR "data"'
"""

from __future__ import annotations

import unicodedata
from typing import Literal

from nlp_toolkit.extract.scripts import FTS_CHARACTER_RE

_SPLIT = FTS_CHARACTER_RE
#: Letters that ``remove_diacritics`` keeps but speakers type without their stroke.
_LETTERS = str.maketrans({"đ": "d", "Đ": "D"})
_MAX_TERMS = 64


def fold(text: str) -> str:
    """Text as the index sees it: NFC, one token per CJK/Thai/Lao character, Vietnamese
    ``đ`` as ``d`` (pure)."""
    text = unicodedata.normalize("NFC", text).translate(_LETTERS)
    return _SPLIT.sub(lambda m: f" {m.group(0)} ", text)


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
