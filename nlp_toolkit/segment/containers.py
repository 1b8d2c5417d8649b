"""Containers: which part/chapter/sub-chapter/schedule lines really head a group of units.

A line that *looks like* a container heading ("CHAPTER 4: DAIRY PRODUCE" in a table of
product-specific rules, "Chapter 3 (Rules of Origin)" in running text) is kept only when
the document's structure agrees:

- it holds units: at least one head of the article/section chain lies between it and the
  next candidate of the same or a higher rank;
- where articles carry their chapter's number ("Article 12.15"), a chapter is followed by
  articles of its own number;
- numbers go up within a level, by small steps (``Part 3``, ``Part 3A``, ``Part 4``), and a
  sub-chapter level (Section A, Division 1, ส่วนที่ ๑) starts at 1 inside its parent;
- a numbered "SECTION 2" is a sub-chapter only where the units are Articles.

Headings are taken from the same line ("PART 3 — GENERAL") or from the title line(s)
under a standalone number: all capitals, bold title case under a bold number, or a short
line centred under it. Schedules and annexes take their title the same way, after any
reference note ("Section 17(1) and Fifth Schedule") printed beside them.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from nlp_toolkit.records import Line
from nlp_toolkit.segment.markers import match_marker
from nlp_toolkit.segment.patterns import (
    ContainerMatch,
    match_article,
    match_container,
    match_schedule,
)
from nlp_toolkit.segment.tree import RANK, Start

_SEQ_STEP = 300  # at most 3 numbers skipped between siblings (seq is value * 100 + suffix)
_SUBSECTION_RE = re.compile(r"^(?:SUB-?SECTION|Sub-?section)\s+\d")
_NOTE_RE = re.compile(
    r"^\[?(?:Sections?|Subsections?|Paragraphs?|Regulations?|Rules?|Articles?|s\.|ss\.)\s+\d"
)


@dataclass(slots=True)
class Head:
    """A unit start found on a line, with where its heading and body are."""

    start: Start
    first_line: int  # the unit's first line (a heading above the number, if any)
    body_line: int  # where paragraphs may begin
    body_col: int


@dataclass(frozen=True, slots=True)
class Candidate:
    """A line that may head a container: ``level`` is part|chapter|subchapter|schedule|annex."""

    line: int
    level: str
    label: str
    value: int = 0
    seq: int = 0
    rest: str = ""
    numbered_section: bool = False


def container_candidates(lines: Sequence[Line], skip: set[int]) -> tuple[list[Candidate], int]:
    """Every line that looks like a container heading, and the first schedule's line.

    Parts, chapters and sub-chapters are looked for before the first schedule only (a
    schedule's own "PART 1" is a part of the schedule's text).
    """
    out: list[Candidate] = []
    first_schedule = len(lines)
    for i, ln in enumerate(lines):
        if i in skip:
            continue
        t = ln.text.strip()
        sched = match_schedule(t)
        if (sched is None and t.lower() == "schedule" and i + 1 < len(lines)
                and _NOTE_RE.match(lines[i + 1].text.strip())):
            # small capitals come out lower case ("schedule" over "[Section 84c]")
            sched = ("schedule", "Schedule")
        if sched is not None:
            level, number = sched
            if level == "schedule":
                first_schedule = min(first_schedule, i)
            out.append(Candidate(i, level, number))
            continue
        if i > first_schedule:
            continue
        cm = match_container(t)
        if cm is None or not _container_ok(ln, t, cm):
            continue
        level = "subchapter" if cm.level == "section" else cm.level
        out.append(Candidate(i, level, cm.label, cm.value, cm.seq, cm.rest, cm.numbered_section))
    return out, first_schedule


def _container_ok(line: Line, t: str, cm: ContainerMatch) -> bool:
    if len(t) > 120 or (t.endswith((".", ";", ",")) and not line.heading_level):
        return False
    if cm.rest and cm.rest[0].islower() and cm.rest[0].isascii():
        return False
    if cm.numbered_section and cm.rest:
        return False  # "SECTION 2" stands alone; "SECTION 2 Definitions" is a unit
    return cm.shouting or cm.dashed or line.heading_level > 0 or line.bold or not cm.rest


def outer_order(cands: Sequence[Candidate]) -> list[str]:
    """Container levels from outer to inner: parts hold chapters, unless a chapter comes
    first (the Thai PDPA has parts inside chapters)."""
    first = next((c.level for c in cands if c.level in ("part", "chapter")), "part")
    return (
        ["chapter", "part", "subchapter"]
        if first == "chapter"
        else ["part", "chapter", "subchapter"]
    )


def rank_of(level: str, order: Sequence[str]) -> int:
    """The rank of a container level, given the document's order of parts and chapters."""
    return order.index(level) if level in ("part", "chapter") else RANK[level]


