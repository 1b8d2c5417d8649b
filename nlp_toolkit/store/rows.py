"""The rows the index hands out and takes in: frozen dataclasses, no I/O."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

PROVISION_FIELDS = (
    "doc_id", "ref", "number", "heading", "level", "parent_ref", "path", "page_start",
    "page_end", "char_start", "char_end", "text",
)


@dataclass(frozen=True, slots=True)
class DocumentMeta:
    """What the index records about a document besides its text (from its manifest row)."""

    doc_id: str
    path: str
    sha256: str
    format: str = ""
    jurisdiction: str = ""
    title: str = ""
    doc_type: str = ""
    language: str = ""
    year: int | None = None
    source_url: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    work: str = ""  # empty: inferred from doc_id when stored
    version_date: str = ""  # empty: inferred from doc_id, year and title
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ProvisionRow:
    """A stored provision with its document's jurisdiction and language (cli.md fields)."""

    doc_id: str
    ref: str
    number: str
    heading: str
    level: str
    parent_ref: str | None
    path: str
    page_start: int | None
    page_end: int | None
    char_start: int
    char_end: int
    text: str
    jurisdiction: str
    language: str
    ordinal: int = 0
    text_sha256: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The record of ``spec/cli.md`` (no ``ordinal``/``text_sha256``)."""
        return {name: getattr(self, name) for name in PROVISION_FIELDS
                + ("jurisdiction", "language")}


def text_sha256(text: str) -> str:
    """Hex sha256 of a text's UTF-8 bytes (the key of cached embeddings)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
