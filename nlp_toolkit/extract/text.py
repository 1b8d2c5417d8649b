"""Read Markdown and plain-text laws into clean lines.

``read_text`` decodes a file and hands it to the pure ``loads_text``. The Markdown handling
is the subset that converted legal texts use: ATX headings (``## 第一章 总 则`` becomes a
``Line`` with ``heading_level=2``), emphasis, escapes, links, bullet markers, code fences and
horizontal rules (dropped, their text kept), footnotes (``[^1]: ...`` and ``(^1) ...``
definitions go to ``footnotes``; ``[^1]``/``^1`` references are removed), an ``INFO`` header
ending in ``<!-- INFO END -->`` or YAML front matter (to ``metadata``), and ``**Key** value``
lines before the first heading (also to ``metadata``; the lines stay in the text).

Each paragraph becomes one ``Line``: lines wrapped inside a paragraph are joined (no space
between CJK characters, one space otherwise), but a line that starts with an enumerator
(``(a)``, ``1.2``, ``（一）``, ``第五条`` ...) or that follows a short line ending a sentence
starts a new ``Line``. Page furniture is moved to ``removed``: page numbers (``12``,
``- 12 -``, ``Page 3 of 9``) by pattern and short lines that repeat four or more times
(running headers) by repetition.

Pages: a form feed (``\\f``) starts a new page; without one every line is on page 1.
Printed page-number lines are *not* used to number pages, because converted Markdown often
keeps only some of them.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from nlp_toolkit.errors import ExtractionError
from nlp_toolkit.extract.scripts import CJK_JOIN_RE
from nlp_toolkit.records import ExtractedDocument, Line

#: Lines repeated at least this often (short, no sentence end) are running headers.
REPEAT_THRESHOLD = 4
_REPEAT_MAX_LEN = 60

# CJK ideographs, kana, CJK and full-width punctuation: joined without spaces.
_CJK_RE = CJK_JOIN_RE
_ENUM_RE = re.compile(
    r"""^(?:
      [(（]\s?(?:\d{1,3}[A-Za-z]{0,2}|[A-Za-z]{1,2}|[ivxlcdmIVXLCDM]{1,6}|[一二三四五六七八九十]{1,3})\s?[)）]
    | (?:\d{1,3}[A-Za-z]{0,2}|[A-Za-z]{1,2}|[ivxlcdm]{1,6})\)(?=\s)
    | \d{1,3}(?:\s?\.\d{1,3})+\.?(?=\s|$)
    | \d{1,3}[A-Za-z]?\.(?=\s)
    | [A-Za-z]\.(?=\s)
    | [-–—•·▪●◦]\s
    | 第[\d一二三四五六七八九十百千零〇两]+[条章节编款项部分]
    | [一二三四五六七八九十]{1,3}[、．]
    )""",
    re.VERBOSE,
)
_SENTENCE_END_RE = re.compile(r"[.;:!?。；：！？][\"'”’)\]）]*$")
_PAGE_NUMBER_RES = (
    re.compile(r"^[-–—]\s*(?:\d{1,4}|[ivxlcdm]{1,6})\s*[-–—]$", re.IGNORECASE),
    re.compile(r"^\d{1,4}$"),
    re.compile(r"^(?:page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$", re.IGNORECASE),
    re.compile(r"^\d{1,4}\s*(?:of|/)\s*\d{1,4}$", re.IGNORECASE),
    re.compile(r"^第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?$"),
)
# (?<!...) guards and possessive quantifiers keep these linear on long runs of spaces or
# dots (tests/test_hostile.py): a match may only start where a run starts
_TRAILING_PAGE_RE = re.compile(r"(?<!\s)\s++[-–—]\s*+\d{1,4}\s*+[-–—]\s*$")
_DOT_LEADER_RE = re.compile(r"(?<![.\s])\s*+(?:\.\s?){4,}+\s*\d*\s*$")

# Markdown syntax
_HEADING_RE = re.compile(r"^\s{0,3}(#{1,6})(?:\s+(.*?))?\s*#*\s*$")
_SETEXT_H1_RE = re.compile(r"^\s{0,3}=+\s*$")
_RULE_RE = re.compile(r"^\s{0,3}(?:(?:-\s*){3,}|(?:_\s*){3,}|(?:\*\s*){3,})$")
_FENCE_RE = re.compile(r"^\s{0,3}(?:`{3,}|~{3,})")
_FOOTNOTE_DEF_RE = re.compile(r"^\s{0,3}(?:\[\^([^\]]+)\]:|\(\^(\d+)\))\s*(.*)$")
_FOOTNOTE_REF_RE = re.compile(r"\[\^[^\[\]]+\]|\^\d+")
_INFO_END_RE = re.compile(r"<!--\s*INFO END\s*-->", re.IGNORECASE)
_YAML_RE = re.compile(r"\A---\n(.*?)\n(?:---|\.\.\.)\n", re.DOTALL)
_KEY_VALUE_RE = re.compile(r"^\*\*([^*]+?)\*\*\s*:?\s*(.+)$")
_BULLET_RE = re.compile(r"^\s*[-*+]\s+(?=\S)")
_QUOTE_RE = re.compile(r"^\s*(?:>\s?)+")
_TABLE_SEP_RE = re.compile(
    r"^\s*+\|?\s*+:?-{3,}+:?\s*+(?:\|\s*+:?-{3,}+:?\s*+)*+\|?\s*$")
# spans never cross their own delimiter, so an unclosed one costs its distance to the next
# delimiter, not the rest of the line (no quadratic time on "_a _a _a ...")
_LINK_RE = re.compile(r"!?\[([^\[\]]*)\]\([^()]*\)")
_EMPHASIS_RES = (
    re.compile(r"\*\*(?=\S)((?:[^*]|\*(?!\*))+?)(?<=\S)\*\*"),
    re.compile(r"(?<!\w)__(?=\S)((?:[^_]|_(?!_))+?)(?<=\S)__(?!\w)"),
    re.compile(r"(?<![\w*])\*(?=[^\s*])([^*]+?)(?<=[^\s*])\*(?![\w*])"),
    re.compile(r"(?<![\w_])_(?=[^\s_])([^_]+?)(?<=[^\s_])_(?![\w_])"),
)
_CODE_SPAN_RE = re.compile(r"`([^`]+)`")
_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~\"'])")
_BOLD_LINE_RE = re.compile(r"^\*\*[^*].*\*\*$|^__[^_].*__$")
_DATE_RE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")


def decode_text(data: bytes) -> str:
    """Decode a text file's bytes: UTF-8 (with or without BOM), or UTF-16/32 with a BOM.

    Raises:
        ExtractionError: if the bytes are not valid UTF-8 (no silent mojibake).

    >>> decode_text("第一条".encode("utf-8-sig"))
    '第一条'
    """
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        encoding = "utf-32"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        name = "UTF-8" if encoding == "utf-8-sig" else encoding.upper()
        raise ExtractionError(
            f"is not valid {name} at byte {exc.start} "
            f"({data[exc.start:exc.start + 4]!r}); re-save it as UTF-8"
        ) from exc


def read_text(path: str | Path, *, markdown: bool | None = None) -> ExtractedDocument:
    """Read a Markdown or plain text file.

    Args:
        path: The file.
        markdown: Interpret Markdown; by default when the suffix is ``.md``/``.markdown``.

    Raises:
        ExtractionError: the file cannot be read or is not valid UTF-8/UTF-16.
    """
    p = Path(path)
    try:
        text = decode_text(p.read_bytes())
    except OSError as exc:
        raise ExtractionError(f"{p}: cannot read it ({exc.strerror or exc})") from exc
    except ExtractionError as exc:
        raise ExtractionError(f"{p} {exc}") from exc
    if markdown is None:
        markdown = p.suffix.lower() in {".md", ".markdown"}
    return loads_text(text, markdown=markdown)


def is_enumerator_start(line: str) -> bool:
    """True when ``line`` starts with a list or provision number: ``(a)``, ``1.2``, ``第五条``."""
    return bool(_ENUM_RE.match(line))


def starts_new_paragraph(prev: str, line: str) -> bool:
    """Whether ``line`` starts a new paragraph after the source line ``prev`` (both stripped).

    A new paragraph starts at an enumerator, at a change between an all-capitals title
    line and ordinary text, and after a sentence end when ``line`` starts like a sentence.
    Splitting a paragraph at a sentence boundary costs little; joining two provisions
    into one line would hide the second from the segmenter.
    """
    if is_enumerator_start(line):
        return True
    if _is_caps(prev) != _is_caps(line):  # "PREAMBLE" then "The Parties ...", or the reverse
        return True
    if _SENTENCE_END_RE.search(prev):
        first = line[:1]
        return first.isupper() or first.isdigit() or bool(_CJK_RE.match(first)) or first in "“\"‘'"
    return False


def _is_caps(text: str) -> bool:
    """An all-capitals line with at least six letters (a title, not a wrapped sentence)."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 6 and all(c.isupper() for c in letters)


