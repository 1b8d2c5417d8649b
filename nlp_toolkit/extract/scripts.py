"""Unicode script ranges, in one place: the characters of scripts written without spaces.

Chinese, Japanese, Thai and Lao put no spaces between words, so every step that cuts text
into tokens treats their characters specially: joining wrapped lines (no space next to an
ideograph), the full-text index (one token per character), snippets and query terms, the
version diff (one token per character) and query expansion (is this query Chinese?).
Each of those builds its character class from the ranges here.

>>> bool(UNSPACED_RE.search("第三十八条")), bool(UNSPACED_RE.search("Section 26"))
(True, False)
>>> has_han("个人信息"), has_han("ข้อมูล")
(True, False)
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "CJK_JOIN_RE", "CJK_PUNCTUATION", "FTS_CHARACTER_RE", "FULLWIDTH", "HAN", "HAN_RE",
    "HAN_SUPPLEMENTARY", "KANA", "LAO", "RADICALS", "THAI", "UNSPACED_RE", "has_han",
]

#: Han ideographs in the Basic Multilingual Plane: extension A, unified, compatibility.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
#: Han ideographs beyond the Basic Multilingual Plane (extensions B to H).
HAN_SUPPLEMENTARY = "\U00020000-\U0003134f"
#: CJK and Kangxi radicals, ideographic description characters.
RADICALS = "\u2e80-\u2fff"
#: CJK symbols and punctuation (ideographic space, 。、「」, iteration marks).
CJK_PUNCTUATION = "\u3000-\u303f"
#: Hiragana and katakana.
KANA = "\u3040-\u30ff"
#: Bopomofo and its extension.
BOPOMOFO = "\u3100-\u312f\u31a0-\u31ff"
#: Half-width and full-width forms (full-width digits, brackets, commas).
FULLWIDTH = "\uff00-\uffef"
#: The Thai block.
THAI = "\u0e00-\u0e7f"
#: The Lao block.
LAO = "\u0e80-\u0eff"

#: One Han ideograph.
HAN_RE = re.compile(f"[{HAN}]")
#: A character of a script written without spaces between words (Thai, Lao, kana, Han).
UNSPACED_RE = re.compile(f"[{THAI}{LAO}{KANA}{HAN}]")
#: A character joined to its neighbour without a space when wrapped lines are joined:
#: ideographs, kana, radicals, CJK and full-width punctuation.
CJK_JOIN_RE = re.compile(f"[{RADICALS}{CJK_PUNCTUATION}{KANA}{HAN}{FULLWIDTH}]")


def _fts_character_re() -> re.Pattern[str]:
    # Thai and Lao combining marks (vowel signs, tone marks) stay with their base character.
    marks = "".join(
        chr(c) for c in range(0x0E00, 0x0F00) if unicodedata.category(chr(c)).startswith("M")
    )
    # radicals without the ideographic description characters; iteration marks 々〆〇 and
    # Hangzhou numerals, not the rest of the CJK punctuation block
    ideographic = (
        f"\u2e80-\u2fdf\u3005-\u3007\u3021-\u3029{KANA}{BOPOMOFO}{HAN}{HAN_SUPPLEMENTARY}"
    )
    return re.compile(f"[{ideographic}]|[{THAI}{LAO}][{re.escape(marks)}]*")


#: What the full-text index makes one token of: an ideograph or kana, or a Thai/Lao
#: character with its combining marks.
FTS_CHARACTER_RE = _fts_character_re()


def has_han(text: str) -> bool:
    """Whether ``text`` holds a Han ideograph (a Chinese query)."""
    return HAN_RE.search(text) is not None
