"""The region the outputs focus on: the ten ASEAN member states and China, and the
agreements they are party to.

This module is the one definition of the region that ``report``, ``matrix``, the plots and
the notebooks use. A *national* document (one jurisdiction, not a treaty) belongs to its
member's row; an *agreement* (a treaty, or a document of several parties) is a row of its
own when at least one member is party to it, so a country's row holds its own law and
the treaties stay visible as treaties instead of inflating every party's row.

An agreement's parties come from what the corpus records: the manifest's ``jurisdiction``
(``AUS;BRN;...;VNM`` for ToTA texts), the ToTA ``<meta>`` party lists kept in the document
metadata (``parties``, ``parties_original``), a ``parties:`` list in the manifest notes
(RCEP: ``parties: ASEAN members, AUS, CHN, ...``), and, for agreements the manifest names by
a label (``AANZFTA``), :data:`AGREEMENT_PARTIES`.

>>> docs = [{"doc_id": "sg-law", "jurisdiction": "SGP", "title": "An Act", "doc_type": "statute"},
...         {"doc_id": "tpp", "jurisdiction": "AUS;SGP;USA", "title": "TPP", "doc_type": "treaty"},
...         {"doc_id": "eu", "jurisdiction": "EUR", "title": "GDPR", "doc_type": "regulation"}]
>>> rows = region_rows(docs)
>>> rows.of_doc
{'sg-law': 'SGP', 'tpp': 'tpp'}
>>> rows.keys[:2], rows.keys[-1], rows.titles["tpp"]
(('BRN', 'KHM'), 'tpp', 'TPP [tpp]')
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from nlp_toolkit.store import Store

__all__ = [
    "AGREEMENT_PARTIES",
    "ASEAN",
    "NAMED_AS",
    "NAMES",
    "REGION",
    "RegionRows",
    "document_parties",
    "is_agreement",
    "read_region_rows",
    "region_rows",
    "row_titles",
]

RowsBy = Literal["jurisdiction", "doc"]

#: The ten ASEAN member states (ISO 3166 alpha-3), in the order of their English names.
ASEAN: tuple[str, ...] = ("BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "VNM")
#: The region the outputs show by default: ASEAN and China.
REGION: tuple[str, ...] = (*ASEAN, "CHN")
#: Display names of the region's jurisdictions.
NAMES: dict[str, str] = {
    "BRN": "Brunei Darussalam", "KHM": "Cambodia", "IDN": "Indonesia", "LAO": "Lao PDR",
    "MYS": "Malaysia", "MMR": "Myanmar", "PHL": "Philippines", "SGP": "Singapore",
    "THA": "Thailand", "VNM": "Viet Nam", "CHN": "China",
}
#: How an English question names a jurisdiction: its names and adjectives, lower case
#: ("Does Singapore require ...", "under Malaysian law", "Vietnam's data localisation").
NAMED_AS: dict[str, tuple[str, ...]] = {
    "BRN": ("brunei", "bruneian"), "KHM": ("cambodia", "cambodian"),
    "IDN": ("indonesia", "indonesian"), "LAO": ("laos", "lao pdr", "lao"),
    "MYS": ("malaysia", "malaysian"), "MMR": ("myanmar", "burma", "burmese"),
    "PHL": ("philippines", "philippine", "filipino"),
    "SGP": ("singapore", "singaporean"), "THA": ("thailand", "thai"),
    "VNM": ("viet nam", "vietnam", "vietnamese"), "CHN": ("china", "chinese", "prc"),
    "EUR": ("european union", "eu"),
}
#: Parties of the agreements the manifest names by a label instead of listing parties.
#: WTO-JSI lists only the parties this project is sure of (the co-convenors AUS, JPN, SGP,
#: and CHN, a participant since 2019): enough to place it in the region, not a member list.
AGREEMENT_PARTIES: dict[str, tuple[str, ...]] = {
    "RCEP": (*ASEAN, "AUS", "CHN", "JPN", "KOR", "NZL"),
    "AANZFTA": (*ASEAN, "AUS", "NZL"),
    "AHKFTA": (*ASEAN, "HKG"),
    "WTO-JSI": ("AUS", "CHN", "JPN", "SGP"),
}

_CODE = re.compile(r"^[A-Z]{3}$")
_NOTES_PARTIES = re.compile(r"parties\s*:\s*([^;]*)", re.IGNORECASE)
_TITLE_WIDTH = 48


def _codes(text: str, sep: str = ";") -> set[str]:
    return {c.strip() for c in str(text or "").split(sep) if _CODE.match(c.strip())}


def _notes_parties(notes: str) -> set[str]:
    """Parties in a manifest note's ``parties: ASEAN members, AUS, CHN`` list."""
    found = _NOTES_PARTIES.search(notes or "")
    if found is None:
        return set()
    out: set[str] = set()
    for item in found.group(1).split(","):
        item = item.strip()
        if item.upper().startswith("ASEAN"):
            out.update(ASEAN)
        elif _CODE.match(item):
            out.add(item)
    return out


def document_parties(doc: Mapping[str, Any], metadata: Mapping[str, Any] | None = None
                     ) -> frozenset[str]:
    """The jurisdictions a document belongs to: its own code, or an agreement's parties.

    Args:
        doc: a document row (``jurisdiction``, ``title``, ``doc_type``), as
            :meth:`Store.documents` gives it.
        metadata: the document's stored metadata (``extracted`` and ``manifest`` parts).

    >>> sorted(document_parties({"jurisdiction": "AANZFTA", "doc_type": "treaty"}))[:3]
    ['AUS', 'BRN', 'IDN']
    >>> sorted(document_parties({"jurisdiction": "", "doc_type": "treaty"},
    ...                         {"extracted": {"parties_original": "JPN;THA"}}))
    ['JPN', 'THA']
    """
    label = str(doc.get("jurisdiction") or "")
    parties = _codes(label)
    parties.update(AGREEMENT_PARTIES.get(label, ()))
    meta = metadata or {}
    extracted = meta.get("extracted") or {}
    for group in ("parties", "parties_original"):
        parties.update(_codes(str(extracted.get(group) or "")))
    parties.update(_notes_parties(str((meta.get("manifest") or {}).get("notes") or "")))
    if doc.get("doc_type") == "treaty" and "ASEAN" in str(doc.get("title") or ""):
        parties.update(ASEAN)
    return frozenset(parties)


