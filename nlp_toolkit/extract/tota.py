"""Read ToTA treaty XML (``<treaty><meta/><body><chapter><article>``) into clean lines.

ToTA (Texts of Trade Agreements) gives every treaty a two-level structure: chapters and
articles, each with a unique identifier. The reader tells the segmenter that structure
for certain through ``Line.hint``:

- each chapter with a ``number`` or ``name`` attribute gets a heading line
  (``"CHAPTER 14 Electronic Commerce"``) with ``hint=("chapter", chapter_identifier, name)``;
  a chapter with neither (ToTA's unnamed preamble, body or closing chapters) gets no line;
- each article's first line carries ``hint=("article", article_identifier, name)``. It is the
  printed ``number`` and ``name`` (``"ARTICLE 14.1 Definitions"``) where the attributes exist,
  otherwise the article's own first line of text.

Article text keeps every character (whitespace aside). Paragraphs are separated by blank
lines, or by runs of two or more spaces before a new sentence or an enumerator
(``"...Parties.  2. Each Party..."``); wrapped lines inside a paragraph are joined.

Parsing goes through ``defusedxml``: DTD entities (billion laughs) and external entities
raise ``ExtractionError``.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as DET

from nlp_toolkit.errors import ExtractionError
from nlp_toolkit.extract.text import (
    is_bare_enumerator,
    is_enumerator_start,
    join_wrapped,
    normalize_space,
    starts_new_paragraph,
)
from nlp_toolkit.records import ExtractedDocument, Line

#: ``<meta>`` children copied to ``ExtractedDocument.metadata`` as text.
META_FIELDS = (
    "name", "type", "wto_rta_id", "treaty_identifier", "status", "notification",
    "date_signed", "date_into_force", "date_notification", "end_implementation",
    "date_inactive", "composition", "region", "parties_wto", "crossregional", "language",
    "related_agreement_wto_id",
)

_BLANK_LINE_RE = re.compile(r"\n[ \t\u00a0\u3000\r]*\n")
_DOUBLE_SPACE_RE = re.compile(r"(?<=\S) {2,}(?=\S)")
_SENTENCE_END_RE = re.compile(r"[.;:!?。；：！？][\"'”’)\]）]*$")
_NUMBER_WORD_RE = re.compile(r"^(?:article|artículo|articulo|article|art\.?)\s*", re.IGNORECASE)


def read_tota(path: str | Path) -> ExtractedDocument:
    """Read one ToTA XML file.

    Raises:
        ExtractionError: the file cannot be read, is not well-formed, uses entities, or is
            not a ToTA ``<treaty>``; the message names the file.
    """
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise ExtractionError(f"{p}: cannot read it ({exc.strerror or exc})") from exc
    try:
        return loads_tota(data)
    except ExtractionError as exc:
        raise ExtractionError(f"{p}: {exc}") from exc


def parse_treaty(data: bytes) -> Element:
    """Parse ToTA XML safely and return its ``<treaty>`` root.

    Raises:
        ExtractionError: malformed XML, any entity declaration or external reference, or a
            root element other than ``<treaty>``.
    """
    try:
        root = DET.fromstring(data)
    except defusedxml.DefusedXmlException as exc:
        raise ExtractionError(
            f"XML declares entities or external references ({type(exc).__name__}), which are "
            "refused for safety; remove the DTD"
        ) from exc
    except ParseError as exc:
        raise ExtractionError(f"is not well-formed XML ({exc}); the file may be truncated") from exc
    if root.tag != "treaty":
        raise ExtractionError(
            f"is XML with root <{root.tag}>, not a ToTA <treaty>; only ToTA treaty XML is supported"
        )
    return root


def _metadata(root: Element) -> dict[str, str]:
    meta: dict[str, str] = {}
    node = root.find("meta")
    if node is None:
        return meta
    for name in META_FIELDS:
        value = normalize_space(node.findtext(name) or "")
        if value:
            meta[name] = value
    for group in ("parties", "parties_original"):
        codes = [normalize_space(p.text or "") for p in node.iterfind(f"{group}/partyisocode")]
        if any(codes):
            meta[group] = ";".join(c for c in codes if c)
    return meta


def split_paragraphs(text: str) -> list[str]:
    """Split one article's text into paragraphs with normalised whitespace.

    Blank lines always separate paragraphs; single newlines are wraps unless the next line
    starts an enumerator or a new sentence (see ``starts_new_paragraph``); runs of 2+
    spaces separate paragraphs before an enumerator or after a sentence end, never right after an
    enumerator (``"(a)  the Party"`` stays one line).

    >>> split_paragraphs("Preamble \\n\\nThe Parties,\\n  resolved to:  (a) trade;")
    ['Preamble', 'The Parties, resolved to:', '(a) trade;']
    """
    out: list[str] = []
    for block in _BLANK_LINE_RE.split(text.replace("\r\n", "\n").replace("\r", "\n")):
        rows = [row.strip(" \t\u00a0\u3000") for row in block.split("\n")]
        rows = [row for row in rows if row.strip()]
        if not rows:
            continue
        if len(rows) == 1:
            out.extend(_split_double_spaces(rows[0]))
            continue
        para = prev = rows[0]
        joined: list[str] = []
        for row in rows[1:]:
            if starts_new_paragraph(prev.rstrip(), row.lstrip()):
                joined.append(para)
                para = row
            else:
                para = join_wrapped(para, row)
            prev = row
        joined.append(para)
        for para in joined:
            out.extend(_split_double_spaces(para))
    merged: list[str] = []
    for para in out:  # "(a)" alone, then its text: one paragraph
        if merged and is_bare_enumerator(merged[-1]):
            merged[-1] = f"{merged[-1]} {para}"
        else:
            merged.append(para)
    return merged


def _split_double_spaces(para: str) -> list[str]:
    if "  " not in para:
        text = normalize_space(para)
        return [text] if text else []
    pieces = [normalize_space(p) for p in _DOUBLE_SPACE_RE.split(para)]
    pieces = [p for p in pieces if p]
    if not pieces:
        return []
    out = [pieces[0]]
    last = pieces[0]  # the piece just before the gap, not the whole accumulated line
    for piece in pieces[1:]:
        after_enumerator = is_bare_enumerator(last)
        new_sentence = bool(_SENTENCE_END_RE.search(last)) and (
            piece[:1].isupper() or piece[:1] in "“\"'‘"
        )
        if not after_enumerator and (is_enumerator_start(piece) or new_sentence):
            out.append(piece)
        else:
            out[-1] = f"{out[-1]} {piece}"
        last = piece
    return out


def _article_number(number: str) -> str:
    """``"ARTICLE 14.1"`` -> ``"14.1"``; ``"ARTÍCULO 1.03"`` -> ``"1.03"``."""
    return _NUMBER_WORD_RE.sub("", number).strip()


class _Ids:
    """Hands out unique unit identifiers, falling back when the XML has none."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.warnings: list[str] = []

    def take(self, kind: str, given: str, fallback: str, ordinal: int) -> str:
        ident = given or fallback or str(ordinal)
        if not given:
            self.warnings.append(
                f"{kind} {ordinal} has no {kind}_identifier; using {ident!r}"
            )
        base, n = ident, 2
        while ident in self.used:
            ident = f"{base}-{n}"
            n += 1
        if ident != base:
            self.warnings.append(f"{kind} identifier {base!r} repeats; using {ident!r}")
        self.used.add(ident)
        return ident


