"""Read text extracted from Indonesian gazette PDFs (Lembaran Negara ``SALINAN`` copies).

The extraction marks each page (``--- HALAMAN 2 ---``) and keeps the page furniture of the
printed copy, which ``clean_gazette`` removes before the usual plain-text reader
(``text.loads_text``) joins the wrapped lines:

- the running header at the top of every page: ``PRESIDEN`` / ``REPUBLIK INDONESIA`` and
  the page number (``- 2 -``, or what is left of it: ``- 12``, `` 3``), and ``SALINAN``;
- the reference code of the print run (``SK No 016999 A``), wherever it is;
- the *catchword* at the foot of a page, which repeats the first words of the next page
  followed by dots (``Pasal 7 . . .``, ``c. bahwa . . .``, ``(2) Data .``), or without them
  when it is the whole first line of the next page; left in, it would be read as a second
  ``Pasal 7``.

Pages become form feeds, so every line keeps its page. A marker alone on its line
(``a.``, ``(1)``) is joined to the text that follows it, an item letter that the scan
read as a capital (``C.`` for ``c.``) is lower-cased, and an ayat number that lost its
closing bracket (``(1 Setiap``) gets it back. Article heads are put on lines of
their own (``Pasal 5``, ``BAB II``, ``Bagian Kesatu``, ``Paragraf 1``, ``PENJELASAN``), an
article number split by the extraction (``Pasal 4 1``) is joined, and in an amending law
(``Pasal I`` amends, ``Pasal II`` brings into force) the Roman ``Pasal I`` that the
extraction read as ``Pasal 1`` gets its numeral back, in the body and in the elucidation.

>>> clean_gazette("--- HALAMAN 1 ---\\nPRESIDEN\\nREPUBLIK INDONESIA\\nPasal 1\\nTeks satu.\\n"
...               "Pasal 2 . . .\\nSK No 000001 A\\n--- HALAMAN 2 ---\\nPRESIDEN\\n"
...               "REPUBLIK INDONESIA\\n- 2 -\\nPasal 2\\nTeks dua.").split("\\n")
['', 'Pasal 1', '', 'Teks satu.', '\\x0c', '', 'Pasal 2', '', 'Teks dua.']
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from nlp_toolkit.errors import ExtractionError
from nlp_toolkit.extract.text import decode_text, loads_text, normalize_space
from nlp_toolkit.records import ExtractedDocument

__all__ = ["clean_gazette", "is_gazette", "loads_gazette", "read_gazette"]

_PAGE_RE = re.compile(r"^\s*-{2,}\s*HALAMAN\s+\d+\s*-{2,}\s*$", re.MULTILINE)
# the scans' capitals come out in mixed case ("RepUBlIK INDOnESIA"), page numbers as
# "- 12 -", "- 12", ". 41 -" or a bare "3"
_HEADER_RE = re.compile(
    r"^(?:PRESIDEN|REPUBLIK INDONESIA|PRESIDEN REPUBLIK INDONESIA|SALINAN|"
    r"[-.–]?\s*\d{1,3}\s*[-–]?|[-–]\s*[-–]?)$",
    re.IGNORECASE,
)
#: Lines at the top of a page that may be running header.
_HEADER_LINES = 5
_CODE_RE = re.compile(r"^SK\s*No\.?\s*\d{3,}\s*[A-Z]?$")
# a catchword: a few words, then dots set apart from them ("Pasal 7 . . .", "Data .")
_CATCHWORD_RE = re.compile(
    r"^(.{1,80}?)\s+\.(?:\s*[.:,;\-–]){0,4}$|^(.{1,80}?\S)\.(?:\s*[.:,;\-–]){1,4}$")
#: Structural heads that stand on a line of their own in the printed law (and "Pasal"
#: garbled by the scan: "Pukul 98", which the segmenter accepts only by its number).
_HEAD_RE = re.compile(
    r"^(?:Pasal\s+(?:\d{1,3}[A-Z]?|[IVX]{1,5})|BAB\s+[IVXLC]{1,7}|Bagian\s+Ke\w+|"
    r"Paragraf\s+\d{1,2}|PENJELASAN|PASAL DEMI PASAL|P[a-z]{3,5}\s+\d{1,3})$"
)
# Bagian is read as a sub-chapter; Paragraf (inside a Bagian) is not a unit yet: left plain,
# so that its title is not taken for the heading of the article under it
_SUBCHAPTER_RE = re.compile(r"^Bagian\s+Ke\w+(?:\s+Belas)?$")
# "(1 Penyelenggara ...": the scan lost the closing bracket of an ayat number
_OPEN_PAREN_RE = re.compile(r"^\((\d{1,2}[a-z]?)(?=\s|$)")
_BARE_MARKER_RE = re.compile(r"^(?:[a-z]\.|\(\d{1,2}[a-z]?\)|\d{1,2}\.)$")
# items are lettered in lower case; the scan reads c, o, s, v, w, x, z as capitals
_OCR_CAPITAL_RE = re.compile(r"^([COSVWXZ])(?=\.(?:\s|$))")
_SPLIT_NUMBER_RE = re.compile(r"^(Pasal)\s+(\d)\s+(\d{1,2})$")
_ROMAN_ONE_RE = re.compile(r"^Pasal\s+[1Il]$")
_ROMAN_TWO_RE = re.compile(r"^Pasal\s+(?:ll|lI|Il)$")
_AMENDING_RE = re.compile(r"\bPERUBAHAN\s+(?:KEDUA\s+|KETIGA\s+)?ATAS\b")


def is_gazette(text: str) -> bool:
    """True for gazette-extracted text: it starts with a ``--- HALAMAN 1 ---`` marker.

    >>> is_gazette("\\n--- HALAMAN 1 ---\\nPRESIDEN")
    True
    """
    return bool(_PAGE_RE.search(text[:200]))


def _strip_header(lines: list[str]) -> list[str]:
    k = 0
    while k < len(lines) and k < _HEADER_LINES and (
            not lines[k] or _HEADER_RE.match(lines[k])):
        k += 1
    return lines[k:]


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _is_catchword(line: str) -> bool:
    """Whether ``line``, the last of a page, is a catchword: a few words and spaced dots.

    Its words are not compared with the next page's: the extraction often drops or mangles
    the first words of a page ("e." of "e. pemrosesan"), and a law's own sentence never
    ends in a dot set apart from its last word.
    """
    m = _CATCHWORD_RE.match(line)
    if not m:
        return False
    words = _words(m.group(1) or m.group(2))
    return 0 < len(words) <= 8


def clean_gazette(text: str) -> str:
    """Remove page furniture from gazette text; pages become form feeds (``\\f``).

    Pure; see the module docstring for what is removed and what is mended.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    raw_pages = _PAGE_RE.split(text)
    if raw_pages and not raw_pages[0].strip():
        raw_pages = raw_pages[1:]
    pages = [_strip_header([normalize_space(x) for x in p.split("\n")]) for p in raw_pages]
    pages = [[x for x in p if not _CODE_RE.match(x)] for p in pages]
    for k, page in enumerate(pages):
        while page and not page[-1]:
            page.pop()
        following = next((x for x in pages[k + 1] if x), "") if k + 1 < len(pages) else ""
        if page and following and (_is_catchword(page[-1]) or (
                page[-1] == following and len(page[-1].split()) <= 8)):
            page.pop()  # a catchword, with its dots or without them ("Pasal 95")
    amending = bool(_AMENDING_RE.search(" ".join(" ".join(p[:40]) for p in pages[:2])))
    out: list[str] = []
    roman_done = False
    held = ""  # a bare item marker ("a.", "(1)") waiting for its text on the next line
    for k, page in enumerate(pages):
        if k:
            out.append("\f")
        for line in page:
            line = _SPLIT_NUMBER_RE.sub(r"\1 \2\3", line)
            line = _OCR_CAPITAL_RE.sub(lambda m: m.group(1).lower(), line)
            line = _OPEN_PAREN_RE.sub(r"(\1)", line)
            if _BARE_MARKER_RE.match(line):
                held = f"{held} {line}".strip()
                continue
            if held and line:
                line, held = f"{held} {line}", ""
            if amending and not roman_done and _ROMAN_ONE_RE.match(line):
                line, roman_done = "Pasal I", True
            elif amending and _ROMAN_TWO_RE.match(line):
                line = "Pasal II"  # "Pasal ll", "Pasal Il": letters, never an article number
            elif line == "PENJELASAN":
                roman_done = False  # the elucidation explains Pasal I, then the articles
            if _HEAD_RE.match(line):
                out.extend(["", line, ""])
            else:
                out.append(line)
    return "\n".join(out)


