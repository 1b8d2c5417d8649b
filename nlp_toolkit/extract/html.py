"""Read a law published as a web page (LawPhil, Vietnamese legal portals) into clean lines.

``read_html`` decodes the bytes (``decode_html``) and hands the text to the pure
``loads_html``, which parses it with selectolax's lexbor engine (a maintained HTML5
parser), keeps the page's main content and turns each block (paragraph, heading, list
item, table row) into one ``Line``; headings keep their depth as ``heading_level`` and a
block whose text is all bold is ``bold``, as the segmenter expects from the other readers.

Main content, readability style: every text block credits its length (less the text of
its links) to its parent and, halved, to its grandparent; the container with the most
credit is the body of the law, and site navigation, menus, footers and adverts (short,
link-heavy blocks elsewhere) are left out. Scripts, styles, forms and frames are never
text. A page that holds the law twice, in its own language and in a (partial) translation
(thuvienphapluat.vn puts them in two tabs), has two strong containers: the one in the
document's ``language`` is the document, and the other, when its words are another
language's, is kept after it as a translation: its lines carry that ``language``, so the
segmenter makes them one ``translations`` unit with one ``translation`` unit per article
(``segment/translation.py``), never a second set of articles; ``metadata["translation"]``
names the language. The site's notices inside the translation (a subscription notice in
the site's language, the ``...`` that stands for the hidden text) are left out.

Encoding: a byte-order mark wins; otherwise bytes that are valid UTF-8 are UTF-8, whatever
the page declares (LawPhil pages declare windows-1252 but are UTF-8); otherwise the
declared charset, otherwise charset-normalizer's guess.

>>> doc = loads_html("<html><body><nav><a href='/'>Home</a></nav><div>"
...     "<p><b>Section 1.</b> <i>Short Title.</i> - This Act is the Example Act.</p>"
...     "<p><b>Section 2.</b> <i>Scope.</i> - It applies to every person in the land.</p>"
...     "</div></body></html>")
>>> for line in doc.lines: print(line.text)
Section 1. Short Title. - This Act is the Example Act.
Section 2. Scope. - It applies to every person in the land.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from nlp_toolkit.errors import ExtractionError
from nlp_toolkit.records import ExtractedDocument, Line

if TYPE_CHECKING:
    from selectolax.lexbor import LexborNode

__all__ = ["decode_html", "loads_html", "read_html"]

#: Elements whose content is never document text.
_DROP_TAGS = frozenset({
    "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas",
    "input", "select", "option", "button", "textarea", "nav", "head", "map",
})
#: Elements that start and end a line of text.
_BLOCK_TAGS = frozenset({
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
    "table", "tbody", "thead", "tfoot", "tr", "caption", "blockquote", "pre", "center", "dir",
    "section", "article", "main", "aside", "header", "footer", "address", "figure",
    "figcaption", "fieldset", "hr", "br", "body", "form", "menu",
})
#: Blocks whose text length is credited to their ancestors when choosing the main content.
_TEXT_BLOCKS = frozenset({"p", "li", "dd", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "td"})
_NESTED_BLOCKS = "p, div, table, li, dd, pre, h1, h2, h3, h4, h5, h6"
_CELL_TAGS = frozenset({"td", "th"})
_BOLD_TAGS = frozenset({"b", "strong", "h1", "h2", "h3", "h4", "h5", "h6"})
_HEADING_TAGS = {f"h{k}": k for k in range(1, 7)}
#: A second content container counts as an alternative (a translation, a second tab)
#: when its credit is at least this share of the best one's.
_ALTERNATIVE_SHARE = 0.3
_META_CHARSET_RE = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]{1,40})""", re.IGNORECASE)
_SPACE_RE = re.compile(r"\s+")

#: Inside a translation: a line that only stands for hidden text ("...", "…").
_ELISION_RE = re.compile(r"^[.\u2026\s]+$")
#: Inside a translation: the site's own notice, in English ("log in or subscribe to read").
_NOTICE_RE = re.compile(r"\b(?:log ?in|sign ?in|subscribe|subscription)\b.{0,80}"
                        r"\b(?:read|view|see)\b", re.IGNORECASE)
#: A container reads as a language when at least this share of its words are that
#: language's function words (English law text: ~0.25; another language's: ~0.01).
_LANGUAGE_SHARE = 0.1

#: Very frequent function words by language: which of two containers is in the document's
#: own language (a page and its translation share the script, so script alone cannot tell).
_FUNCTION_WORDS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split()) for lang, words in {
        "en": "the of and to in shall be or a by for any this that with is as",
        "vi": "của và các được trong có không người cho là với này theo những để",
        "id": "yang dan di dengan untuk dalam atau ini dari pada oleh sebagaimana",
        "ms": "yang dan di dengan untuk dalam atau ini dari pada oleh hendaklah",
        "tl": "ang ng sa mga na at ay para kung",
    }.items()
}