def select_containers(
    cands: Sequence[Candidate], chain: Sequence[tuple[int, str]], *, family: str
) -> list[Candidate]:
    """The candidates that really head containers (see the module docstring).

    Args:
        cands: candidates in line order.
        chain: the article/section chain as (line, number) pairs in line order.
        family: the chain's numbering convention ("article", "section", "cw", ...).
    """
    order = outer_order(cands)
    if not chain:  # nothing to judge by: trust the headings
        return _in_sequence(cands, order)
    chain_lines = [i for i, _ in chain]
    dotted = sum("." in n for _, n in chain) * 2 > len(chain)
    kept: list[Candidate] = []
    for k, c in enumerate(cands):
        if c.level in ("schedule", "annex"):
            kept.append(c)
            continue
        if c.numbered_section and family == "section":
            continue
        rank = rank_of(c.level, order)
        end = next(
            (d.line for d in cands[k + 1 :] if rank_of(d.level, order) <= rank),
            1 << 62,
        )
        at = bisect.bisect_right(chain_lines, c.line)
        if at >= len(chain_lines) or chain_lines[at] >= end:
            continue  # holds no unit
        if dotted and c.level == "chapter" and chain[at][1].split(".")[0] != str(c.value):
            continue  # "CHAPTER 4" followed by Article 3.7: not chapter 4's heading
        kept.append(c)
    return _in_sequence(kept, outer_order(kept))


def _in_sequence(cands: Sequence[Candidate], order: Sequence[str]) -> list[Candidate]:
    out: list[Candidate] = []
    last: dict[str, int] = {}
    for c in cands:
        if c.level in ("schedule", "annex"):
            last.pop("subchapter", None)
            out.append(c)
            continue
        prev = last.get(c.level)
        if prev is None and c.level == "subchapter" and c.value != 1:
            continue
        if prev is not None and not (prev < c.seq <= prev + _SEQ_STEP):
            continue
        last[c.level] = c.seq
        for lower in order[order.index(c.level) + 1 :]:
            last.pop(lower, None)
        out.append(c)
    return out


def container_heads(
    lines: Sequence[Line], cands: Sequence[Candidate], skip: set[int], *, headings_above: bool
) -> tuple[dict[int, Head], set[int]]:
    """Heads of the selected containers by line, and the title lines they took.

    ``headings_above``: units carry their heading on the line above their number
    (Commonwealth style), so a bold line just above a unit is that unit's heading.
    """
    order = outer_order(cands)
    extent = _page_extents(lines)
    heads: dict[int, Head] = {}
    taken: set[int] = set()
    for c in cands:
        i = c.line
        if c.level in ("schedule", "annex"):
            j = i + 1
            while j < len(lines) and j - i <= 3 and _is_note(lines[i], lines[j]):
                j += 1
            titles, j = _titles(lines, i, j, skip, extent, headings_above)
            taken.update(range(i + 1, j))
            start = Start(0, RANK[c.level], c.level, c.label, " ".join(titles), c.label)
            first = _masthead_start(lines, i, skip) if c.label.startswith("List of") else i
            heads[i] = Head(start, first, j, 0)
            continue
        heading, j = c.rest, i + 1
        if not heading:
            titles, j = _titles(lines, i, j, skip, extent, headings_above)
            taken.update(range(i + 1, j))
            heading = " ".join(titles)
        rank = rank_of(c.level, order)
        start = Start(0, rank, c.level, c.label, heading, c.label, value=c.value)
        heads[i] = Head(start, i, j, 0)
    return heads, taken