def loads_gazette(text: str) -> ExtractedDocument:
    """Clean gazette text (``clean_gazette``) and read it as plain text."""
    # the furniture is gone already; what repeats now ("Bagian Kesatu", "Ayat (1)") is text
    doc = loads_text(clean_gazette(text), markdown=False, repeats=False)
    lines = list(doc.lines)
    for k in range(len(lines) - 1):
        title = lines[k + 1].text
        if (_SUBCHAPTER_RE.match(lines[k].text) and len(title) <= 120
                and not title.endswith((".", ";", ",", ":")) and not _HEAD_RE.match(title)):
            # printed in bold: the segmenter takes a bold title under a bold number
            lines[k] = replace(lines[k], bold=True)
            lines[k + 1] = replace(lines[k + 1], bold=True)
    return replace(doc, lines=tuple(lines))


def read_gazette(path: str | Path) -> ExtractedDocument:
    """Read a gazette text file.

    Raises:
        ExtractionError: the file cannot be read or is not UTF-8/UTF-16.
    """
    p = Path(path)
    try:
        text = decode_text(p.read_bytes())
    except OSError as exc:
        raise ExtractionError(f"{p}: cannot read it ({exc.strerror or exc})") from exc
    except ExtractionError as exc:
        raise ExtractionError(f"{p} {exc}") from exc
    return loads_gazette(text)