def decode_html(data: bytes) -> str:
    """Decode a web page: BOM, then strict UTF-8, then the declared charset, then a guess.

    Pages often declare one charset and are saved in another; valid UTF-8 with non-ASCII
    bytes is almost never anything else, so it wins over the declaration.

    >>> decode_html('<meta charset="windows-1252"><p>Điều 1</p>'.encode("utf-8"))[-13:]
    '<p>Điều 1</p>'
    >>> decode_html(b'<meta charset="windows-1252"><p>caf\\xe9</p>')[-11:]
    '<p>café</p>'
    """
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = _META_CHARSET_RE.search(data[:4096])
    if declared:
        name = declared.group(1).decode("ascii").lower()
        try:
            codecs.lookup(name)
        except LookupError:
            name = ""
        if name:
            return data.decode(name, errors="replace")
    from charset_normalizer import from_bytes  # only for pages that declare nothing usable

    best = from_bytes(data).best()
    if best is not None:
        return str(best)
    return data.decode("windows-1252", errors="replace")


def read_html(path: str | Path, *, language: str | None = None) -> ExtractedDocument:
    """Read a saved web page.

    Args:
        path: The file.
        language: The document's language (ISO 639-1); on a page that also carries a
            translation, the content in this language is kept.

    Raises:
        ExtractionError: the file cannot be read or holds no text.
    """
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise ExtractionError(f"{p}: cannot read it ({exc.strerror or exc})") from exc
    doc = loads_html(decode_html(data), language=language)
    if not doc.lines:
        raise ExtractionError(f"{p}: the page has no text content; save the page with its text")
    return doc


@dataclass
class _Walk:
    """Lines collected from a subtree: the open line's pieces and whether each is bold."""

    lines: list[Line] = field(default_factory=list)
    pieces: list[tuple[str, bool]] = field(default_factory=list)
    level: int = 0

    def flush(self) -> None:
        text = _SPACE_RE.sub(" ", "".join(t for t, _ in self.pieces)).strip()
        if text:
            bold = all(b for t, b in self.pieces if t.strip())
            self.lines.append(Line(text=text, bold=bold, heading_level=self.level))
        self.pieces = []
        self.level = 0


