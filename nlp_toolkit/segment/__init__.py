"""Segmentation: the lines of an extracted document -> numbered, nested provisions.

``segment`` is pure. It finds the arrangement/table of contents (``toc.py``), the article
or section heads that follow the document's numbering (``numbering.py``), the part,
chapter, sub-chapter (Section A, Division 1), schedule and annex headings that agree with
them (``containers.py``), their headings, and their paragraphs and items (``tree.py``).

Decisions worth knowing:

- a container inside another is numbered by both ("Chapter 7 Part 1", "Part 9
  Division 1"); its path label is its own ("Chapter 7 > Part 1");
- the front matter before the first unit (title, arrangement, recitals) is one
  ``preamble`` unit;
- a repealed range "27. to 32. [Repealed]" is one unit numbered ``27-32``;
- after the first SCHEDULE heading every numbered line is a paragraph of a schedule;
- sections quoted inside an amending act ("12A. ...") stay in the amending section;
- when any line carries a ``hint`` the units come from the hints alone (paragraphs and
  items are still found inside them);
- an Indonesian law's elucidation (PENJELASAN) is one ``elucidations`` unit holding an
  ``elucidation`` unit per article (``DOC:Penjelasan 5`` explains ``DOC:5``), never a
  second set of articles; an amending law's articles are ``Pasal I`` and ``Pasal II``
  (``elucidation.py``);
- a translation printed with the law (lines that carry a ``language``) is one
  ``translations`` unit holding a ``translation`` unit per translated article
  (``DOC:en 26`` stands for ``DOC:26``), never a second set of articles
  (``translation.py``; the stand-in rule of both is ``standins.py``);
- in Indonesian and Vietnamese documents ``a.`` and ``a)`` also open items (huruf, điểm).

>>> from nlp_toolkit.records import ExtractedDocument, Line
>>> doc = ExtractedDocument(lines=(Line("Example Act"), Line("Section 1 This Act is the Act."),
...     Line("Section 2 (1) A person shall comply."), Line("(2) Section 1 applies.")),
...     page_count=1)
>>> [p.ref for p in segment("x", doc)]
['x:Preamble', 'x:1', 'x:2', 'x:2(1)', 'x:2(2)']
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from nlp_toolkit.records import ExtractedDocument, Line, Provision
from nlp_toolkit.segment.containers import (
    Head,
    container_candidates,
    container_heads,
    select_containers,
)
from nlp_toolkit.segment.elucidation import (
    ELUCIDATION_LEVEL,
    ELUCIDATIONS_LEVEL,
    elucidation_articles,
    elucidation_start,
    roman_articles,
)
from nlp_toolkit.segment.markers import match_marker
from nlp_toolkit.segment.numbering import ChainItem, best_chain, number_key
from nlp_toolkit.segment.patterns import (
    GONE_NOTE_RE,
    Candidate,
    match_article,
    match_container,
    run_in_heading,
)
from nlp_toolkit.segment.standins import stand_in_number
from nlp_toolkit.segment.toc import toc_lines
from nlp_toolkit.segment.translation import (
    TRANSLATION_LEVEL,
    TRANSLATIONS_LEVEL,
    translation_articles,
    translation_name,
    translation_number,
    translation_start,
)
from nlp_toolkit.segment.tree import RANK, Start, build, sub_starts

__all__ = ["segment"]

_FAMILY_LABEL = {
    "article": "Article",
    "cn": "Article",
    "section": "Section",
    "th": "Section",
    "cw": "Section",
}
_FOOTNOTE_RE = re.compile(r"(?<=[A-Za-z)])\d{1,2}$")
#: Languages whose items are lettered "a." (Indonesian huruf) or "a)" (Vietnamese điểm).
_LETTERED_LANGUAGES = frozenset({"id", "vi"})
_SENTENCE_END = (".", ";", ":", "\u201d", '"', "]", "\u3002", "\uff1b", "\uff1a")


def segment(
    doc_id: str, doc: ExtractedDocument, *, language: str = "en", doc_type: str = ""
) -> list[Provision]:
    """Split a document into provisions that partition its clean text.

    Args:
        doc_id: the document's id; refs are ``DOC_ID:NUMBER``.
        doc: the reader's output; only ``doc.lines`` is used.
        language: the document's language. The unit patterns of every language are
            tried on every document; only the lettered items ``a.`` and ``a)`` are
            language-specific (Indonesian ``id``, Vietnamese ``vi``), because elsewhere
            a line starting "a." is far more often a wrapped sentence.
        doc_type: the manifest's document type (informational).

    Returns:
        Provisions in document order, with ``ordinal`` 0, 1, 2, ...

    >>> from nlp_toolkit.records import ExtractedDocument, Line
    >>> doc = ExtractedDocument(lines=(Line("第一条 为了保护。"), Line("第二条 适用本法。")),
    ...                         page_count=1)
    >>> [(p.number, p.level) for p in segment("cn", doc)]
    [('1', 'article'), ('2', 'article')]
    """
    del doc_type  # every convention is tried on every document
    lettered = language in _LETTERED_LANGUAGES
    lines = doc.lines
    text = doc.text
    offsets: list[int] = []
    pos = 0
    for ln in lines:
        offsets.append(pos)
        pos += len(ln.text) + 1
    if any(ln.hint for ln in lines):
        heads, chapter_article, allow_dot = _hint_heads(lines), False, True
    else:
        heads, chapter_article, allow_dot = _detect_heads(lines)
    starts: list[Start] = []
    for k, head in enumerate(heads):
        h = head.start
        h.offset = offsets[head.first_line]
        starts.append(h)
        if h.level not in ("article", "section", "schedule", "annex"):
            continue
        last = (heads[k + 1].first_line if k + 1 < len(heads) else len(lines)) - 1
        if head.body_line <= last:
            starts.extend(
                sub_starts(
                    text,
                    offsets,
                    head.body_line,
                    last,
                    first_col=head.body_col,
                    allow_dot=allow_dot or h.level in ("schedule", "annex"),
                    lettered=lettered,
                )
            )
    return build(doc_id, text, lines, offsets, starts, chapter_article=chapter_article)


def _hint_heads(lines: Sequence[Line]) -> list[Head]:
    heads = []
    for i, ln in enumerate(lines):
        if ln.hint is None:
            continue
        level, number, heading = ln.hint
        rank = RANK.get(level, 3)
        label = number if rank < 3 else f"{'Section' if level == 'section' else 'Article'}"
        heads.append(Head(Start(0, rank, level, number, heading, label), i, i + 1, 0))
    return heads


def _quoted_lines(lines: Sequence[Line]) -> set[int]:
    """Lines inside quoted text that an amending provision inserts or substitutes."""
    out: set[int] = set()
    curly = 0
    straight = False
    single = False
    for i, ln in enumerate(lines):
        t = ln.text.strip()
        if curly <= 0 and not straight and not single:
            if t.startswith("\u2018") and not t.lstrip("\u2018 ").startswith("\u201c"):
                single = True
            elif not t.lstrip("\u2018 ").startswith(("\u201c", '"')):
                continue
        out.add(i)
        curly = max(0, curly + t.count("\u201c") - t.count("\u201d"))
        straight ^= t.count('"') % 2 == 1
        if single and re.search(r"\u2019[;.,]?\s*(?:and|or)?$", t):
            single = False
    return out


def _detect_heads(lines: Sequence[Line]) -> tuple[list[Head], bool, bool]:
    """Find containers, schedules and the article/section chain."""
    translated = translation_start(lines)
    eluc = elucidation_start(lines[:translated])
    end = min(x for x in (eluc, translated, len(lines)) if x is not None)
    tail = _elucidation_heads(lines, eluc)
    roman = roman_articles(lines, end)
    if roman:  # an amending law: Pasal I quotes the articles it amends
        heads = [Head(Start(0, RANK["article"], "article", n, "", "Article"), i, i + 1, 0)
                 for i, n in roman]
        return heads + tail + _translation_heads(lines, translated, roman), False, True
    # the arrangement is looked for in the law's own text: a translation's headings after
    # it would read as the body that a table of contents announces
    skip = toc_lines(lines[:end]) | _quoted_lines(lines) | set(range(end, len(lines)))
    cands, first_schedule = container_candidates(lines, skip)
    # the chain is found twice: first to judge the container candidates, then again with
    # the chosen containers (whose headings restart the numbering of the articles in them)
    raw_lines = {c.line for c in cands if not c.numbered_section}
    raw_chapters = sorted(c.line for c in cands if c.level == "chapter")
    picked, _, family = _chain(lines, skip, raw_lines, raw_chapters, first_schedule)
    chosen = select_containers(cands, [(i, cand.number) for i, cand in picked], family=family)
    container_at, taken = container_heads(lines, chosen, skip, headings_above=family == "cw")
    chapters = sorted(c.line for c in chosen if c.level == "chapter")
    skip |= taken
    picked, chapter_article, family = _chain(
        lines, skip, set(container_at), chapters, first_schedule
    )
    chain_heads = [_article_head(lines, i, cand, container_at, skip) for i, cand in picked]
    heads = sorted([*container_at.values(), *chain_heads], key=lambda h: h.first_line)
    # with numbers that restart in every chapter ("7.3") a translation's "Article 3"
    # names no single article: the translation stays one unit
    numbered = [] if chapter_article else [(h.first_line, h.start.number) for h in chain_heads]
    tail = sorted(tail + _translation_heads(lines, translated, numbered),
                  key=lambda h: h.first_line)
    return heads + tail, chapter_article, family != "cw"


def _elucidation_heads(lines: Sequence[Line], start: int | None) -> list[Head]:
    """The elucidation unit and its per-article units (``elucidation.py``)."""
    if start is None:
        return []
    name = "Penjelasan"
    heads = [Head(Start(0, RANK[ELUCIDATIONS_LEVEL], ELUCIDATIONS_LEVEL, name, name, name),
                  start, start + 1, 0)]
    for i, number in elucidation_articles(lines, start):
        label = stand_in_number(name, number)
        heads.append(Head(Start(0, RANK[ELUCIDATION_LEVEL], ELUCIDATION_LEVEL, label, "",
                                label), i, i + 1, 0))
    return heads


def _translation_heads(lines: Sequence[Line], start: int | None,
                       articles: Sequence[tuple[int, str]]) -> list[Head]:
    """The translation unit and its per-article units (``translation.py``)."""
    if start is None:
        return []
    language = lines[start].language
    name = translation_name(language)
    heads = [Head(Start(0, RANK[TRANSLATIONS_LEVEL], TRANSLATIONS_LEVEL, name, name, name),
                  start, start + 1, 0)]
    for i, article, heading in translation_articles(lines, start, {n for _, n in articles}):
        number = translation_number(language, article)
        heads.append(Head(Start(0, RANK[TRANSLATION_LEVEL], TRANSLATION_LEVEL, number,
                                heading, f"Article {article} ({language})"), i, i + 1, 0))
    return heads


def _strength(lines: Sequence[Line], i: int, cand: Candidate) -> float:
    ln = lines[i]
    s = 0.0
    if ln.bold or ln.heading_level:
        s += 0.5
    if i > 0:
        prev = lines[i - 1]
        pt = prev.text.strip()
        if prev.bold and not ln.bold and len(pt) < 120:
            s += 0.5
        if pt.endswith(_SENTENCE_END) or prev.page != ln.page or prev.heading_level:
            s += 0.3
    if not cand.rest or not cand.rest[0].isalpha() or cand.rest[0].isupper():
        s += 0.2
    return s


def _chain(
    lines: Sequence[Line],
    skip: set[int],
    container_lines: set[int],
    chapter_lines: Sequence[int],
    first_schedule: int,
) -> tuple[list[tuple[int, Candidate]], bool, str]:
    """The best article/section chain: (line, candidate) pairs, whether its numbers restart
    in every chapter, and its family."""
    by_family: dict[str, list[tuple[int, Candidate]]] = {}
    for i in range(min(first_schedule, len(lines))):
        if i in skip or i in container_lines:
            continue
        cand = match_article(lines[i].text.strip())
        if cand is not None:
            by_family.setdefault(cand.family, []).append((i, cand))
    best: tuple[float, str, list[tuple[int, Candidate]]] = (0.0, "", [])
    for family, cands in by_family.items():
        items = []
        for i, cand in cands:
            n_before = bisect.bisect_left(chapter_lines, i)
            key = number_key(cand.number)
            end = number_key(cand.end_number) if cand.end_number else key
            items.append(
                ChainItem(key, end, _strength(lines, i, cand), n_before, "." in cand.number)
            )
        picked = [cands[k] for k in best_chain(items)]
        score = len(picked) * (0.8 if family == "cw" else 1.0)
        if score > best[0]:
            best = (score, family, picked)
    _, family, picked = best
    restarts = any(
        number_key(b.number) <= number_key(a.number)
        for (_, a), (_, b) in zip(picked, picked[1:], strict=False)
    )
    return picked, restarts and family == "article", family


def _article_head(
    lines: Sequence[Line], i: int, cand: Candidate, container_at: dict[int, Head], skip: set[int]
) -> Head:
    ln = lines[i]
    lead = len(ln.text) - len(ln.text.lstrip())
    number = f"{cand.number}-{cand.end_number}" if cand.end_number else cand.number
    level = cand.level
    label = _FAMILY_LABEL[cand.family]
    # a bold heading on the line(s) just above the number (Commonwealth style)
    first = i
    above: list[str] = []
    while (
        first - 1 >= 0
        and len(above) < 3
        and not ln.bold
        and lines[first - 1].bold
        and (first - 1) not in container_at
        and (first - 1) not in skip
    ):
        t = lines[first - 1].text.strip()
        if (
            not t
            or len(t) > 120
            or match_marker(t)
            or match_article(t)
            or lines[first - 1].page != lines[first].page
            and above
        ):
            break
        above.insert(0, t)
        first -= 1
    heading = " ".join(above)
    body_line, body_col = i, lead + cand.rest_offset
    # an Indonesian Pasal has no heading: the line under its number is its first sentence
    if cand.family == "article" and not heading and not ln.text.lstrip().startswith("Pasal"):
        rest = cand.rest.strip()
        j = i + 1
        if not rest and j < len(lines) and _title_like(lines[j], ln):
            rest = lines[j].text.strip()
            j += 1
        elif rest and (len(rest) > (300 if ln.bold else 150) or rest.endswith(".")):
            rest = ""
        if rest:
            parts = [rest]
            while (
                j < len(lines)
                and ln.bold
                and lines[j].bold
                and len(parts) < 3
                and j not in container_at
                and _title_like(lines[j], ln)
            ):
                parts.append(lines[j].text.strip())
                j += 1
            heading = " ".join(parts)
            body_line, body_col = j, 0
    elif (not heading and (ln.bold or ln.heading_level) and cand.rest
          and len(cand.rest) < (200 if ln.heading_level else 100)):
        heading = cand.rest.strip()
        body_line, body_col = i + 1, 0
    elif not heading and (run_in := run_in_heading(cand.rest)) is not None:
        heading, body_col = run_in[0], body_col + run_in[1]
    rest = cand.rest.strip()
    if not heading and (rest.startswith("[") and len(rest) < 80 or GONE_NOTE_RE.match(rest)):
        # "33. [Repealed]", "27. to 32. [Repealed by Act 40 of 2020]", "103. (Deleted by Act
        # A1381)."
        heading = rest
    heading = _FOOTNOTE_RE.sub("", heading.strip(" :.\u2014-")).strip()
    return Head(Start(0, RANK[level], level, number, heading, label), first, body_line, body_col)


def _title_like(line: Line, head: Line) -> bool:
    t = line.text.strip()
    if not t or len(t) > 150 or match_marker(t) or match_article(t) or match_container(t):
        return False
    if head.bold:
        return line.bold
    return not t.endswith((".", ";", ",", ":")) and not (t[0].islower() and t[0].isascii())