def join_wrapped(a: str, b: str) -> str:
    """Join two pieces of a wrapped paragraph: no space next to CJK, none after ``word-``."""
    if not a or not b:
        return a + b
    if _CJK_RE.match(a[-1]) or _CJK_RE.match(b[0]):
        return a + b
    if a.endswith("-") and len(a) > 1 and a[-2].isalpha() and b[0].islower():
        return a + b
    return f"{a} {b}"


def is_bare_enumerator(text: str) -> bool:
    """True for a line that is only an enumerator (``(a)``, ``3.``, ``(iv)``, ``（一）``)."""
    match = _ENUM_RE.match(text + " ")
    return match is not None and match.end() >= len(text)


def normalize_space(text: str) -> str:
    """Collapse runs of whitespace (spaces, tabs, NBSPs, ideographic spaces) to one space."""
    return " ".join(text.split())


def is_page_number(text: str) -> bool:
    """True for a line that is only a page number (``12``, ``- 12 -``, ``Page 3 of 9``)."""
    s = text.strip()
    return any(r.match(s) for r in _PAGE_NUMBER_RES)


def _strip_comments(text: str) -> str:
    """Remove ``<!-- ... -->`` comments; an unclosed one stays (linear time, pure)."""
    out: list[str] = []
    i = 0
    while (j := text.find("<!--", i)) != -1:
        k = text.find("-->", j + 4)
        if k == -1:
            break
        out.append(text[i:j])
        i = k + 3
    out.append(text[i:])
    return "".join(out)