def _lines(root: LexborNode) -> list[Line]:
    """One line per block under ``root``; inline elements are joined into their block."""
    out = _Walk()
    bold = 0
    # an explicit stack, not recursion: a hostile page may nest elements thousands deep
    stack: list[tuple[LexborNode, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        tag = node.tag or ""
        if leaving:
            if tag in _BOLD_TAGS:
                bold -= 1
            if tag in _BLOCK_TAGS or tag in _HEADING_TAGS:
                out.flush()
            elif tag in _CELL_TAGS:
                out.pieces.append((" | ", True))
            continue
        if tag == "-text":
            out.pieces.append((node.text_content or "", bold > 0))
            continue
        if tag.startswith("-") or tag in _DROP_TAGS:
            continue
        if tag in _BLOCK_TAGS:
            out.flush()
        if tag in _HEADING_TAGS:
            out.level = _HEADING_TAGS[tag]
        if tag in _BOLD_TAGS:
            bold += 1
        stack.append((node, True))
        children = []
        child = node.child
        while child is not None:
            children.append(child)
            child = child.next
        stack.extend((c, False) for c in reversed(children))
    out.flush()
    return [row for row in map(_tidy_row, out.lines) if row.text.strip(" |")]


def _tidy_row(line: Line) -> Line:
    """A table row's trailing cell separator and empty cells go."""
    if " | " not in line.text and not line.text.endswith("|"):
        return line
    cells = [c.strip() for c in line.text.split("|")]
    text = " | ".join(c for c in cells if c)
    return line if not text else Line(text=text, bold=line.bold, heading_level=line.heading_level)


def _text_len(node: LexborNode) -> int:
    return len(_SPACE_RE.sub(" ", node.text(deep=True) or "").strip())


def _plain_len(node: LexborNode) -> int:
    """Text length less the text of links (navigation is mostly links)."""
    return _text_len(node) - sum(_text_len(a) for a in node.css("a[href]"))


def _credits(root: LexborNode) -> dict[int, tuple[float, LexborNode]]:
    """Readability credit per container: its text blocks' length, less their link text."""
    credit: dict[int, tuple[float, LexborNode]] = {}
    for block in root.css(", ".join(sorted(_TEXT_BLOCKS))):
        length = _text_len(block)
        if length < 25 or any(n.mem_id != block.mem_id for n in block.css(_NESTED_BLOCKS)):
            continue  # a layout cell or a list of lists: its inner blocks are counted
        value = _plain_len(block)
        parent = block.parent
        for share in (1.0, 0.5):
            if parent is None:
                break
            old = credit.get(parent.mem_id, (0.0, parent))[0]
            credit[parent.mem_id] = (old + share * value, parent)
            parent = parent.parent
    return credit


def _inside(node: LexborNode, other: LexborNode) -> bool:
    parent: LexborNode | None = node
    while parent is not None:
        if parent.mem_id == other.mem_id:
            return True
        parent = parent.parent
    return False


def _language_share(text: str, language: str) -> float:
    """Share of the words of ``text`` that are function words of ``language``."""
    words = _SPACE_RE.split(text.lower())[:5000]
    vocab = _FUNCTION_WORDS.get(language)
    if not vocab or not words:
        return 0.0
    return sum(w in vocab for w in words) / len(words)


def _language_of(text: str) -> str | None:
    """The language whose function words ``text`` uses most, if it uses them enough."""
    shares = {lang: _language_share(text, lang) for lang in _FUNCTION_WORDS}
    best = max(shares, key=lambda lang: shares[lang])
    return best if shares[best] >= _LANGUAGE_SHARE else None


def _main_content(body: LexborNode, language: str | None
                  ) -> tuple[LexborNode, list[tuple[LexborNode, str]]]:
    """The container that holds the law, and the translations beside it with their
    languages (see the module docstring)."""
    credit = sorted(_credits(body).values(), key=lambda c: -c[0])
    if not credit:
        return body, []
    best_score = credit[0][0]
    candidates: list[LexborNode] = []
    for score, node in credit:
        if score < _ALTERNATIVE_SHARE * best_score:
            break
        if any(_inside(node, c) or _inside(c, node) for c in candidates):
            continue
        candidates.append(node)
    chosen = candidates[0]
    if not language or len(candidates) == 1 or language not in _FUNCTION_WORDS:
        return chosen, []
    shares = [_language_share(c.text(deep=True) or "", language) for c in candidates]
    chosen = candidates[max(range(len(candidates)), key=lambda k: shares[k])]
    translations = []
    for node in candidates:
        other = None if node.mem_id == chosen.mem_id else _language_of(node.text(deep=True) or "")
        if other is not None and other != language:
            translations.append((node, other))
    return chosen, translations[:1]


def _translation_lines(node: LexborNode, language: str, own: str) -> list[Line]:
    """A translation's lines, marked with its language, less the site's notices: elisions,
    notices in English, and lines in the document's own language (the site's)."""
    out = []
    for line in _lines(node):
        text = line.text
        if _ELISION_RE.match(text) or _NOTICE_RE.search(text):
            continue
        if _language_share(text, own) > _language_share(text, language):
            continue
        out.append(replace(line, language=language))
    return out


def _drop_loose_links(container: LexborNode) -> None:
    """A link or anchor loose in the container, outside every paragraph, is the site's own
    (LawPhil's "The Lawphil Project - Arellano Law Foundation" credit), not the law's."""
    child = container.child
    while child is not None:
        following = child.next
        if child.tag == "a":
            child.decompose()
        child = following


def loads_html(text: str, *, language: str | None = None) -> ExtractedDocument:
    """Turn the text of a web page into an ``ExtractedDocument`` of its main content.

    Args:
        text: The decoded page.
        language: The document's language; see the module docstring.

    The page's ``<title>`` goes to ``metadata["title"]``; the page has no pages, so every
    line is on page 1.
    """
    from selectolax.lexbor import LexborHTMLParser  # parsed per page; cheap to import

    tree = LexborHTMLParser(text)
    metadata: dict[str, str] = {}
    title = tree.css_first("title")
    if title is not None and title.text(deep=True).strip():
        metadata["title"] = _SPACE_RE.sub(" ", title.text(deep=True)).strip()
    body = tree.body
    if body is None:
        return ExtractedDocument(lines=(), page_count=1, metadata=metadata)
    body.strip_tags(sorted(_DROP_TAGS))  # one call: decomposing node by node frees
    # nodes that a later match still points into
    main, translations = _main_content(body, language)
    lines = []
    for container, lang in [(main, ""), *translations]:
        _drop_loose_links(container)
        lines.extend(_lines(container) if not lang
                     else _translation_lines(container, lang, language or ""))
        if lang:
            metadata["translation"] = lang
    return ExtractedDocument(lines=tuple(lines), page_count=1, metadata=metadata)
