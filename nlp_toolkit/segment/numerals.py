"""Pure conversions of the numerals legal texts use: Chinese, Thai, Roman.

>>> chinese_to_int("三十八")
38
>>> thai_digits_to_arabic("มาตรา ๒๖")
'มาตรา 26'
>>> roman_to_int("XIV")
14
"""

from __future__ import annotations

import re

_CN_DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000}
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_LAO_DIGITS = str.maketrans("໐໑໒໓໔໕໖໗໘໙", "0123456789")
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
CHINESE_NUMERAL_CHARS = "".join(_CN_DIGITS) + "".join(_CN_UNITS) + "".join(_CN_BIG)
_ROMAN_RE = re.compile(r"^M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")


def chinese_to_int(text: str) -> int:
    """Value of a Chinese numeral such as 十, 十二, 二十, 一百零五, 三百, 一千零一.

    Arabic digits are accepted as they are (``"38"`` -> 38).

    Raises:
        ValueError: if ``text`` is empty or holds a character that is not a numeral.
    """
    s = text.strip()
    if not s:
        raise ValueError("empty numeral")
    if s.isdigit():
        return int(s.translate(_THAI_DIGITS))
    total = 0
    section = 0
    digit: int | None = None
    for ch in s:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            section += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
        elif ch in _CN_BIG:
            total += (section + (digit or 0)) * _CN_BIG[ch]
            section, digit = 0, None
        else:
            raise ValueError(f"not a Chinese numeral: {text!r} (character {ch!r})")
    return total + section + (digit or 0)


def thai_digits_to_arabic(text: str) -> str:
    """Replace Thai and Lao digits with ASCII digits, leaving everything else."""
    return text.translate(_THAI_DIGITS).translate(_LAO_DIGITS)


def is_roman(text: str) -> bool:
    """True for a well-formed upper-case Roman numeral (``"XIV"``), false for ``""``."""
    return bool(text) and bool(_ROMAN_RE.match(text))


def roman_to_int(text: str) -> int:
    """Value of a Roman numeral, upper or lower case.

    Raises:
        ValueError: if ``text`` is not a well-formed Roman numeral.
    """
    up = text.strip().upper()
    if not is_roman(up):
        raise ValueError(f"not a Roman numeral: {text!r}")
    total = 0
    for i, ch in enumerate(up):
        v = _ROMAN[ch]
        if i + 1 < len(up) and _ROMAN[up[i + 1]] > v:
            total -= v
        else:
            total += v
    return total


_WORDS = {w: i for i, w in enumerate([
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty",
])}


def english_word_to_int(text: str) -> int:
    """Value of a spelled-out number up to twenty ("Three" -> 3), as in "PART THREE".

    Raises:
        ValueError: if the word is not a number word.
    """
    key = text.strip().lower()
    if key not in _WORDS:
        raise ValueError(f"not a number word: {text!r}")
    return _WORDS[key]