def _clean_inline(text: str) -> str:
    """Strip inline Markdown (footnote refs, links, code, emphasis, escapes) from one line."""
    text = _FOOTNOTE_REF_RE.sub("", text)
    text = _LINK_RE.sub(r"\1", text)
    text = _CODE_SPAN_RE.sub(r"\1", text)
    for regex in _EMPHASIS_RES:
        text = regex.sub(r"\1", text)
    return normalize_space(_ESCAPE_RE.sub(r"\1", text))


@dataclass
class _Raw:
    """One source line after block-level classification."""

    kind: str  # "text" | "heading" | "break" | "footnote" | "noise"
    text: str
    page: int
    level: int = 0
    bold: bool = False  # a bold-only line or a "**Key** value" field: stands alone
    item: bool = False  # a bullet-list item: starts a new line


def _classify(lines: list[tuple[int, str]], *, markdown: bool) -> list[_Raw]:
    raws: list[_Raw] = []
    in_footnote = False
    for page, raw in lines:
        if not raw.strip():
            raws.append(_Raw("break", "", page))
            in_footnote = False
            continue
        if markdown:
            if _FENCE_RE.match(raw) or _RULE_RE.match(raw) or _TABLE_SEP_RE.match(raw):
                raws.append(_Raw("break", "", page))
                in_footnote = False
                continue
            if _SETEXT_H1_RE.match(raw) and raws and raws[-1].kind == "text":
                raws[-1].kind, raws[-1].level = "heading", 1
                continue
            heading = _HEADING_RE.match(raw)
            if heading:
                text = _clean_inline(heading.group(2) or "")
                text = _DOT_LEADER_RE.sub("", text)
                if is_page_number(text):
                    raws.append(_Raw("noise", text, page))
                elif text:
                    trailing = _TRAILING_PAGE_RE.search(text)
                    if trailing:
                        raws.append(_Raw("noise", trailing.group().strip(), page))
                        text = text[: trailing.start()]
                    raws.append(_Raw("heading", text, page, level=len(heading.group(1))))
                in_footnote = False
                continue
            note = _FOOTNOTE_DEF_RE.match(raw)
            if note:
                label = note.group(1) or note.group(2)
                raws.append(_Raw("footnote", f"{label} {_clean_inline(note.group(3))}", page))
                in_footnote = True
                continue
            if in_footnote:
                raws[-1].text = join_wrapped(raws[-1].text, _clean_inline(raw))
                continue
            # A bold-only line is a pseudo-heading; "**Key** value" a field: both stand alone.
            bold = bool(_BOLD_LINE_RE.match(raw.strip()) or _KEY_VALUE_RE.match(raw.strip()))
            body = _QUOTE_RE.sub("", raw)
            item = bool(_BULLET_RE.match(body)) and not is_page_number(body)
            body = _BULLET_RE.sub("", body) if item else body
            if body.lstrip().startswith("|"):
                body = " | ".join(c.strip() for c in body.strip().strip("|").split("|"))
            text = _clean_inline(body)
        else:
            bold, item, text = False, False, normalize_space(raw)
        if not text:
            continue
        kind = "noise" if is_page_number(text) else "text"
        raws.append(_Raw(kind, text, page, bold=bold, item=item))
    return raws


