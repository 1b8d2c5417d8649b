"""Records that flow between the stages: frozen dataclasses, no I/O.

The data flow is ``file -> extract (ExtractedDocument of Lines) -> segment (Provisions)
-> store -> score (ProvisionScores)``. Every stage after extraction is a pure function of
these records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Level = Literal[
    "preamble",  # front matter: title, arrangement of sections, recitals before the first unit
    "part",
    "chapter",
    "section",  # a numbered section of a statute (Singapore "26.", Thai "Section 28"), or a
    #             sub-chapter container ("第一节", "Division 1") that groups articles
    "article",
    "paragraph",
    "item",
    "schedule",
    "annex",
    "elucidations",  # an Indonesian law's official elucidation (PENJELASAN), after the body
    "elucidation",  # its explanation of one article: DOC:Penjelasan 5 explains DOC:5
    "translations",  # a translation printed with the law (a web page's second tab), after it
    "translation",  # its rendering of one article: DOC:en 26 translates DOC:26
]

#: Levels below an article or section.
SUB_LEVELS: frozenset[str] = frozenset({"paragraph", "item"})


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a document's clean text, with where it sits on its page.

    ``text`` never contains a newline. For formats without pages (Markdown, XML) ``page``
    is 1 and the positions are 0. ``hint`` lets a reader that knows the structure for
    certain (ToTA XML articles, Markdown headings) tell the segmenter: a tuple
    ``(level, number, heading)`` meaning "this line starts a unit of this level".
    ``heading_level`` is the Markdown ``#`` depth (0 for none). ``language`` is set
    (ISO 639-1) on the lines of a translation that a reader keeps after the document's own
    text (a web page that prints the law and its translation); ``""`` on the document's
    own lines.
    """

    text: str
    page: int = 1
    x0: float = 0.0
    top: float = 0.0
    x1: float = 0.0
    bottom: float = 0.0
    size: float = 0.0
    bold: bool = False
    italic: bool = False
    heading_level: int = 0
    hint: tuple[str, str, str] | None = None
    language: str = ""


@dataclass(frozen=True, slots=True)
class ExtractedDocument:
    """What a reader returns: the body lines in reading order, and what was kept apart.

    The document's *clean text* is ``"\\n".join(line.text for line in lines)``; every
    provision's ``char_start``/``char_end`` are offsets into it.
    """

    lines: tuple[Line, ...]
    page_count: int
    footnotes: tuple[Line, ...] = ()
    scanned_pages: tuple[int, ...] = ()  # 1-based pages that had no text layer
    removed: tuple[Line, ...] = ()  # running headers, footers, page numbers (kept for audit)
    metadata: dict[str, str] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The clean text: the lines joined by newlines."""
        return "\n".join(line.text for line in self.lines)

    @property
    def is_scanned(self) -> bool:
        """True when no page has a text layer (an image-only document)."""
        return self.page_count > 0 and len(self.scanned_pages) == self.page_count


@dataclass(frozen=True, slots=True)
class Provision:
    """A unit of a legal text: part, chapter, article/section, paragraph, item, schedule.

    ``number`` is normalised as in ``spec/cli.md`` (``26``, ``48B``, ``12.15``, ``38``,
    ``(1)``, ``(a)``, ``Chapter 12``, ``Schedule 1``). ``ref`` is ``DOC_ID:NUMBER`` for
    top-level units and ``DOC_ID:26(1)(a)`` for sub-units; it is unique within a document.
    ``char_start``/``char_end`` are offsets into the document's clean text and cover the
    unit with all its descendants. ``text`` is exactly ``clean_text[char_start:char_end]``.
    ``level`` is one of ``preamble`` (front matter before the first unit), ``part``,
    ``chapter``, ``section`` (a statute's section, or a container such as 第一节 or
    "Division 1" that groups articles), ``article``, ``paragraph``, ``item``, ``schedule``,
    ``annex``.
    """

    doc_id: str
    ref: str
    number: str
    heading: str
    level: str
    parent_ref: str | None
    path: str
    page_start: int
    page_end: int
    char_start: int
    char_end: int
    text: str
    ordinal: int = 0  # position in document order (0-based)


Bindingness = Literal["hard", "soft", "none"]
Direction = Literal["liberalizing", "restrictive", "neutral"]


@dataclass(frozen=True, slots=True)
class Evidence:
    """The characters of a provision that drove a topic: ``text == provision[char_start:char_end]``.

    ``source`` is ``lexicon`` (a term match) or ``embedding`` (the best-matching sentence).
    """

    topic: str
    text: str
    char_start: int
    char_end: int
    source: str = "lexicon"
    weight: float = 1.0


@dataclass(frozen=True, slots=True)
class ProvisionScore:
    """The scores of one provision.

    Attributes:
        topics: probability per topic id, in taxonomy order.
        labels: the asserted topics (probability at or above the topic's threshold).
        bindingness: ``hard`` / ``soft`` / ``none``.
        bindingness_score: 0-1 strength of the strongest obligation (hard 1, soft ~0.5).
        direction: ``liberalizing`` / ``restrictive`` / ``neutral``.
        evidence: spans behind each asserted topic.
    """

    topics: dict[str, float]
    labels: tuple[str, ...]
    bindingness: Bindingness
    bindingness_score: float
    direction: Direction
    evidence: tuple[Evidence, ...] = field(default=())
