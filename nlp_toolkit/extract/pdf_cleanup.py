"""Pure clean-up of a PDF's lines across pages: running matter, footnotes, hyphenation.

Companion of :mod:`nlp_toolkit.extract.pdf_layout` (which builds each page's lines):

- :func:`find_running_lines` -- running headers, footers, page numbers and printer slugs:
  lines in the top or bottom band of a page whose row text, with digits masked, repeats on
  many pages (or that are bare page numbers).
- :func:`split_footnotes` -- small-font lines at the bottom of a page that start with a
  footnote marker.
- :func:`dehyphenate` -- words hyphenated across two lines are joined.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from nlp_toolkit.records import Line

_DIGITS_RE = re.compile(r"\d+")
_PAGE_NUMBER_RE = re.compile(
    # "30", "- 3 -", "iv", "Page 2 of 9", "12-10", "3B-1", "A-2" (chapter-page numbering)
    r"^(?:page\s*)?[-\u2013\u2014\s]*(?:(?:\d{1,3}[A-Z]{0,2}|[A-Z]{1,2})\s*[-\u2013]\s*)?"
    r"(?:\d{1,4}|[ivxlc]{1,7})(?:\s*(?:of|/)\s*\d{1,4})?[-\u2013\u2014\s]*$",
    re.IGNORECASE,
)


def running_key(text: str) -> str:
    """The text a running header is recognised by: lower case, digits masked, no spaces.

    Example:
        >>> running_key("Consumer Protection 15") == running_key("Consumer  Protection 16")
        True
    """
    return _DIGITS_RE.sub("#", re.sub(r"\s+", "", text.lower()))


def find_running_lines(
    pages: Sequence[Sequence[Line]],
    heights: Sequence[float],
    *,
    band: float = 0.12,
    min_share: float = 0.2,
    min_pages: int = 3,
) -> set[tuple[int, int]]:
    """Find running headers, footers, page numbers and printer slugs.

    A line is a candidate when it lies in the top or bottom ``band`` share of its page.
    A candidate is running matter when its :func:`running_key` occurs in the band of at
    least ``max(min_pages, min_share * pages)`` pages, or when it is a bare page number
    ("30", "12-10", "- 3 -", "Page 2 of 9", "iv"). A heading at the top of one page
    ("CHAPTER 12") occurs once, so it stays.

    Args:
        pages: Each page's lines in reading order.
        heights: Each page's height in points.

    Returns:
        ``(page index, line index)`` pairs to remove (indices into ``pages``).
    """
    candidates: list[tuple[int, int, str]] = []
    for p, (lines, height) in enumerate(zip(pages, heights, strict=True)):
        for i, ln in enumerate(lines):
            if ln.bottom <= band * height or ln.top >= (1 - band) * height:
                # key on the whole row, so a paragraph number set apart from its text
                # ("2.        Member States ...") is not mistaken for running matter
                row = " ".join(
                    o.text for o in lines if ln.top <= (o.top + o.bottom) / 2 <= ln.bottom
                )
                candidates.append((p, i, row))
    pages_per_key: dict[str, set[int]] = {}
    for p, _, row in candidates:
        pages_per_key.setdefault(running_key(row), set()).add(p)
    threshold = max(min_pages, min_share * len(pages))
    found: set[tuple[int, int]] = set()
    for p, i, row in candidates:
        if len(pages_per_key[running_key(row)]) >= threshold or _PAGE_NUMBER_RE.match(row):
            found.add((p, i))
    return found


_FOOTNOTE_MARKER_RE = re.compile(r"^(?:\d{1,3}\s+|[*\u2020\u2021]\s*)[^\W\d]")


def split_footnotes(
    lines: Sequence[Line], *, body_size: float, ratio: float = 0.9, max_lead: int = 2
) -> tuple[list[Line], list[Line]]:
    """Split a page's lines into body lines and footnote lines.

    Footnotes are the run of lines at the bottom of the page set smaller than
    ``ratio * body_size``, from the first of them that starts with a footnote marker
    (a number or ``*`` followed by a space and a word) down. The run may begin with at
    most ``max_lead`` small lines that are not notes; a longer run (a table, a legislative
    history, an arrangement of sections) holds no footnotes. Lines must be given in
    reading order with the running footer already removed.

    Returns:
        ``(body, footnotes)``.
    """
    start = len(lines)
    run_start = len(lines)
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].size >= ratio * body_size:
            break
        run_start = i
        if _FOOTNOTE_MARKER_RE.match(lines[i].text):
            start = i
    else:
        return list(lines), []  # no body text on the page: a page set small throughout
    if start - run_start > max_lead:
        return list(lines), []  # a small-print block (a table, a history) that ends in notes
    if start < len(lines) and any(ln.bottom > lines[start].top + 1 for ln in lines[:start]):
        return list(lines), []  # the small lines are not below the body text
    return list(lines[:start]), list(lines[start:])


_HYPHEN_END_RE = re.compile(r"(\w+)[-\u00ad]$")
_WORD_START_RE = re.compile(r"^([a-z\u00df-\u00ff]\w*)([,.;:)]*)(?:\s+|$)")
#: Fragments that usually begin a real compound ("cross-border"), kept hyphenated when the
#: document gives no evidence either way.
COMPOUND_PREFIXES = frozenset(
    {"non", "self", "cross", "co", "ex", "anti", "multi", "pre", "post", "sub", "inter-agency"}
)


def dehyphenate(lines: Sequence[Line], *, vocabulary: Iterable[str] | None = None) -> list[Line]:
    """Join words hyphenated across lines.

    When a line ends with ``letters-`` and the next line starts with a lower-case word,
    that word (with any trailing punctuation) moves up onto the first line, so each word
    sits whole on one line; the next line keeps the rest (it is dropped if nothing is
    left). Whether the hyphen stays is decided by evidence in the document: if the joined
    word without hyphen ("international") occurs elsewhere it is dropped; if the
    hyphenated form ("cross-border") occurs, it is kept; with no evidence it is kept for
    common compound prefixes (:data:`COMPOUND_PREFIXES`) and dropped otherwise. A soft
    hyphen (U+00AD) is always dropped. Positions of the first line are kept.

    Args:
        lines: Lines in reading order.
        vocabulary: Words of the document (lower case); computed from ``lines`` if omitted.

    Example:
        >>> out = dehyphenate([Line("inter-"), Line("national trade")])
        >>> [ln.text for ln in out]
        ['international', 'trade']
    """
    if vocabulary is None:
        vocabulary = (w for ln in lines for w in re.findall(r"\w+(?:-\w+)*", ln.text.lower()))
    words = set(vocabulary)
    out = list(lines)
    i = 0
    while i < len(out) - 1:
        head = _HYPHEN_END_RE.search(out[i].text)
        tail = _WORD_START_RE.match(out[i + 1].text)
        if head and tail:
            fragment, rest = head.group(1), tail.group(1)
            joined = (fragment + rest).lower()
            soft = out[i].text.endswith("\u00ad")
            if soft or joined in words:
                keep = False
            elif f"{fragment}-{rest}".lower() in words:
                keep = True
            else:
                keep = fragment.lower() in COMPOUND_PREFIXES
            stem = out[i].text[:-1] + ("-" if keep else "")
            out[i] = replace(out[i], text=stem + rest + tail.group(2))
            remainder = out[i + 1].text[tail.end() :].strip()
            if remainder:
                out[i + 1] = replace(out[i + 1], text=remainder)
            else:
                del out[i + 1]
                continue
        i += 1
    return out
