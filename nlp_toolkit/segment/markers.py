"""Sub-unit markers at a line start: ``(1)``, ``1.``, ``(a)``, ``(iv)``, ``（一）``, ``(๑)``.

>>> match_marker("(2) A person").token
'2'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlp_toolkit.segment.numerals import (
    chinese_to_int,
    is_roman,
    roman_to_int,
    thai_digits_to_arabic,
)

_SUB_RE = re.compile(
    r"^(?:\(([1-9]\d{0,2}[A-Za-z]?|[a-z]{1,4}|[A-Z])\)(?=\s|$)|([1-9]\d{0,2})\.(?=\s|$)"
    r"|（([一二三四五六七八九十]{1,3})）|([๐-๙]{1,3})\)(?=\s|$)|\(([๐-๙]{1,3})\)(?=\s|$))"
)
# Indonesian huruf "a." and Vietnamese điểm "a)", "đ)": only where the caller asks for them
_LETTERED_RE = re.compile(r"^([a-zđ])[.)](?=\s)")


@dataclass(frozen=True, slots=True)
class Marker:
    """A sub-unit marker at a line start: ``(1)``, ``1.``, ``(a)``, ``(i)``, ``（一）``."""

    token: str  # what is inside the brackets, as printed ("1", "a", "iv", "一")
    kinds: tuple[str, ...]  # possible enumeration styles, most likely first
    length: int  # characters the marker takes


def match_marker(text: str, *, lettered: bool = False) -> Marker | None:
    """Recognise a sub-unit marker at the start of ``text``.

    ``lettered``: also ``a.`` and ``a)`` (Indonesian and Vietnamese items); the letter
    ``đ`` comes after ``d``, as in the Vietnamese alphabet.

    >>> match_marker("(iv) the monitoring").kinds
    ('roman',)
    >>> match_marker("(i) if").kinds
    ('roman', 'letter')
    """
    m = _SUB_RE.match(text)
    if not m and lettered:
        lm = _LETTERED_RE.match(text)
        return Marker(lm.group(1), ("letter",), lm.end()) if lm else None
    if not m:
        return None
    rest = text[m.end() :].lstrip()
    first = rest.split(maxsplit=1)[0] if rest else ""
    if first in {"of", "to", "and", "or"} and not rest[len(first) :].strip():
        return None
    if first == "of":
        return None
    if m.group(1):
        tok = m.group(1)
        if tok[0].isdigit():
            return Marker(tok, ("paren_digit",), m.end())
        if tok.isupper():
            return Marker(tok, ("upper",), m.end())
        kinds: list[str] = []
        if is_roman(tok.upper()):
            kinds.append("roman")
        if len(tok) == 1 or (len(tok) == 2 and tok[0] == tok[1]):
            kinds.append("letter")
        return Marker(tok, tuple(kinds), m.end()) if kinds else None
    if m.group(2):
        return Marker(m.group(2), ("dot_digit",), m.end())
    if m.group(3):
        return Marker(m.group(3), ("cn",), m.end())
    tok = thai_digits_to_arabic(m.group(4) or m.group(5))
    return Marker(tok, ("paren_digit",), m.end())


def marker_value(token: str, kind: str) -> int:
    """Ordinal value of a marker token in its style (``"c"`` letter -> 3, ``"iv"`` -> 4)."""
    if kind in ("paren_digit", "dot_digit"):
        digits = "".join(ch for ch in token if ch.isdigit())
        return int(digits)
    if kind == "roman":
        return roman_to_int(token)
    if kind == "cn":
        return chinese_to_int(token)
    if kind in ("letter", "upper"):
        if token == "đ":  # Vietnamese a, b, c, d, đ, e: đ shares d's value (tree._is_next)
            return 4
        # a, b, ..., z, aa, bb, ...
        return (len(token) - 1) * 26 + ord(token[0].lower()) - 96
    raise ValueError(f"unknown marker kind {kind!r}")
