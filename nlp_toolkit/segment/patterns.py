"""Per-convention recognisers: does a line *look like* the start of a unit?

Each function here looks at one line only and answers with a candidate (or ``None``);
whether a candidate really starts a unit is decided later from the sequence of numbers
(``numbering.py``), the containers' agreement with it (``containers.py``) and the
document context (``toc.py``, ``__init__.py``). Sub-unit markers are in ``markers.py``.
No regex here has nested quantifiers, so every match is linear in the line length.

>>> match_article("Article 12.15: Cross-border Transfer").number
'12.15'
>>> match_article("第三十八条 个人信息处理者").number
'38'
>>> match_article("Section 6 and section 8 shall be applied") is None
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlp_toolkit.segment.numerals import (
    CHINESE_NUMERAL_CHARS,
    chinese_to_int,
    english_word_to_int,
    is_roman,
    roman_to_int,
    thai_digits_to_arabic,
)

_CN = f"[{CHINESE_NUMERAL_CHARS}0-9]"
_DASH = "\u2014\u2013\u2012-"

#: Words after a number that show a cross-reference or a wrapped line, not a heading.
_XREF_WORDS = frozenset(
    [
        "of",
        "and",
        "or",
        "to",
        "in",
        "under",
        "with",
        "by",
        "for",
        "from",
        "as",
        "is",
        "are",
        "be",
        "shall",
        "may",
        "that",
        "which",
        "the",
        "a",
        "an",
        "applies",
        "apply",
        "has",
        "have",
        "was",
        "were",
    ]
)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A line that may start a numbered top-level unit (article/section) or a container.

    ``family`` names the convention ("article", "section", "cw" for Commonwealth
    ``26.``, "cn", "th", ...); ``number`` is normalised; ``rest`` is the text after the
    number on the same line; ``rest_offset`` its offset in the line.
    """

    family: str
    level: str
    number: str
    rest: str
    rest_offset: int
    end_number: str = ""  # for a range "27. to 32. [Repealed]"


#: A unit's whole content when the law deleted or repealed it: "[Repealed by Act 40 of
#: 2020]", "[Deleted by Act 19 of 2024 wef 31/10/2025]", "(Deleted by Act A1381)."
GONE_NOTE_RE = re.compile(r"^\s*[\[(]\s*(?:deleted|repealed)\b[^\[\]()]{0,80}[\])]\s*\.?\s*$",
                          re.IGNORECASE)

_ARTICLE_RE = re.compile(
    r"^(?:Article|ARTICLE|Art\.|Điều|Pasal|PASAL)\s+(\d{1,4}(?:\.\d{1,3})?[A-Za-z]{0,3})"
    r"(?![\d(.]\d|\()\s*[:.]?\s*"
)
_SECTION_RE = re.compile(
    r"^(?:Section|SECTION|Sec\.|SEC\.)\s+(\d{1,4}[A-Za-z]{0,3})(?![\d(])\s*[:.]?\s*"
)
# the rest of a repealed range after its first section's number: "to 32. [Repealed]"
_RANGE_END_RE = re.compile(rf"^(?:to|[{_DASH}])\s*([1-9]\d{{0,3}}[A-Za-z]{{0,3}})\.?\s*(?=\[)")
_CN_ART_RE = re.compile(rf"^第({_CN}{{1,8}})条(?:之({_CN}{{1,3}}))?\s*")
_TH_ART_RE = re.compile(r"^มาตรา\s*([๐-๙0-9]{1,4}(?:/[๐-๙0-9]{1,3})?)\s*")
_CW_RE = re.compile(rf"^([1-9]\d{{0,3}}[A-Za-z]{{0,3}})\.(?:\s*[{_DASH}]\s*|\s+|$)")
_RANGE_RE = re.compile(
    rf"^([1-9]\d{{0,3}}[A-Za-z]{{0,3}})\.?\s*(?:to|[{_DASH}])\s*([1-9]\d{{0,3}}[A-Za-z]{{0,3}})\.?\s*"
    r"(?=\[)"
)


def _heading_ok(rest: str) -> bool:
    """True when the text after a number can begin a heading or a body, not a cross-ref."""
    if not rest:
        return True
    first = rest.split(maxsplit=1)[0].strip(",;:")
    if first in _XREF_WORDS:
        return False
    ch = rest[0]
    return not (ch.islower() and ch.isascii())


def _upper_suffix(num: str) -> str:
    head = num.rstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    return head + num[len(head) :].upper()