def is_agreement(doc: Mapping[str, Any], parties: Iterable[str] = ()) -> bool:
    """A treaty, a document the manifest names by an agreement label, or one of several
    parties (pure)."""
    label = str(doc.get("jurisdiction") or "")
    return (doc.get("doc_type") == "treaty" or label in AGREEMENT_PARTIES
            or len(set(parties)) > 1)


def _short(title: str, width: int = _TITLE_WIDTH) -> str:
    title = " ".join(title.split())
    return title if len(title) <= width else title[:width - 1] + "…"


def _document_title(doc: Mapping[str, Any]) -> str:
    """``LABEL · title [doc_id]``: the label when the manifest names the agreement by one."""
    doc_id = str(doc["doc_id"])
    title = _short(str(doc.get("title") or "")) or doc_id
    label = str(doc.get("jurisdiction") or "")
    prefix = f"{label} · " if label in AGREEMENT_PARTIES else ""
    return f"{prefix}{title} [{doc_id}]" if title != doc_id else doc_id


def _jurisdiction_title(code: str) -> str:
    return f"{NAMES[code]} ({code})" if code in NAMES else code


@dataclass(frozen=True, slots=True)
class RegionRows:
    """The rows of a region view and the documents behind each.

    Attributes:
        keys: row keys in display order: the members (jurisdiction codes, every member even
            without a document; or their national documents' ids), then the agreements
            (doc ids), those with the most member parties first.
        of_doc: ``doc_id -> row key`` of every document in the view.
        titles: ``row key -> label`` to show: country names, document titles with their id.
        agreements: the keys that are agreements.
        parties: ``agreement key -> its parties`` (all of them, members or not).
    """

    keys: tuple[str, ...]
    of_doc: Mapping[str, str]
    titles: Mapping[str, str]
    agreements: frozenset[str]
    parties: Mapping[str, frozenset[str]]

    def documents(self, key: str) -> list[str]:
        """The doc ids behind row ``key``."""
        return sorted(d for d, k in self.of_doc.items() if k == key)


def region_rows(documents: Iterable[Mapping[str, Any]],
                metadata: Mapping[str, Mapping[str, Any]] | None = None, *,
                by: RowsBy = "jurisdiction", members: Sequence[str] = REGION) -> RegionRows:
    """The rows of the region view of ``documents`` (pure).

    Args:
        documents: document rows (``doc_id``, ``jurisdiction``, ``title``, ``doc_type``,
            optionally ``year``).
        metadata: ``doc_id -> stored metadata``, for the parties ToTA and the manifest
            notes record.
        by: ``jurisdiction``: one row per member and one per agreement; ``doc``: one row
            per national document of a member, then one per agreement.
        members: the region's jurisdictions, in display order.
    """
    wanted = list(dict.fromkeys(members))
    rank = {code: i for i, code in enumerate(wanted)}
    national: list[tuple[int, str, str]] = []
    agreements: list[tuple[int, int, str, str]] = []
    titles: dict[str, str] = {}
    deal_parties: dict[str, frozenset[str]] = {}
    for doc in documents:
        doc_id = str(doc["doc_id"])
        parties = document_parties(doc, (metadata or {}).get(doc_id))
        if is_agreement(doc, parties):
            inside = parties & set(wanted)
            if inside:
                year = int(doc.get("year") or 0)
                agreements.append((-len(inside), year, doc_id, doc_id))
                titles[doc_id] = _document_title(doc)
                deal_parties[doc_id] = parties
        elif len(parties) == 1 and (code := next(iter(parties))) in rank:
            national.append((rank[code], doc_id, code))
            if by == "doc":
                titles[doc_id] = _document_title(doc)
    national.sort()
    agreements.sort()
    of_doc: dict[str, str] = {}
    if by == "doc":
        keys = [doc_id for _, doc_id, _ in national]
        of_doc.update({doc_id: doc_id for doc_id in keys})
    else:
        keys = list(wanted)
        of_doc.update({doc_id: code for _, doc_id, code in national})
        titles.update({code: _jurisdiction_title(code) for code in wanted})
    deals = [doc_id for *_, doc_id in agreements]
    of_doc.update({doc_id: doc_id for doc_id in deals})
    return RegionRows(tuple([*keys, *deals]), of_doc, titles, frozenset(deals), deal_parties)


def row_titles(documents: Iterable[Mapping[str, Any]], keys: Iterable[str]) -> dict[str, str]:
    """Labels of matrix rows keyed by jurisdiction code or doc id, for views outside the
    region (pure): country names where known, document titles with their id."""
    by_id = {str(d["doc_id"]): d for d in documents}
    return {k: _document_title(by_id[k]) if k in by_id else _jurisdiction_title(k)
            for k in keys}


def read_region_rows(store: Store, *, by: RowsBy = "jurisdiction",
                     members: Sequence[str] = REGION) -> RegionRows:
    """:func:`region_rows` of the documents stored in ``store``."""
    from nlp_toolkit.store.queries import document_dates

    metadata = {doc_id: meta for doc_id, (_, meta) in document_dates(store).items()}
    return region_rows(store.documents(), metadata, by=by, members=members)
