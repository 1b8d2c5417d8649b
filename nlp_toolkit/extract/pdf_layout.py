"""Pure layout algorithms for PDF pages: characters -> lines, reading order, clean-up.

Every function here works on plain data (pdfplumber character dicts and ``Line``
records) and never touches a file, so it can be tested with hand-made characters.
``nlp_toolkit.extract.pdf`` owns the file and calls these in order:

1. :func:`page_lines` -- group a page's characters into rows, put spaces where the gap
   between two characters is wide for the font size (this fixes justified text that
   pdfplumber runs together), split rows at wide gaps, read two-column pages column by
   column, drop raised footnote reference numbers from body text.
2. :mod:`nlp_toolkit.extract.pdf_cleanup` then removes running headers and footers,
   sets footnotes apart and joins hyphenated words.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from nlp_toolkit.records import Line

Char = Mapping[str, Any]

#: A space goes between two characters whose gap exceeds this share of the font size.
#: Letters inside a word sit at gap ~0; a justified word space is >= ~0.2 of the size.
GAP_RATIO = 0.12
#: The same, on pages that set word spaces as characters (pdfplumber then reports them).
EXPLICIT_SPACE_GAP_RATIO = 0.3
#: A row is cut into separate lines where the gap exceeds this many font sizes
#: (marginal notes, table cells, a page header's left and right parts).
SEGMENT_GAP_RATIO = 2.5

_LIGATURES = {
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb05": "st",
    "\ufb06": "st",
}
_LIGATURE_RE = re.compile("[" + "".join(_LIGATURES) + "]")
# Thai: sara am (U+0E33) comes out as nikhahit + sara aa (U+0E4D U+0E32), sometimes with
# a tone mark between or a space before the sara aa.
_THAI_AM_RE = re.compile("\u0e4d([\u0e48-\u0e4b]?) ?\u0e32")
_THAI_AM_SPACE_RE = re.compile("([\u0e01-\u0e2e][\u0e48-\u0e4b]?) \u0e32")
_SUPERSCRIPT_TEXT = set("0123456789*\u2020\u2021,")


def normalize_text(text: str) -> str:
    """Return ``text`` with ligatures expanded, Thai sara am repaired, and NFC applied.

    Example:
        >>> normalize_text("\ufb01le")
        'file'
        >>> normalize_text("\u0e17\u0e4d\u0e32") == "\u0e17\u0e33"
        True
    """
    text = _LIGATURE_RE.sub(lambda m: _LIGATURES[m.group()], text)
    if "\u0e32" in text:
        # the tone mark sits before sara am in Unicode order: consonant, tone, U+0E33
        text = _THAI_AM_RE.sub(lambda m: m.group(1) + "\u0e33", text)
        text = _THAI_AM_SPACE_RE.sub(lambda m: m.group(1) + "\u0e33", text)
    return unicodedata.normalize("NFC", text)


def _style(fontname: str) -> tuple[bool, bool]:
    name = fontname.split("+", 1)[-1].lower()
    bold = any(k in name for k in ("bold", "black", "heavy", "semibold", "demi"))
    italic = any(k in name for k in ("italic", "oblique"))
    return bold, italic


def group_rows(chars: Iterable[Char]) -> list[list[Char]]:
    """Group characters into rows of text that share a baseline band, top to bottom.

    A character joins a row when its vertical extent overlaps the row's core band (the
    band of its largest characters) by at least half its own height, so superscripts stay
    on their line while tightly set consecutive lines stay apart.

    Args:
        chars: pdfplumber character dicts (``text``, ``x0``, ``x1``, ``top``,
            ``bottom``, ``size``); rotated characters are ignored.

    Returns:
        Rows, each a list of characters sorted left to right.
    """
    usable = [c for c in chars if c.get("upright", True) and c["bottom"] > c["top"]]
    usable.sort(key=lambda c: (c["top"] + c["bottom"]) / 2)
    rows: list[tuple[float, float, list[Char]]] = []  # (core top, core bottom, chars)
    for c in usable:
        height = c["bottom"] - c["top"]
        placed = False
        # look back over a few recent rows: sorting by centre keeps candidates close
        for i in range(len(rows) - 1, max(-1, len(rows) - 4), -1):
            top, bottom, members = rows[i]
            overlap = min(bottom, c["bottom"]) - max(top, c["top"])
            if overlap >= 0.5 * min(height, bottom - top):
                members.append(c)
                if height > bottom - top:
                    rows[i] = (c["top"], c["bottom"], members)
                placed = True
                break
        if not placed:
            rows.append((c["top"], c["bottom"], [c]))
    result = [sorted(members, key=lambda c: c["x0"]) for _, _, members in rows]
    result.sort(key=lambda r: min(c["top"] for c in r))
    return result


def _row_size(row: Sequence[Char]) -> float:
    sizes = Counter(round(float(c["size"]), 1) for c in row)
    return max(sizes.items(), key=lambda kv: (kv[1], kv[0]))[0]


def split_segments(row: Sequence[Char], *, ratio: float = SEGMENT_GAP_RATIO) -> list[list[Char]]:
    """Cut a row (sorted left to right) where the horizontal gap exceeds ``ratio`` sizes."""
    if not row:
        return []
    limit = ratio * _row_size(row)
    segments: list[list[Char]] = [[row[0]]]
    right = row[0]["x1"]
    for c in row[1:]:
        if c["x0"] - right > limit:
            segments.append([c])
        else:
            segments[-1].append(c)
        right = max(right, c["x1"])
    return segments


def segment_to_line(
    segment: Sequence[Char], *, page: int, gap_ratio: float = GAP_RATIO
) -> Line | None:
    """Turn one segment's characters into a :class:`Line`.

    Spaces are put where the gap between consecutive characters exceeds ``gap_ratio``
    times the segment's body font size. Raised small characters (footnote references such
    as the ``12`` in ``objective,12 provided``) are dropped, except at the start of the
    segment, where they are a footnote's own marker and are kept followed by a space.

    Returns:
        The line, or ``None`` when nothing printable is left.
    """
    if not segment:
        return None
    printable = [c for c in segment if c["text"].strip()]
    if not printable:
        return None
    size = _row_size(printable)
    body = [c for c in printable if round(float(c["size"]), 1) == size]
    baseline = statistics.median(c["bottom"] for c in body)
    parts: list[str] = []
    prev: Char | None = None
    right = segment[0]["x0"]
    leading = True
    pending_space = False
    for c in segment:
        if not c["text"].strip():
            # a space counts only if it sits after the previous glyph, not on top of it
            pending_space = pending_space or (prev is not None and c["x0"] >= right - 0.1 * size)
            continue
        raised = (
            c["size"] <= 0.8 * size
            and c["bottom"] <= baseline - 0.2 * size
            and c["text"] in _SUPERSCRIPT_TEXT
        )
        if raised and not leading:
            right = max(right, c["x1"])
            continue
        if prev is not None:
            if c["text"] == prev["text"] and abs(c["x0"] - prev["x0"]) < 0.1 * size:
                continue  # the same glyph printed twice (fake bold)
            gap = c["x0"] - right
            if pending_space or gap > gap_ratio * size or (leading and not raised):
                parts.append(" ")
        pending_space = False
        parts.append(c["text"])
        leading = leading and raised
        right = c["x1"] if prev is None else max(right, c["x1"])
        prev = c
    text = normalize_text("".join(parts)).strip()
    if not text:
        return None
    bold_count = 0
    italic_count = 0
    for c in body:
        bold, italic = _style(str(c.get("fontname", "")))
        bold_count += bold
        italic_count += italic
    return Line(
        text=text,
        page=page,
        x0=round(min(c["x0"] for c in printable), 2),
        top=round(min(c["top"] for c in printable), 2),
        x1=round(max(c["x1"] for c in printable), 2),
        bottom=round(max(c["bottom"] for c in printable), 2),
        size=size,
        bold=bold_count * 2 > len(body),
        italic=italic_count * 2 > len(body),
    )


def find_gutter(lines: Sequence[Line], *, width: float) -> float | None:
    """Return the x of a column gutter when ``lines`` form two columns, else ``None``.

    Two columns need an x-range near the middle of the text block (between 35% and 65%)
    at least 8 pt wide that almost no line crosses, with at least three lines on each side,
    sides of like width (the narrower at least 60% of the wider) and lines that mostly
    fill their side. Marginal notes and hanging indents sit near an edge, and tables have
    columns of unlike widths or sparsely filled ones, so they do not qualify.
    """
    if len(lines) < 6:
        return None
    left = min(ln.x0 for ln in lines)
    right = max(ln.x1 for ln in lines)
    span = right - left
    if span <= 0:
        return None
    cover = [0] * (int(width) + 2)
    for ln in lines:
        for x in range(max(0, int(ln.x0)), min(len(cover), int(ln.x1) + 1)):
            cover[x] += 1
    lo, hi = int(left + 0.35 * span), int(left + 0.65 * span)
    allowed = max(1, len(lines) // 20)
    best: tuple[int, int] | None = None
    start: int | None = None
    for x in range(lo, hi + 1):
        if cover[x] <= allowed and x < hi:
            start = x if start is None else start
            continue
        if start is not None and (best is None or x - start > best[1] - best[0]):
            best = (start, x)
        start = None
    if best is None or best[1] - best[0] < 8:
        return None
    gutter = (best[0] + best[1]) / 2
    left_side = [ln for ln in lines if ln.x1 <= gutter]
    right_side = [ln for ln in lines if ln.x0 >= gutter]
    if len(left_side) < 3 or len(right_side) < 3:
        return None
    # columns of running text are of like width and filled by their lines; the columns of
    # a table (a narrow code column beside a wide description) are not
    extents = []
    for side in (left_side, right_side):
        extent = max(ln.x1 for ln in side) - min(ln.x0 for ln in side)
        if statistics.median(ln.x1 - ln.x0 for ln in side) < 0.5 * extent:
            return None
        extents.append(extent)
    if min(extents) < 0.6 * max(extents):
        return None
    return gutter


def order_columns(lines: Sequence[Line], gutter: float) -> list[Line]:
    """Reading order of a two-column page: lines spanning the gutter cut the page into
    bands; inside a band the left column is read before the right one."""
    ordered: list[Line] = []
    band_left: list[Line] = []
    band_right: list[Line] = []
    for ln in sorted(lines, key=lambda ln: (ln.top, ln.x0)):
        if ln.x1 <= gutter:
            band_left.append(ln)
        elif ln.x0 >= gutter:
            band_right.append(ln)
        else:
            ordered += band_left + band_right
            band_left, band_right = [], []
            ordered.append(ln)
    return ordered + band_left + band_right


def repair_thai_nikhahit(chars: list[Char]) -> list[Char]:
    """Some Thai fonts map nikhahit (U+0E4D, the circle of sara am) to a space: a blank
    character between a Thai letter and sara aa (U+0E32) is turned back into U+0E4D, which
    :func:`normalize_text` then folds into sara am. No Thai word starts with sara aa, so a
    real space never sits there."""
    out = list(chars)
    for i in range(1, len(out) - 1):
        c = out[i]
        if (
            not c["text"].strip()
            and out[i + 1]["text"] == "\u0e32"
            and "\u0e01" <= out[i - 1]["text"][-1:] <= "\u0e4e"
        ):
            out[i] = {**c, "text": "\u0e4d"}
    return out


def page_lines(
    chars: Iterable[Char], *, page: int, width: float, gap_ratio: float = GAP_RATIO
) -> list[Line]:
    """Lines of one page in reading order.

    Example:
        >>> c = dict(top=10, bottom=22, size=12, fontname="Times-Roman", upright=True)
        >>> chars = [dict(c, text=t, x0=x, x1=x + 6) for t, x in [("a", 0), ("b", 6), ("c", 15)]]
        >>> [ln.text for ln in page_lines(chars, page=1, width=100)]
        ['ab c']
    """
    chars = repair_thai_nikhahit(list(chars))
    spaces = sum(1 for c in chars if not c["text"].strip())
    if spaces >= 0.05 * len(chars):
        # the page sets its word spaces as characters: a bare gap must be wider to count
        gap_ratio = max(gap_ratio, EXPLICIT_SPACE_GAP_RATIO)
    lines: list[Line] = []
    for row in group_rows(chars):
        for segment in split_segments(row):
            line = segment_to_line(segment, page=page, gap_ratio=gap_ratio)
            if line is not None:
                lines.append(line)
    gutter = find_gutter(lines, width=width)
    if gutter is not None:
        return order_columns(lines, gutter)
    return lines