def match_article(text: str) -> Candidate | None:
    """Recognise an article/section head at the start of ``text`` (already stripped).

    Returns ``None`` for cross-references such as "Article 6(1)", "Section 6 and ...".
    """
    m = _ARTICLE_RE.match(text)
    if m:
        rest = text[m.end() :]
        if not _heading_ok(rest):
            return None
        return Candidate("article", "article", _upper_suffix(m.group(1)), rest, m.end())
    m = _SECTION_RE.match(text)
    if m:
        rest = text[m.end() :]
        gone = _RANGE_END_RE.match(rest)  # "Section 27. to 32. [Repealed]"
        if gone:
            return Candidate("section", "section", _upper_suffix(m.group(1)),
                             rest[gone.end():], m.end() + gone.end(),
                             _upper_suffix(gone.group(1)))
        if not _heading_ok(rest):
            return None
        return Candidate("section", "section", _upper_suffix(m.group(1)), rest, m.end())
    m = _CN_ART_RE.match(text)
    if m:
        try:
            num = str(chinese_to_int(m.group(1)))
            if m.group(2):
                num += f"-{chinese_to_int(m.group(2))}"
        except ValueError:
            return None
        return Candidate("cn", "article", num, text[m.end() :], m.end())
    m = _TH_ART_RE.match(text)
    if m:
        return Candidate(
            "th", "section", thai_digits_to_arabic(m.group(1)), text[m.end() :], m.end()
        )
    m = _RANGE_RE.match(text)
    if m:
        return Candidate(
            "cw",
            "section",
            _upper_suffix(m.group(1)),
            text[m.end() :],
            m.end(),
            _upper_suffix(m.group(2)),
        )
    m = _CW_RE.match(text)
    if m:
        rest = text[m.end() :]
        if not _heading_ok(rest) or (rest[:1].isdigit() and not rest.startswith("(")):
            return None
        return Candidate("cw", "section", _upper_suffix(m.group(1)), rest, m.end())
    return None


# Philippine run-in heading: "Short Title. – This Act ...", the dash sometimes already
# replaced by U+FFFD in the source page
_RUN_IN_RE = re.compile(rf"^([A-Z][^.;:\n]{{1,120}}?)\s*(\.?)\s*[{_DASH}\ufffd]\s*")


def run_in_heading(rest: str) -> tuple[str, int] | None:
    """A heading run into its section's first sentence: ``(heading, body offset)``.

    >>> run_in_heading("Short Title. \u2013 This Act shall be known as the Example Act.")
    ('Short Title', 15)
    >>> run_in_heading("The Commission shall act. It may delegate.") is None
    True
    >>> run_in_heading("Separability Clause \u2013 If any part is void ...")
    ('Separability Clause', 22)
    >>> run_in_heading("The fine \u2013 if any \u2013 is paid.") is None
    True
    """
    m = _RUN_IN_RE.match(rest)
    if m is None:
        return None
    heading = m.group(1).strip()
    if not m.group(2) and not all(w[0].isupper() for w in heading.split() if len(w) > 3):
        return None  # without its full stop only a title-case heading: "Separability Clause"
    return heading, m.end()


# ---- containers -----------------------------------------------------------------------

_NUM_WORD = (
    r"(?:ONE|TWO|THREE|FOUR|FIVE|SIX|SEVEN|EIGHT|NINE|TEN|ELEVEN|TWELVE|THIRTEEN|FOURTEEN|"
    r"FIFTEEN|SIXTEEN|SEVENTEEN|EIGHTEEN|NINETEEN|TWENTY)"
)
_CONTAINER_RE = re.compile(
    rf"^(PART|Part|CHAPTER|Chapter|RULE|Rule|BAB|Bab|Chương|CHƯƠNG|หมวด)\s+"
    rf"([IVXLC]{{1,7}}[A-Za-z]?|[1-9]\d{{0,2}}[A-Za-z]?|{_NUM_WORD}|[๐-๙]{{1,3}})(?![\w(]|\.\d)"
    rf"\s*([.:{_DASH}]?)\s*"
)
_DIVISION_RE = re.compile(
    rf"^(DIVISION|Division)\s+([1-9]\d?[A-Za-z]?|[IVX]{{1,5}})(?![\w(]|\.\d)\s*([.:{_DASH}]?)\s*"
)
_TREATY_SECTION_RE = re.compile(
    r"^SECTION\s+([A-Z]|[1-9]\d?)(?![\w(]|\.\d)\s*[.:\u2014\u2013-]?\s*"
)
# sub-chapters of Vietnamese (Mục 1) and Indonesian laws (Bagian Kesatu: an ordinal word)
_VN_SECTION_RE = re.compile(r"^(Mục|MỤC)\s+([1-9]\d?|[IVX]{1,5})(?![\w(]|\.\d)\s*[.:\-–]?\s*")
_ID_SECTION_RE = re.compile(r"^Bagian\s+(Ke[a-z]+(?:\s+(?:Belas|Puluh))?)\s*$")
_ID_ORDINALS = {w: k for k, w in enumerate(
    ["satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan",
     "sepuluh", "sebelas"], start=1)}
