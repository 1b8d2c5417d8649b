"""The SQL of the search, compare and transplant stages: ranked full-text ids, result rows.

The pure logic lives in :mod:`nlp_toolkit.search.index`, :mod:`nlp_toolkit.analysis.compare` and
:mod:`nlp_toolkit.analysis.transplants`; this module only reads the index.

>>> from nlp_toolkit.store import Store
>>> with Store.open(":memory:") as store:
...     fts_ranking(store, '"data"', 10), provision_rows(store, [1])
([], {})
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from nlp_toolkit.segment.standins import article_refs
from nlp_toolkit.sources.works import standing_documents
from nlp_toolkit.store import Store
from nlp_toolkit.store.filters import ProvisionQuery
from nlp_toolkit.store.rows import PROVISION_SELECT, ProvisionRow, decode_rows

__all__ = [
    "article_ids",
    "candidate_facts",
    "document_dates",
    "document_facts",
    "fts_ranking",
    "provision_ids",
    "provision_refs",
    "provision_rows",
    "standing_doc_ids",
    "term_doc_counts",
    "unit_count",
    "unit_facts",
]

_CHUNK = 500  # parameters per IN (...) list


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def fts_ranking(store: Store, match: str, k: int, *, doc: str | None = None,
                jurisdiction: str | None = None, language: str | None = None,
                level: str | None = None, ids: Sequence[int] | None = None,
                doc_types: Sequence[str] | None = None, weights: tuple[float, float] = (2.0, 1.0)
                ) -> list[tuple[int, float]]:
    """``(provision_id, bm25)`` of the ``k`` best full-text matches (higher is better).

    Without filters the full-text table is ranked alone (joining ``provisions`` for every
    match would double the cost of a query with common words).

    Args:
        match: an FTS5 MATCH expression (see :func:`nlp_toolkit.store.fts.match_query`).
        k: at most this many.
        doc, jurisdiction, language, level: filters (jurisdiction matches any of a
            document's ``;``-separated ones).
        ids: only these provisions.
        doc_types: only documents of these types.
        weights: BM25 weights of the heading and the text columns.
    """
    q = ProvisionQuery(doc=doc, jurisdiction=jurisdiction, language=language, level=level,
                       ids=ids, doc_types=None if doc_types is None else frozenset(doc_types))
    where, filter_params = q.where(id_column="provisions_fts.rowid")
    params: list[object] = [match, *filter_params]
    join = ""
    if doc is not None or level is not None or q.needs_documents:
        join = " JOIN provisions p ON p.id = provisions_fts.rowid"
        if q.needs_documents:
            join += " JOIN documents d ON d.doc_id = p.doc_id"
    bm25 = f"bm25(provisions_fts, {float(weights[0])!r}, {float(weights[1])!r})"
    sql = (f"SELECT provisions_fts.rowid, {bm25} AS s FROM provisions_fts{join} "
           "WHERE provisions_fts MATCH ?"
           + "".join(" AND " + w for w in where) + " ORDER BY s LIMIT ?")
    params.append(int(k))
    return [(int(i), -float(s)) for i, s in store.conn.execute(sql, params)]


_ROW_SELECT = (f"SELECT {PROVISION_SELECT} FROM provisions p "
               "JOIN documents d ON d.doc_id = p.doc_id")


def provision_rows(store: Store, ids: Sequence[int]) -> dict[int, ProvisionRow]:
    """Provisions by id, in one query per 500 ids, with ``text`` left empty.

    The text is a slice of the document's clean text; callers that cache documents cut it
    themselves (``substr()`` would read a multi-megabyte document per row).
    """
    out: dict[int, ProvisionRow] = {}
    for part in _chunks([int(i) for i in ids]):
        cur = store.conn.execute(
            _ROW_SELECT + f" WHERE p.id IN ({', '.join('?' * len(part))})", part)
        out.update((row.id, row) for row in decode_rows(cur))
    return out


def provision_refs(store: Store, ids: Sequence[int]) -> dict[int, str]:
    """Refs by provision id (unknown ids are absent)."""
    out: dict[int, str] = {}
    for part in _chunks([int(i) for i in dict.fromkeys(ids)]):
        out.update((int(i), str(r)) for i, r in store.conn.execute(
            f"SELECT id, ref FROM provisions WHERE id IN ({', '.join('?' * len(part))})",
            list(part)))
    return out


def provision_ids(store: Store, refs: Sequence[str]) -> dict[str, int]:
    """Provision ids by ref (unknown refs are absent)."""
    out: dict[str, int] = {}
    for part in _chunks(list(dict.fromkeys(refs))):
        out.update((str(r), int(i)) for r, i in store.conn.execute(
            f"SELECT ref, id FROM provisions WHERE ref IN ({', '.join('?' * len(part))})",
            list(part)))
    return out


def document_dates(store: Store) -> dict[str, tuple[int | None, dict[str, Any]]]:
    """Each document's ``(year, metadata)`` (metadata parsed from its JSON column)."""
    out: dict[str, tuple[int | None, dict[str, Any]]] = {}
    for doc_id, year, metadata in store.conn.execute(
            "SELECT doc_id, year, metadata FROM documents"):
        try:
            meta = json.loads(metadata) if metadata else {}
        except ValueError:
            meta = {}
        out[str(doc_id)] = (None if year is None else int(year),
                            meta if isinstance(meta, dict) else {})
    return out



def article_ids(store: Store, doc_ids: Sequence[str] | None = None) -> dict[int, int]:
    """``unit id -> id of the article it is or stands for``, for every unit of the index
    (or of ``doc_ids``) that is or stands for one.

    A main unit maps to itself, a paragraph or item to the main unit it lies in, an
    elucidation (``DOC:Penjelasan 5``) or a translation (``DOC:en 26``) to the article it
    stands for; chapters, preambles and the like are absent. The rule is
    :func:`nlp_toolkit.segment.standins.article_refs`: a result page that reports articles
    maps its hits with this, so a translation's hit is its article's.
    """
    sql = "SELECT id, ref, parent_ref, main FROM provisions"
    params: list[Any] = []
    if doc_ids is not None:
        sql += f" WHERE doc_id IN ({', '.join('?' * len(doc_ids)) or 'NULL'})"
        params = list(doc_ids)
    rows = store.conn.execute(sql + " ORDER BY doc_id, ordinal", params).fetchall()
    id_of = {str(ref): int(i) for i, ref, _, _ in rows}
    refs = article_refs((str(ref), parent, bool(main)) for _, ref, parent, main in rows)
    return {id_of[ref]: id_of[article] for ref, article in refs.items()}


def unit_facts(store: Store) -> dict[int, tuple[str, str, bool]]:
    """``id -> (doc_id, number, operative)`` of every retrieval unit (the result page's
    grouping and filtering read these for a few hundred candidates per query)."""
    return {int(i): (str(d), str(n), bool(o)) for i, d, n, o in store.conn.execute(
        "SELECT id, doc_id, number, operative FROM provisions WHERE fts = 1")}


def candidate_facts(store: Store, ids: Sequence[int]) -> dict[int, tuple[str, int]]:
    """``id -> (heading, length in characters)`` of the given provisions (what the search
    re-ranker reads of its candidates; one query per chunk of ids, no text cut)."""
    out: dict[int, tuple[str, int]] = {}
    for chunk in _chunks(list(ids)):
        marks = ",".join("?" * len(chunk))
        out.update((int(i), (str(h), int(n))) for i, h, n in store.conn.execute(
            f"SELECT id, heading, char_end - char_start FROM provisions WHERE id IN ({marks})",
            list(chunk)))
    return out


def document_facts(store: Store) -> dict[str, tuple[str, str, str, str, str]]:
    """``doc_id -> (work, version_date, language, doc_type, jurisdiction)`` of every
    document (``work`` falls back to the doc_id where it is empty)."""
    return {str(d): (str(w or d), str(v or ""), str(lang or ""), str(t or ""), str(j or ""))
            for d, w, v, lang, t, j in store.conn.execute(
                "SELECT doc_id, work, version_date, language, doc_type, jurisdiction "
                "FROM documents")}


def standing_doc_ids(store: Store, *, language: str = "en") -> set[str]:
    """The documents that stand for their work (:func:`~nlp_toolkit.sources.works.
    standing_documents`): each law's latest version, in ``language`` where it has one."""
    return standing_documents({d: (w, v, lang) for d, (w, v, lang, _, _)
                               in document_facts(store).items()}, language=language)


def term_doc_counts(store: Store, terms: Sequence[str]) -> dict[str, int]:
    """How many retrieval units hold each term (the full-text index's own vocabulary;
    absent terms are absent). Terms are compared as the index folds them (lower case)."""
    store.conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.provisions_vocab USING "
                       "fts5vocab(main, 'provisions_fts', 'row')")
    out: dict[str, int] = {}
    for term in dict.fromkeys(terms):  # one lookup per term: fts5vocab scans an IN list
        for t, n in store.conn.execute(
                "SELECT term, doc FROM temp.provisions_vocab WHERE term = ?", (term,)):
            out[str(t)] = int(n)
    return out


def unit_count(store: Store) -> int:
    """How many retrieval units the full-text index holds."""
    return int(store.conn.execute("SELECT count(*) FROM provisions WHERE fts = 1"
                                  ).fetchone()[0])
