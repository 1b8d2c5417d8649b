"""Build the provision tree from unit starts: sub-unit markers, spans, refs and paths.

Every unit is a *start* (a character offset, a rank and what it is). A unit runs until
the next start of the same or a higher rank, so the units partition the text: the root
units cover it from 0 to its end, and each unit's children are contiguous and end where
their parent ends.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field

from nlp_toolkit.records import Line, Provision
from nlp_toolkit.segment.markers import marker_value, match_marker

RANK = {
    "part": 0,
    "schedule": 0,
    "chapter": 1,
    "annex": 1,
    "subchapter": 2,
    "article": 3,
    "section": 3,
    "elucidations": 0,  # an Indonesian law's PENJELASAN, after the body (elucidation.py)
    "elucidation": 3,
    "translations": 0,  # a translation printed with the law, after it (translation.py)
    "translation": 3,
}
SUB_RANK = 4
#: Roots of stand-in units (``standins.py``) whose first child may begin on the root's own
#: first line (a translation that opens with its "Article 1."): both are kept, the root
#: then holds no text of its own.
_HOLDERS = frozenset({"elucidations", "translations"})
_NESTED = frozenset({"part", "chapter", "subchapter"})  # containers numbered by their parent


@dataclass(slots=True)
class Start:
    """Where a unit begins and what it is (before spans and refs are known)."""

    offset: int
    rank: int
    level: str
    number: str  # own normalised number ("26", "(1)", "Chapter 12")
    heading: str = ""
    label: str = ""  # how the unit appears in a path ("Article 12.15", "(a)")
    value: int = 0  # container numeric value (for chapter.article numbers)
    children: list[Start] = field(default_factory=list)


# ---- sub-units ---------------------------------------------------------------------------


@dataclass(slots=True)
class _Enum:
    kind: str
    value: int
    token: str


def _is_next(enum: _Enum, token: str, kind: str) -> bool:
    if kind == "letter" and enum.token == "d" and token == "đ":
        return True  # Vietnamese: d, đ, e
    value = marker_value(token, kind)
    if value == enum.value + 1:
        return not (kind == "paren_digit" and not token.isdigit())
    # "(1)" -> "(1A)": an inserted paragraph keeps the number and adds a letter
    return (
        kind == "paren_digit"
        and value == enum.value
        and token != enum.token
        and token.startswith(enum.token.rstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij"))
        and len(token) > len(enum.token.rstrip("0123456789"))
    )


def sub_starts(
    text: str,
    line_offsets: Sequence[int],
    first: int,
    last: int,
    *,
    first_col: int,
    allow_dot: bool,
    lettered: bool = False,
) -> list[Start]:
    """Paragraph and item starts in lines ``first..last`` (inclusive).

    ``first_col`` is where the body begins on the first line (after the unit's number).
    A marker counts when it continues an open enumeration (``(b)`` after ``(a)``) or
    opens a new style with its first value (``(1)``, ``(a)``, ``(i)``); anything else
    at a line start is a wrapped line or a cross-reference. ``(i)`` after ``(h)`` is a
    letter, elsewhere a Roman one. ``lettered``: ``a.`` and ``a)`` open items too.
    """
    out: list[Start] = []
    stack: list[_Enum] = []
    for li in range(first, last + 1):
        col = first_col if li == first else 0
        line_end = line_offsets[li + 1] - 1 if li + 1 < len(line_offsets) else len(text)
        raw = text[line_offsets[li] + col : line_end]
        stripped = raw.lstrip()
        m = match_marker(stripped, lettered=lettered)
        if m is None:
            continue
        kinds = [k for k in m.kinds if allow_dot or k != "dot_digit"]
        placed = None
        for depth in range(len(stack) - 1, -1, -1):
            for kind in kinds:
                if stack[depth].kind == kind and _is_next(stack[depth], m.token, kind):
                    placed = (depth, kind)
                    break
            if placed:
                break
        if placed is None:
            open_kinds = {e.kind for e in stack}
            for kind in kinds:
                if (
                    kind not in open_kinds
                    and marker_value(m.token, kind) == 1
                    and (kind != "paren_digit" or m.token.isdigit())
                ):
                    placed = (len(stack), kind)
                    break
        if placed is None:
            continue
        depth, kind = placed
        del stack[depth:]
        stack.append(_Enum(kind, marker_value(m.token, kind), m.token))
        if kind == "cn" or kind == "dot_digit":
            number = f"({marker_value(m.token, kind)})"
        else:
            number = f"({m.token})"
        level = "paragraph" if kind in ("paren_digit", "dot_digit") else "item"
        offset = line_offsets[li] + col + (len(raw) - len(stripped))
        out.append(Start(offset, SUB_RANK + depth, level, number, label=number))
    return out


# ---- spans, refs, paths -------------------------------------------------------------------


def build(
    doc_id: str,
    text: str,
    lines: Sequence[Line],
    line_offsets: Sequence[int],
    starts: Sequence[Start],
    *,
    chapter_article: bool,
) -> list[Provision]:
    """Turn ordered starts into provisions that partition ``text``.

    ``chapter_article``: articles restart in each chapter, so they are numbered
    ``CHAPTER.ARTICLE`` (AANZFTA style).
    """
    if not text:
        return []
    ordered: list[Start] = []
    last_off = -1
    for s in starts:
        opens_holder = (s.offset == last_off and ordered[-1].level in _HOLDERS
                        and s.rank > ordered[-1].rank)
        if (s.offset > last_off or opens_holder) and s.offset < len(text):
            ordered.append(s)
            last_off = s.offset
    if not ordered or ordered[0].offset > 0:
        ordered.insert(0, Start(0, 99, "preamble", "Preamble", label="Preamble"))
    pages = [ln.page for ln in lines]

    def page_at(off: int) -> int:
        if not pages:
            return 1
        i = bisect.bisect_right(line_offsets, off) - 1
        return pages[max(0, min(i, len(pages) - 1))]

    out: list[Provision] = []
    seen: set[str] = set()
    stack: list[tuple[Start, int, str, str, int]] = []  # start, index in out, ref, path, chap
    ends: dict[int, int] = {}

    def close(until_rank: int, at: int) -> None:
        while stack and stack[-1][0].rank >= until_rank:
            ends[stack.pop()[1]] = at

    for s in ordered:
        close(s.rank, s.offset)
        parent = stack[-1] if stack else None
        chapter = next((e[4] for e in reversed(stack) if e[0].level == "chapter"), 0)
        number = s.number
        if s.level in _NESTED and parent is not None:
            # a container inside another is numbered by both: "Chapter 7 Part 1"
            number = f"{out[parent[1]].number} {s.number}"
        if chapter_article and s.level in ("article", "section") and chapter and "." not in number:
            number = f"{chapter}.{number}"
        label = s.label
        if s.level in ("article", "section"):
            label = f"{s.label} {number}".strip()
        if s.rank >= SUB_RANK and parent is not None:
            ref = f"{parent[2]}{number}"
        else:
            ref = f"{doc_id}:{number}"
        base, k = ref, 2
        while ref in seen:
            ref, k = f"{base}~{k}", k + 1
        seen.add(ref)
        path = f"{parent[3]} > {label}" if parent is not None else label
        chap = s.value if s.level == "chapter" else chapter
        out.append(
            Provision(
                doc_id=doc_id,
                ref=ref,
                number=number,
                heading=s.heading,
                level="section" if s.level == "subchapter" else s.level,
                parent_ref=parent[2] if parent is not None else None,
                path=path,
                page_start=page_at(s.offset),
                page_end=0,
                char_start=s.offset,
                char_end=0,
                text="",
                ordinal=len(out),
            )
        )
        stack.append((s, len(out) - 1, ref, path, chap))
    close(-10, len(text))
    result = []
    for i, p in enumerate(out):
        end = ends[i]
        body = text[p.char_start : end]
        tail = p.char_start + len(body.rstrip("\n")) - 1
        result.append(
            Provision(
                doc_id=p.doc_id,
                ref=p.ref,
                number=p.number,
                heading=p.heading,
                level=p.level,
                parent_ref=p.parent_ref,
                path=p.path,
                page_start=p.page_start,
                page_end=max(p.page_start, page_at(max(p.char_start, tail))),
                char_start=p.char_start,
                char_end=end,
                text=body,
                ordinal=i,
            )
        )
    return result