_CN_CONTAINER_RE = re.compile(rf"^第({_CN}{{1,5}})([编章节])(?:\s+|$)")
# PDF text layers often split the Thai vowel and tone mark of ที่ with spaces ("ส่วนท ี่ ๑")
_TH_PART_RE = re.compile(r"^ส่วนท\s?ี\s?่\s*([๐-๙0-9]{1,3})(?![๐-๙0-9])\s*")
# starts only where a run starts, runs possessive: linear on 100k dots (test_hostile.py)
_LEADER_TAIL_RE = re.compile(r"(?<![.\s])\s*+(?:\.\s?){4,}+$|(?<![…\s])\s*+…{2,}+$")
_CONTAINER_LEVEL = {
    "part": "part",
    "chapter": "chapter",
    "rule": "chapter",  # implementing rules (Philippine IRR): RULE I, RULE II
    "bab": "chapter",
    "chương": "chapter",
    "หมวด": "chapter",
}
_CN_LEVEL = {"编": "part", "章": "chapter", "节": "section"}


def _container_number(token: str) -> int | None:
    token = thai_digits_to_arabic(token)
    if token.isdigit():
        return int(token)
    if token[:-1].isdigit():
        return int(token[:-1])
    if is_roman(token):
        return roman_to_int(token)
    if len(token) > 1 and is_roman(token[:-1]) and token[-1].islower():
        return roman_to_int(token[:-1])
    try:
        return english_word_to_int(token)
    except ValueError:
        return None


def _indonesian_ordinal(word: str) -> int | None:
    """``Kesatu`` -> 1, ``Kedua`` -> 2, ``Kedua Belas`` -> 12 (Bagian numbering)."""
    parts = word.lower().split()
    base = _ID_ORDINALS.get(parts[0].removeprefix("ke"))
    if base is None or len(parts) > 2:
        return None
    if len(parts) == 2:
        return base + 10 if parts[1] == "belas" else base * 10
    return base


def _dashed(separator: str, rest: str) -> bool:
    return bool(separator) and separator in _DASH and rest[:1].isupper()


@dataclass(frozen=True, slots=True)
class ContainerMatch:
    """A line that may be a part/chapter/sub-chapter heading."""

    level: str  # "part" | "chapter" | "section" (a sub-chapter: Section A, Division 1, 第一节)
    value: int  # numeric value for sequence checks
    label: str  # "Part 3", "Chapter 12", "Section A", "Division 1"
    rest: str
    shouting: bool  # keyword in capitals (PART, CHAPTER): a strong sign of a heading
    dashed: bool = False  # "Division 1 — Consent": a dash before a title, a sign of a heading
    numbered_section: bool = False  # "SECTION 2": a sub-chapter only where articles are Articles

    @property
    def seq(self) -> int:
        """Sort key within a level: Part 3 < Part 3A < Part 4."""
        suffix = self.label[-1] if self.label[-1].isalpha() else ""
        return self.value * 100 + (ord(suffix) - 64 if suffix else 0)


