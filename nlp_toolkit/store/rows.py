"""The rows the index hands out and takes in: frozen dataclasses, no I/O."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterator
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
    id: int = 0  # the provision's row id in this index

    def to_dict(self) -> dict[str, Any]:
        """The record of ``spec/cli.md`` (no ``ordinal``/``text_sha256``)."""
        return {name: getattr(self, name)
                for name in (*PROVISION_FIELDS, "jurisdiction", "language")}


def text_sha256(text: str) -> str:
    """Hex sha256 of a text's UTF-8 bytes (the key of cached embeddings)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


#: The columns every provision query selects, named as :class:`ProvisionRow`'s fields
#: (``p``: provisions, ``d``: its document). Add ``AS text`` to read the text in SQL.
PROVISION_SELECT = (
    "p.id AS id, p.doc_id AS doc_id, p.ref AS ref, p.number AS number, "
    "p.heading AS heading, p.level AS level, p.parent_ref AS parent_ref, p.path AS path, "
    "p.page_start AS page_start, p.page_end AS page_end, p.char_start AS char_start, "
    "p.char_end AS char_end, d.jurisdiction AS jurisdiction, d.language AS language, "
    "p.ordinal AS ordinal, p.text_sha256 AS text_sha256")


def decode_rows(cur: sqlite3.Cursor,
                text_of: Callable[[str, int, int], str] | None = None) -> Iterator[ProvisionRow]:
    """ProvisionRows from a cursor over :data:`PROVISION_SELECT`, decoded by column name.

    The text is the ``text`` column when selected, else ``text_of(doc_id, start, end)``,
    else empty.
    """
    names = [d[0] for d in cur.description]
    for values in cur:
        r = dict(zip(names, values, strict=True))
        text = r.get("text")
        if text is None:
            text = (text_of(str(r["doc_id"]), int(r["char_start"]), int(r["char_end"]))
                    if text_of is not None else "")
        yield ProvisionRow(
            doc_id=str(r["doc_id"]), ref=str(r["ref"]), number=str(r["number"] or ""),
            heading=str(r["heading"] or ""), level=str(r["level"]), parent_ref=r["parent_ref"],
            path=str(r["path"] or ""), page_start=r["page_start"], page_end=r["page_end"],
            char_start=int(r["char_start"]), char_end=int(r["char_end"]), text=str(text),
            jurisdiction=str(r["jurisdiction"] or ""), language=str(r["language"] or ""),
            ordinal=int(r["ordinal"] or 0), text_sha256=str(r["text_sha256"] or ""),
            id=int(r["id"]))