def loads_tota(data: bytes) -> ExtractedDocument:
    """Turn ToTA treaty XML bytes into an ``ExtractedDocument`` (pure).

    Metadata comes from ``<meta>`` (``parties`` joined by ``;``). All lines are on page 1.

    Raises:
        ExtractionError: see ``parse_treaty``.

    >>> xml = (b'<treaty><meta><name>A - B</name></meta><body>'
    ...        b'<chapter number="CHAPTER 1" name="Scope" chapter_identifier="7">'
    ...        b'<article number="ARTICLE 1.1" name="Scope" article_identifier="70">'
    ...        b'This Agreement applies.</article></chapter></body></treaty>')
    >>> for line in loads_tota(xml).lines:
    ...     print(line.text, line.hint)
    CHAPTER 1 Scope ('chapter', '7', 'Scope')
    ARTICLE 1.1 Scope ('article', '70', 'Scope')
    This Agreement applies. None
    """
    root = parse_treaty(data)
    metadata = _metadata(root)
    body = root.find("body")
    if body is None:
        raise ExtractionError("ToTA <treaty> has no <body>; the file is incomplete")
    lines: list[Line] = []
    chapter_ids, article_ids = _Ids(), _Ids()
    n_articles = 0
    for c_ord, chapter in enumerate(body.iter("chapter"), start=1):
        c_name = normalize_space(chapter.get("name", ""))
        c_number = normalize_space(chapter.get("number", ""))
        c_id = chapter_ids.take(
            "chapter", chapter.get("chapter_identifier", "").strip(), c_number, c_ord
        )
        heading = normalize_space(f"{c_number} {c_name}")
        if heading:
            lines.append(Line(text=heading, heading_level=1, hint=("chapter", c_id, c_name)))
        for article in chapter.iter("article"):
            n_articles += 1
            a_name = normalize_space(article.get("name", ""))
            a_number = normalize_space(article.get("number", ""))
            a_id = article_ids.take(
                "article", article.get("article_identifier", "").strip(),
                _article_number(a_number), n_articles,
            )
            paragraphs = split_paragraphs("".join(article.itertext()))
            hint = ("article", a_id, a_name)
            first = normalize_space(f"{a_number} {a_name}")
            if first:
                lines.append(Line(text=first, heading_level=2, hint=hint))
            elif paragraphs:
                lines.append(Line(text=paragraphs.pop(0), hint=hint))
            else:
                article_ids.warnings.append(f"article {a_id} is empty")
                continue
            lines.extend(Line(text=p) for p in paragraphs)
    if not lines:
        raise ExtractionError("ToTA <treaty> has no chapters or articles with text")
    return ExtractedDocument(
        lines=tuple(lines),
        page_count=1,
        metadata=metadata,
        warnings=tuple(chapter_ids.warnings + article_ids.warnings),
    )
