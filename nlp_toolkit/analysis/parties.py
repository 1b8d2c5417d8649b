"""Who is bound by a treaty, and which documents are its parties' national law.

One definition of "the party jurisdictions of a treaty", for ``links``, the commitments table
and any report that groups jurisdictions by treaty. A treaty's parties come, in this order,
from its manifest notes (``parties: ASEAN members, AUS, CHN, ...``), from its ToTA metadata
(``extracted.parties``), or from its ``jurisdiction`` column (``JPN;THA``); a bloc name among
them (``ASEAN members``, ``RCEP``, ``AANZFTA``) expands to its member states.

National law is a document of type statute, regulation or local regulation. Versions of one
law (an as-enacted text and a reprint, an English translation and the original) are one
*work* (the index's ``work`` column, :mod:`nlp_toolkit.sources.works`), and its latest
version, in English where it has one, stands for it
(:func:`nlp_toolkit.store.queries.standing_doc_ids`).

>>> parties_from("RCEP", {"manifest": {"notes": "parties: ASEAN members, AUS, CHN; Chapter 12"}})
['BRN', 'KHM', 'IDN', 'LAO', 'MYS', 'MMR', 'PHL', 'SGP', 'THA', 'VNM', 'AUS', 'CHN']
>>> parties_from("JPN;THA", {})
['JPN', 'THA']
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nlp_toolkit.sources.region import ASEAN, document_parties
from nlp_toolkit.store import Store
from nlp_toolkit.store.queries import document_facts, standing_doc_ids

__all__ = ["ASEAN", "NATIONAL_TYPES", "NationalDoc", "national_docs", "parties_from",
           "treaty_parties"]

#: The document types that are national law (the manifest's ``doc_type``).
NATIONAL_TYPES: tuple[str, ...] = ("statute", "regulation", "local regulation")


def parties_from(jurisdiction: str, metadata: Mapping[str, Any], title: str = "") -> list[str]:
    """A treaty's party jurisdictions (pure): :func:`nlp_toolkit.sources.region.document_parties`
    (the one definition: the jurisdiction column, agreement labels, ToTA party lists, manifest
    notes ``parties: ASEAN members, AUS``), ASEAN members first in :data:`ASEAN` order, then
    the others alphabetically.

    >>> parties_from("JPN;THA", {})
    ['THA', 'JPN']
    """
    found = document_parties({"jurisdiction": jurisdiction, "doc_type": "treaty",
                              "title": title}, metadata)
    return [c for c in ASEAN if c in found] + sorted(found - set(ASEAN))


def _doc_meta(store: Store, doc_id: str) -> tuple[str, dict[str, Any], str] | None:
    row = store.conn.execute(
        "SELECT jurisdiction, metadata, title FROM documents WHERE doc_id = ?", (doc_id,)
    ).fetchone()
    if row is None:
        return None
    try:
        meta = json.loads(row[1]) if row[1] else {}
    except ValueError:
        meta = {}
    return str(row[0] or ""), meta if isinstance(meta, dict) else {}, str(row[2] or "")


def treaty_parties(store: Store, doc_id: str) -> list[str]:
    """The party jurisdictions of the stored treaty ``doc_id`` (see :func:`parties_from`);
    empty for an unknown document."""
    found = _doc_meta(store, doc_id)
    return [] if found is None else parties_from(*found)


@dataclass(frozen=True, slots=True)
class NationalDoc:
    """A national-law document with what version collapsing and exports need."""

    doc_id: str
    jurisdiction: str
    title: str
    doc_type: str
    language: str
    year: int | None
    source_url: str
    work: str  # the index's work of the document (its doc_id where the manifest is silent)
    latest: bool  # it stands for its work: the latest version, in English where it has one


def national_docs(store: Store, jurisdictions: Sequence[str] | None = None
                  ) -> dict[str, NationalDoc]:
    """National-law documents (``doc_type`` in :data:`NATIONAL_TYPES`) of the given
    jurisdictions (all when None), by doc_id, each marked whether it is its work's latest."""
    marks = ", ".join("?" * len(NATIONAL_TYPES))
    rows = store.conn.execute(
        "SELECT doc_id, jurisdiction, title, doc_type, language, year, source_url "
        f"FROM documents WHERE doc_type IN ({marks}) ORDER BY doc_id", NATIONAL_TYPES).fetchall()
    wanted = None if jurisdictions is None else set(jurisdictions)
    docs = [r for r in rows if wanted is None
            or wanted & {j.strip() for j in str(r[1]).split(";")}]
    facts = document_facts(store)
    standing = standing_doc_ids(store)
    out: dict[str, NationalDoc] = {}
    for doc_id, jur, title, dtype, lang, year, url in docs:
        out[str(doc_id)] = NationalDoc(str(doc_id), str(jur), str(title or ""), str(dtype),
                                       str(lang or ""), None if year is None else int(year),
                                       str(url or ""), facts[str(doc_id)][0],
                                       str(doc_id) in standing)
    return out