def _repeated_lines(raws: list[_Raw]) -> set[str]:
    counts = Counter(r.text for r in raws if r.kind == "text" and len(r.text) <= _REPEAT_MAX_LEN)
    return {
        text
        for text, n in counts.items()
        if n >= REPEAT_THRESHOLD
        and not is_enumerator_start(text)
        and not _SENTENCE_END_RE.search(text)
        and not text.endswith((",", "，", "、"))
    }


@dataclass
class _Builder:
    lines: list[Line] = field(default_factory=list)
    footnotes: list[Line] = field(default_factory=list)
    removed: list[Line] = field(default_factory=list)
    block: list[_Raw] = field(default_factory=list)

    def flush(self) -> None:
        if not self.block:
            return
        current = prev = self.block[0]
        text = current.text
        for raw in self.block[1:]:
            if (
                current.bold
                or raw.bold
                or raw.item
                or starts_new_paragraph(prev.text, raw.text)
            ):
                self.lines.append(Line(text=text, page=current.page, bold=current.bold))
                current, text = raw, raw.text
            else:
                text = join_wrapped(text, raw.text)
            prev = raw
        self.lines.append(Line(text=text, page=current.page, bold=current.bold))
        self.block = []


def _assemble(raws: list[_Raw], *, repeats: bool = True
              ) -> tuple[list[Line], list[Line], list[Line]]:
    repeated = _repeated_lines(raws) if repeats else set()
    out = _Builder()
    for raw in raws:
        if raw.kind == "noise" or (raw.kind == "text" and raw.text in repeated):
            # Page furniture does not end the paragraph it interrupts.
            out.removed.append(Line(text=raw.text, page=raw.page))
        elif raw.kind == "text":
            out.block.append(raw)
        else:
            out.flush()
            if raw.kind == "heading":
                out.lines.append(Line(text=raw.text, page=raw.page, heading_level=raw.level))
            elif raw.kind == "footnote":
                out.footnotes.append(Line(text=raw.text, page=raw.page))
    out.flush()
    lines: list[Line] = []
    for line in out.lines:  # "(a)" alone, then its text: one line
        if lines and not line.heading_level and is_bare_enumerator(lines[-1].text):
            lines[-1] = replace(lines[-1], text=f"{lines[-1].text} {line.text}")
        else:
            lines.append(line)
    return lines, out.footnotes, out.removed