def match_container(text: str) -> ContainerMatch | None:
    """Recognise "PART 3", "CHAPTER XII", "Bab II", "第二章 总则", "SECTION A", "หมวด ๑",
    "Mục 2", "Bagian Kedua".

    >>> match_container("PART III").label
    'Part 3'
    >>> match_container("Division 2 — Purpose").label
    'Division 2'
    >>> match_container("SECTION F.........................").label
    'Section F'
    """
    text = _LEADER_TAIL_RE.sub("", text)
    m = _CN_CONTAINER_RE.match(text)
    if m:
        try:
            value = chinese_to_int(m.group(1))
        except ValueError:
            return None
        level = _CN_LEVEL[m.group(2)]
        label = {"part": "Part", "chapter": "Chapter", "section": "Section"}[level]
        return ContainerMatch(level, value, f"{label} {value}", text[m.end() :].strip(), True)
    m = _CONTAINER_RE.match(text)
    if m:
        num = _container_number(m.group(2))
        if num is None:
            return None
        level = _CONTAINER_LEVEL[m.group(1).lower()]
        label = "Part" if level == "part" else "Chapter"
        if m.group(1).lower() == "rule":
            label = "Rule"
        token = m.group(2)
        suffix = ""
        if len(token) > 1 and (token[:-1].isdigit() or token[-1].islower()) and token[-1].isalpha():
            suffix = token[-1].upper()
        kw = m.group(1)
        rest = text[m.end() :].strip()
        return ContainerMatch(
            level,
            num,
            f"{label} {num}{suffix}",
            rest,
            kw.isupper() or not kw.isascii(),
            _dashed(m.group(3), rest),
        )
    m = _DIVISION_RE.match(text)
    if m:
        num = _container_number(m.group(2))
        if num is None:
            return None
        token = m.group(2)
        suffix = token[-1].upper() if token[:-1].isdigit() and token[-1].isalpha() else ""
        rest = text[m.end() :].strip()
        return ContainerMatch(
            "section",
            num,
            f"Division {num}{suffix}",
            rest,
            m.group(1).isupper(),
            _dashed(m.group(3), rest),
        )
    m = _TREATY_SECTION_RE.match(text)
    if m:
        tok = m.group(1)
        value = int(tok) if tok.isdigit() else ord(tok) - 64
        rest = text[m.end() :].strip()
        return ContainerMatch("section", value, f"Section {tok}", rest, True, False, tok.isdigit())
    m = _VN_SECTION_RE.match(text)
    if m:
        num = _container_number(m.group(2))
        if num is not None:
            return ContainerMatch("section", num, f"Section {num}", text[m.end():].strip(), True)
    m = _ID_SECTION_RE.match(text)
    if m:
        ordinal = _indonesian_ordinal(m.group(1))
        if ordinal is not None:
            return ContainerMatch("section", ordinal, f"Section {ordinal}", "", True)
    m = _TH_PART_RE.match(text)
    if m:
        value = int(thai_digits_to_arabic(m.group(1)))
        # ส่วน sits inside หมวด (chapter): the English translations call it a Part
        return ContainerMatch("part", value, f"Part {value}", text[m.end() :].strip(), True)
    return None


# ---- schedules and annexes --------------------------------------------------------------

_ORDINALS = [
    "FIRST",
    "SECOND",
    "THIRD",
    "FOURTH",
    "FIFTH",
    "SIXTH",
    "SEVENTH",
    "EIGHTH",
    "NINTH",
    "TENTH",
    "ELEVENTH",
    "TWELFTH",
    "THIRTEENTH",
    "FOURTEENTH",
    "FIFTEENTH",
    "SIXTEENTH",
]
_ORD_ALT = "|".join(_ORDINALS)
_SCHEDULE_RE = re.compile(
    rf"^(?:THE\s+)?(?:({_ORD_ALT})\s+)?(SCHEDULE|JADUAL)(?:\s+([1-9]\d?|[IVX]{{1,5}}))?\s*$",
    re.IGNORECASE,
)
_ANNEX_RE = re.compile(r"^(ANNEX|Annex|APPENDIX|Appendix)\s+([1-9]\d?[A-Z]?|[IVX]{1,5}|[A-Z])\s*$")
# back matter of a Malaysian reprint: amendment tables after the last section, not law
_BACK_MATTER_RE = re.compile(r"^LIST OF (AMENDMENTS|SECTIONS AMENDED|REGULATIONS AMENDED)\s*$")


def match_schedule(text: str) -> tuple[str, str] | None:
    """Recognise a standalone schedule/annex heading line; return ``(level, number)``.

    >>> match_schedule("FIRST SCHEDULE")
    ('schedule', 'Schedule 1')
    >>> match_schedule("FIRST SCHEDULE — continued") is None
    True

    A reprint's back matter ("LIST OF AMENDMENTS") is a schedule of its own, so that it
    does not run on as the text of the last section:

    >>> match_schedule("LIST OF SECTIONS AMENDED")
    ('schedule', 'List of Sections Amended')
    """
    m = _BACK_MATTER_RE.match(text)
    if m:
        return "schedule", "List of " + m.group(1).title()
    m = _SCHEDULE_RE.match(text)
    if m and (text.isupper() or m.group(1)):
        if m.group(1):
            return "schedule", f"Schedule {_ORDINALS.index(m.group(1).upper()) + 1}"
        if m.group(3):
            tok = m.group(3)
            return "schedule", f"Schedule {roman_to_int(tok) if is_roman(tok) else tok}"
        return "schedule", "Schedule"
    m = _ANNEX_RE.match(text)
    if m:
        kind = "Annex" if m.group(1).lower() == "annex" else "Appendix"
        return "annex", f"{kind} {m.group(2)}"
    return None