def _masthead_start(lines: Sequence[Line], i: int, skip: set[int]) -> int:
    """The first line of the bold title block printed above a reprint's back matter on its
    page ("LAWS OF MALAYSIA / Act 709 / PERSONAL DATA PROTECTION ACT 2010"), so that the
    block opens the back matter instead of closing the last section; ``i`` without one."""
    first = i
    while (first - 1 >= 0 and i - (first - 1) <= 3 and (first - 1) not in skip
           and lines[first - 1].bold and lines[first - 1].page == lines[i].page):
        first -= 1
    return first


def _titles(
    lines: Sequence[Line],
    i: int,
    j: int,
    skip: set[int],
    extent: dict[int, tuple[float, float]],
    headings_above: bool,
) -> tuple[list[str], int]:
    """Title lines under the heading line ``i``, from line ``j``; and the line after them."""
    parts: list[str] = []
    while j < len(lines) and len(parts) < 3 and j not in skip and _heading_line(lines[j]):
        parts.append(lines[j].text.strip())
        j += 1
    if parts or j >= len(lines) or j in skip:
        return parts, j
    t = lines[j].text.strip()
    if t.startswith("[") and t.endswith("]") and len(t) < 80:
        return [t], j + 1  # "THIRD SCHEDULE" / "[Repealed by Act 40 of 2020]"
    if _bold_title(lines[i], lines, j, headings_above) or _centred_title(
        lines[i], lines[j], extent
    ):
        return [lines[j].text.strip()], j + 1
    return parts, j


def _heading_line(line: Line) -> bool:
    """A title line under a PART/CHAPTER heading: all capitals ("PRELIMINARY") or, in a
    script without capitals, short."""
    t = line.text.strip()
    if not t or len(t) > 100 or t.endswith((".", ";", ",")):
        return False
    if match_article(t) or match_marker(t) or match_schedule(t) or match_container(t):
        return False
    if _SUBSECTION_RE.match(t):
        return False
    letters = [c for c in t if c.isalpha()]
    if not letters:
        return False
    if all(c.isascii() for c in letters):
        return len(letters) >= 2 and all(c.isupper() for c in letters)
    return len(t) < 60


def _not_a_title(t: str) -> bool:
    return (
        not t
        or len(t) > 100
        or bool(match_article(t) or match_marker(t) or match_schedule(t) or match_container(t))
    )


def _bold_title(container: Line, lines: Sequence[Line], j: int, headings_above: bool) -> bool:
    """A bold title-case line under a bold container heading ("Chapter II" / "Personal Data
    Protection"), which, where units have their heading above them, is not the heading of
    the unit that follows."""
    line = lines[j]
    t = line.text.strip()
    if not (container.bold and line.bold and t[:1].isupper()) or _not_a_title(t):
        return False
    if not headings_above:
        return True
    nxt = lines[j + 1].text.strip() if j + 1 < len(lines) else ""
    return not (match_article(nxt) or match_marker(nxt))


def _centred_title(container: Line, line: Line, extent: dict[int, tuple[float, float]]) -> bool:
    """A short line centred under a centred heading ("Division 2" / "Registration")."""
    t = line.text.strip()
    if not (container.x1 and line.x1) or line.page != container.page or _not_a_title(t):
        return False
    if t.endswith((".", ";", ",", ":")) or not t[:1].isupper():
        return False
    left, right = extent[line.page]
    width = right - left
    mid_c = (container.x0 + container.x1) / 2
    mid_l = (line.x0 + line.x1) / 2
    centred = abs(mid_c - (left + right) / 2) <= 0.08 * width
    return centred and abs(mid_c - mid_l) <= 0.05 * width and line.x1 - line.x0 <= 0.7 * width


def _is_note(head: Line, line: Line) -> bool:
    """A reference note printed beside a schedule heading ("Section 17(1) and Fifth and")."""
    t = line.text.strip()
    if _NOTE_RE.match(t):
        return True
    smaller = head.size > 0 and 0 < line.size < head.size - 1
    return smaller and line.x0 > (head.x0 + head.x1) / 2 and not t.isupper()


def _page_extents(lines: Sequence[Line]) -> dict[int, tuple[float, float]]:
    out: dict[int, tuple[float, float]] = {}
    for ln in lines:
        if ln.x1 <= 0:
            continue
        lo, hi = out.get(ln.page, (ln.x0, ln.x1))
        out[ln.page] = (min(lo, ln.x0), max(hi, ln.x1))
    return out
