"""Who is bound by a treaty, and which documents are its parties' national law.

One definition of "the party jurisdictions of a treaty", for ``links``, the commitments table
and any report that groups jurisdictions by treaty. A treaty's parties come, in this order,
from its manifest notes (``parties: ASEAN members, AUS, CHN, ...``), from its ToTA metadata
(``extracted.parties``), or from its ``jurisdiction`` column (``JPN;THA``); a bloc name among
them (``ASEAN members``, ``RCEP``, ``AANZFTA``) expands to its member states.

National law is a document of type statute, regulation or local regulation. Versions of one
law (an as-enacted text and a reprint, an English translation and the original) are one
*work*: their titles agree up to the first comma, and the latest version stands for the work.

>>> parties_from("RCEP", {"manifest": {"notes": "parties: ASEAN members, AUS, CHN; Chapter 12"}})
['BRN', 'KHM', 'IDN', 'LAO', 'MYS', 'MMR', 'PHL', 'SGP', 'THA', 'VNM', 'AUS', 'CHN']
>>> parties_from("JPN;THA", {})
['JPN', 'THA']
>>> work_key("MYS", "Personal Data Protection Act 2010 (Act 709), reprint as at 1 July 2023")
'MYS|personal data protection act 2010 (act 709)'
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nlp_toolkit.store import Store

__all__ = ["ASEAN", "BLOCS", "NATIONAL_TYPES", "NationalDoc", "national_docs", "parties_from",
           "treaty_parties", "work_key"]

#: The ten ASEAN member states (ISO 3166-1 alpha-3).
ASEAN: tuple[str, ...] = ("BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "VNM")
#: Bloc names, as manifests and jurisdiction columns write them, and their members.
BLOCS: Mapping[str, tuple[str, ...]] = {
    "ASEAN": ASEAN,
    "ASEAN MEMBERS": ASEAN,
    "ASEAN MEMBER STATES": ASEAN,
    "RCEP": (*ASEAN, "AUS", "CHN", "JPN", "KOR", "NZL"),
    "AANZFTA": (*ASEAN, "AUS", "NZL"),
}
#: The document types that are national law (the manifest's ``doc_type``).
NATIONAL_TYPES: tuple[str, ...] = ("statute", "regulation", "local regulation")
_PARTIES = re.compile(r"parties\s*:\s*([^;]+)", re.IGNORECASE)


def _expand(names: Sequence[str]) -> list[str]:
    out: list[str] = []
    for name in names:
        key = name.strip().upper()
        if not key:
            continue
        out.extend(BLOCS.get(key, (key,)))
    return list(dict.fromkeys(out))


def parties_from(jurisdiction: str, metadata: Mapping[str, Any]) -> list[str]:
    """A treaty's party jurisdictions from its ``jurisdiction`` column and metadata (pure).

    Manifest notes ``parties: A, B`` win, then ToTA's ``extracted.parties``
    (``;``-separated), then the jurisdiction column; blocs expand to their members.
    """
    manifest = metadata.get("manifest")
    notes = str(manifest.get("notes") or "") if isinstance(manifest, Mapping) else ""
    found = _PARTIES.search(notes)
    if found:
        return _expand(found.group(1).split(","))
    extracted = metadata.get("extracted")
    if isinstance(extracted, Mapping) and extracted.get("parties"):
        return _expand(str(extracted["parties"]).split(";"))
    return _expand(jurisdiction.split(";"))


def _doc_meta(store: Store, doc_id: str) -> tuple[str, dict[str, Any]] | None:
    row = store.conn.execute("SELECT jurisdiction, metadata FROM documents WHERE doc_id = ?",
                             (doc_id,)).fetchone()
    if row is None:
        return None
    try:
        meta = json.loads(row[1]) if row[1] else {}
    except ValueError:
        meta = {}
    return str(row[0] or ""), meta if isinstance(meta, dict) else {}


def treaty_parties(store: Store, doc_id: str) -> list[str]:
    """The party jurisdictions of the stored treaty ``doc_id`` (see :func:`parties_from`);
    empty for an unknown document."""
    found = _doc_meta(store, doc_id)
    return [] if found is None else parties_from(*found)


def work_key(jurisdiction: str, title: str) -> str:
    """The key shared by the versions of one law: jurisdiction and title up to the first
    comma, case-folded (pure)."""
    return f"{jurisdiction}|{title.split(',')[0].strip().casefold()}"


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
    work: str
    latest: bool  # the latest version of its work (by year; English first on a tie)


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
    best: dict[str, tuple[int, int, str]] = {}
    for doc_id, jur, title, _, lang, year, _ in docs:
        key = work_key(str(jur), str(title or doc_id))
        rank = (int(year or 0), int(lang == "en"), str(doc_id))
        if key not in best or rank > best[key]:
            best[key] = rank
    out: dict[str, NationalDoc] = {}
    for doc_id, jur, title, dtype, lang, year, url in docs:
        key = work_key(str(jur), str(title or doc_id))
        out[str(doc_id)] = NationalDoc(str(doc_id), str(jur), str(title or ""), str(dtype),
                                       str(lang or ""), None if year is None else int(year),
                                       str(url or ""), key, best[key][2] == doc_id)
    return out