def _front_matter(text: str) -> tuple[str, dict[str, str]]:
    """Split off YAML front matter (``key: value`` lines) into metadata."""
    match = _YAML_RE.match(text)
    if not match:
        return text, {}
    meta: dict[str, str] = {}
    for row in match.group(1).splitlines():
        key, sep, value = row.partition(":")
        if sep and key.strip() and not row.startswith((" ", "\t")):
            meta[_slug(key)] = value.strip().strip("\"'")
    return text[match.end():], meta


def _slug(key: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", key.strip().lower()).strip("_") or "field"


def _info_header(header: str) -> dict[str, str]:
    """Metadata of a Chinese law's INFO header: the ``# title`` line and the date lines."""
    meta: dict[str, str] = {}
    info: list[str] = []
    for row in header.splitlines():
        heading = _HEADING_RE.match(row)
        if heading and heading.group(2) and "title" not in meta:
            meta["title"] = _clean_inline(heading.group(2))
        elif row.strip():
            info.append(_clean_inline(row))
    if info:
        meta["info"] = "\n".join(info)
        dates = [f"{y}-{int(m):02d}-{int(d):02d}" for y, m, d in _DATE_RE.findall(meta["info"])]
        if dates:
            meta["dates"] = ";".join(dates)
    return meta


def loads_text(text: str, *, markdown: bool = True, repeats: bool = True) -> ExtractedDocument:
    """Turn the text of a law (Markdown or plain) into an ``ExtractedDocument``.

    Args:
        text: the decoded file content.
        markdown: interpret Markdown syntax; ``False`` keeps every character but still
            joins wrapped paragraphs and removes page furniture.
        repeats: remove short lines repeated four times or more as running headers;
            ``False`` where the caller removed the furniture itself (a gazette's
            "Bagian Kesatu" and "Ayat (1)" repeat and are text).

    >>> doc = loads_text("# 法\\n\\n<!-- INFO END -->\\n\\n## 第一章 总 则\\n\\n第一条 为了保护。")
    >>> [(line.text, line.heading_level) for line in doc.lines]
    [('法', 1), ('第一章 总 则', 2), ('第一条 为了保护。', 0)]
    >>> doc.metadata["title"]
    '法'
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    metadata: dict[str, str] = {}
    if markdown:
        text, metadata = _front_matter(text)
        info_end = _INFO_END_RE.search(text)
        if info_end:
            metadata.update(_info_header(text[: info_end.start()]))
        text = _strip_comments(text)
    pages = text.split("\f")
    numbered = [(n, row) for n, page in enumerate(pages, start=1) for row in page.split("\n")]
    raws = _classify(numbered, markdown=markdown)
    if markdown:
        for raw in raws:  # "**Key** value" lines before the first heading
            if raw.kind == "heading":
                metadata.setdefault("title", raw.text)
                break
        for _, row in numbered:
            if _HEADING_RE.match(row):
                break
            kv = _KEY_VALUE_RE.match(row.strip())
            if kv:
                metadata.setdefault(_slug(kv.group(1)), _clean_inline(kv.group(2)))
    lines, footnotes, removed = _assemble(raws, repeats=repeats)
    return ExtractedDocument(
        lines=tuple(lines),
        page_count=len(pages),
        footnotes=tuple(footnotes),
        removed=tuple(removed),
        metadata=metadata,
    )
