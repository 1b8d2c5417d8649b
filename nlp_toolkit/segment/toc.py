"""Find the arrangement of sections / table of contents, so it yields no provisions.

Two signs, either is enough:

- a heading such as "ARRANGEMENT OF SECTIONS", "TABLE OF CONTENTS", "目录", "สารบัญ":
  the list runs from there until the numbering restarts (the body's first section),
  less the part/chapter heading and bold section heading just above that restart;
- a dense run of lines that end in dot leaders or page numbers.

>>> from nlp_toolkit.records import Line
>>> lines = [Line("CONTENTS"), Line("1. Short title"), Line("2. Interpretation"),
...          Line("1. This Act is the Example Act."), Line("2. In this Act —")]
>>> sorted(toc_lines(lines))
[0, 1, 2]
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from nlp_toolkit.records import Line
from nlp_toolkit.segment.numbering import number_key
from nlp_toolkit.segment.patterns import match_article, match_container

_TRIGGER_RE = re.compile(
    r"^(?:ARRANGEMENT\s+OF\s+(?:SECTIONS|ARTICLES|CLAUSES|PROVISIONS|REGULATIONS)"
    r"|Arrangement\s+of\s+Sections|TABLE\s+OF\s+CONTENTS|Table\s+of\s+Contents|CONTENTS|Contents"
    r"|SUSUNAN\s+SEKSYEN|目\s*录|สารบัญ)\s*$"
)
# a match starts only where a run of dots starts (lookbehinds, possessive runs): linear on
# a line of 100k dots, not quadratic (tests/test_hostile.py)
_LEADER_RE = re.compile(
    r"(?<!\.)(?<!\.\s)(?:\.\s?){4,}+\s*\d{0,4}\s*$|(?<!…)…{2,}+\s*\d{0,4}\s*$")
_TRAILING_PAGE_RE = re.compile(r"([^\W\d]+)[,.]?\s+\d{1,4}\s*$")
_NOT_PAGE_WORDS = frozenset(
    [
        "article",
        "articles",
        "section",
        "sections",
        "paragraph",
        "paragraphs",
        "regulation",
        "part",
        "chapter",
        "act",
        "no",
        "and",
        "to",
        "of",
        "or",
        "annex",
        "schedule",
        "rule",
        "rules",
        "item",
        "items",
        "subsection",
    ]
)
_TOC_ENTRY_RE = re.compile(r"^(?:Section\s+|Article\s+)?([1-9]\d{0,3}[A-Za-z]{0,3})\.?\s+[A-Z]")
_MAX_TOC_LINES = 3000


def _is_attached(line: Line) -> bool:
    """A line that may sit between a list's end and the body's first section: a part
    heading, its all-capitals title, a bold section heading, a bracketed note."""
    t = line.text.strip()
    if not t:
        return True
    if match_container(t) is not None or line.heading_level > 0:
        return True
    letters = [c for c in t if c.isalpha()]
    if letters and all(c.isupper() for c in letters if c.isascii()) and len(t) < 80:
        return not t.endswith(".")
    return line.bold and len(t) < 100 and not t.endswith((".", ";"))


def _restart_after(lines: Sequence[Line], start: int) -> tuple[int, bool] | None:
    """Where the body begins after a list that starts at ``start``: the line where the
    article numbering goes back, or where the list's outer container numbering does
    ("Chapter 1 ... Chapter 20" listed, then "CHAPTER 1"). The flag is True for a
    container restart (that line is the body's first heading).

    An article number that goes back after a listed container heading is a per-chapter
    restart inside the list, not the body.
    """
    prev = None
    first = None
    outer: tuple[str, int] | None = None  # the list's first container: level, sequence key
    containers = 0  # container entries seen so far
    containers_at_prev = 0  # ... when the previous article entry was seen
    stop = min(len(lines), start + _MAX_TOC_LINES)
    for i in range(start + 1, stop):
        t = lines[i].text.strip()
        cm = match_container(t)
        if cm is not None:
            if outer is None:
                outer = (cm.level, cm.seq)
            elif cm.level == outer[0] and cm.seq <= outer[1]:
                return i, True
            containers += 1
            continue
        cand = match_article(t)
        if cand is not None:
            key = number_key(cand.number)
        else:
            m = _TOC_ENTRY_RE.match(t)
            if m is None:
                continue
            key = number_key(m.group(1).upper())
        per_chapter = containers_at_prev > 0 and containers > containers_at_prev
        if first is None:
            first = key
        elif prev is not None and key <= prev and key <= first and not per_chapter:
            return i, False
        prev = key
        containers_at_prev = containers
    return None


def toc_lines(lines: Sequence[Line]) -> set[int]:
    """Indices of the lines that belong to an arrangement of sections or a contents list."""
    out: set[int] = set()
    for t_idx, line in enumerate(lines):
        if not _TRIGGER_RE.match(line.text.strip()):
            continue
        found = _restart_after(lines, t_idx)
        if found is None:
            out.add(t_idx)
            continue
        end, at_heading = found
        while not at_heading and end - 1 > t_idx and _is_attached(lines[end - 1]):
            end -= 1
        out.update(range(t_idx, end))
    out |= _leader_runs(lines)
    return out


def _page_numbered_heading(t: str) -> bool:
    """ "Article 5 Definitions 12": a heading line that ends in a page number."""
    if len(t) > 100:
        return False
    cand = match_article(t)
    rest = cand.rest if cand is not None else None
    if rest is None:
        cm = match_container(t)
        rest = cm.rest if cm is not None else None
    if not rest:
        return False
    m = _TRAILING_PAGE_RE.search(rest)
    return m is not None and m.group(1).lower() not in _NOT_PAGE_WORDS


def _leader_runs(lines: Sequence[Line]) -> set[int]:
    """Lines in dense runs (3 in 6) of dot-leader or page-number endings on heading lines."""
    flags = []
    for line in lines:
        t = line.text.strip()
        flags.append(bool(_LEADER_RE.search(t)) or _page_numbered_heading(t))
    out: set[int] = set()
    hits = [i for i, f in enumerate(flags) if f]
    for a, b in zip(hits, hits[2:], strict=False):
        if b - a <= 5:
            out.update(range(a, b + 1))
    return out
