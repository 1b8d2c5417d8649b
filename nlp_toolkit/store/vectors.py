"""Sentence vectors in the index: ``(model_id, text_hash) -> float32`` and provision links.

All vector SQL lives here. Vectors are stored once per distinct embedded text and model
(table ``vectors``); ``provision_vectors`` says which vector each main unit has. A
re-ingested document gets new provision ids, but its unchanged texts find their vectors by
hash, so they are linked again without running a model.

>>> from nlp_toolkit.store import Store
>>> with Store.open(":memory:") as store:
...     n_new = put_vectors(store, "m", {"h1": np.ones(2, dtype=np.float32)})
...     sorted(get_vectors(store, "m", ["h1", "h2"]))
['h1']
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from nlp_toolkit.errors import StoreError
from nlp_toolkit.store import Store
from nlp_toolkit.store.rows import PROVISION_SELECT, ProvisionRow, decode_rows

__all__ = [
    "UnitRow",
    "VectorMatrix",
    "count_unembedded",
    "get_vectors",
    "iter_linked_units",
    "iter_unembedded_units",
    "known_hashes",
    "link_vectors",
    "load_matrix",
    "model_ids",
    "prune_vectors",
    "put_vectors",
    "topic_ids",
    "unembedded_units",
    "unit_by_ref",
    "units_by_ids",
    "unlink_vectors",
]

_CHUNK = 500  # parameters per IN (...) list


#: A main unit as the embed and search stages read it: the store's one row type.
UnitRow = ProvisionRow


@dataclass(frozen=True)
class VectorMatrix:
    """Every linked vector of one model, as arrays aligned row by row.

    Attributes:
        model_id: the model.
        ids: ``(n,)`` provision ids.
        matrix: ``(n, dim)`` float32, unit rows.
        doc_ids, levels, languages: per row.
        jurisdictions: per row, the document's ``;``-separated jurisdictions as a set.
    """

    model_id: str
    ids: np.ndarray
    matrix: np.ndarray
    doc_ids: np.ndarray
    levels: np.ndarray
    languages: np.ndarray
    jurisdictions: tuple[frozenset[str], ...]
    doc_types: np.ndarray | None = None  # per row, the document's doc_type

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    def mask(self, *, jurisdiction: str | None = None, doc: str | None = None,
             language: str | None = None, level: str | None = None,
             exclude_jurisdictions: frozenset[str] = frozenset(),
             ids: np.ndarray | None = None,
             doc_types: frozenset[str] | None = None) -> np.ndarray | None:
        """Boolean row filter for the given conditions; None when there is none (pure).

        The conditions are a :class:`~nlp_toolkit.store.filters.ProvisionQuery`, the one
        the SQL paths compile too.
        """
        from nlp_toolkit.store.filters import ProvisionQuery

        q = ProvisionQuery(jurisdiction=jurisdiction, doc=doc, language=language, level=level,
                           exclude_jurisdictions=exclude_jurisdictions, doc_types=doc_types)
        return q.mask(self, topic_ids=None if ids is None else ids.tolist())


def _chunks(items: Sequence[str], size: int = _CHUNK) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def put_vectors(store: Store, model_id: str, vectors: Mapping[str, np.ndarray]) -> int:
    """Store vectors by text hash (existing ones are kept); return how many were new."""
    rows = [(model_id, h, int(v.shape[0]), np.asarray(v, dtype="<f4").tobytes())
            for h, v in vectors.items()]
    conn = store.conn
    before = conn.total_changes
    with store.transaction():
        conn.executemany("INSERT OR IGNORE INTO vectors (model_id, text_hash, dim, vector) "
                         "VALUES (?, ?, ?, ?)", rows)
    return conn.total_changes - before


def get_vectors(store: Store, model_id: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
    """The stored vectors among ``hashes`` (missing ones are absent from the result)."""
    out: dict[str, np.ndarray] = {}
    for part in _chunks(list(dict.fromkeys(hashes))):
        cur = store.conn.execute(
            f"SELECT text_hash, vector FROM vectors WHERE model_id = ? AND text_hash IN "
            f"({', '.join('?' * len(part))})", [model_id, *part])
        for h, blob in cur:
            out[str(h)] = np.frombuffer(blob, dtype="<f4").astype(np.float32)
    return out


def known_hashes(store: Store, model_id: str, hashes: Sequence[str]) -> set[str]:
    """Which of ``hashes`` have a stored vector of this model (no vector is read)."""
    out: set[str] = set()
    for part in _chunks(list(dict.fromkeys(hashes))):
        cur = store.conn.execute(
            f"SELECT text_hash FROM vectors WHERE model_id = ? AND text_hash IN "
            f"({', '.join('?' * len(part))})", [model_id, *part])
        out.update(str(r[0]) for r in cur)
    return out


def link_vectors(store: Store, model_id: str, links: Iterable[tuple[int, str]]) -> int:
    """Record ``(provision_id, text_hash)`` links for a model (replacing older ones)."""
    rows = [(pid, model_id, h) for pid, h in links]
    store.conn.executemany("INSERT OR REPLACE INTO provision_vectors (provision_id, model_id, "
                           "text_hash) VALUES (?, ?, ?)", rows)
    return len(rows)


def model_ids(store: Store) -> list[str]:
    """Models with at least one linked provision, by name."""
    return [str(r[0]) for r in store.conn.execute(
        "SELECT DISTINCT model_id FROM provision_vectors ORDER BY model_id")]


def prune_vectors(store: Store, model_id: str | None = None) -> int:
    """Delete vectors no provision links to (e.g. of texts that changed); return how many."""
    sql = ("DELETE FROM vectors WHERE NOT EXISTS (SELECT 1 FROM provision_vectors l WHERE "
           "l.model_id = vectors.model_id AND l.text_hash = vectors.text_hash)")
    params: list[str] = []
    if model_id is not None:
        sql += " AND model_id = ?"
        params.append(model_id)
    cur = store.conn.execute(sql, params)
    return int(cur.rowcount)


_UNIT_SELECT = (f"SELECT {PROVISION_SELECT}, "
                "substr(d.clean_text, p.char_start + 1, p.char_end - p.char_start) AS text "
                "FROM provisions p JOIN documents d ON d.doc_id = p.doc_id")


def _units(cur: sqlite3.Cursor) -> list[UnitRow]:
    return list(decode_rows(cur))


def unembedded_units(store: Store, model_id: str, *, skip_languages: Sequence[str] = (),
                     doc_ids: Sequence[str] | None = None,
                     skip_doc_types: Sequence[str] = ()) -> list[UnitRow]:
    """Main units (the full-text index's retrieval units) with no vector of this model yet.

    Args:
        skip_languages: leave out documents in these languages.
        doc_ids: only these documents.
        skip_doc_types: leave out documents of these types (``treaty``...).
    """
    where, params = _unembedded_where(model_id, skip_languages, doc_ids, skip_doc_types)
    return _units(store.conn.execute(_UNIT_SELECT + where + " ORDER BY p.doc_id, p.ordinal",
                                     params))


def _unembedded_where(model_id: str, skip_languages: Sequence[str],
                      doc_ids: Sequence[str] | None, skip_doc_types: Sequence[str] = ()
                      ) -> tuple[str, list[object]]:
    """The one WHERE clause (and its parameters) of the units a model has not embedded."""
    skip = list(skip_languages)
    cond = f" AND d.language NOT IN ({', '.join('?' * len(skip))})" if skip else ""
    types = list(skip_doc_types)
    if types:
        cond += f" AND coalesce(d.doc_type, '') NOT IN ({', '.join('?' * len(types))})"
    docs = list(doc_ids) if doc_ids is not None else []
    if doc_ids is not None:
        cond += f" AND p.doc_id IN ({', '.join('?' * len(docs)) or 'NULL'})"
    where = (" WHERE p.fts = 1 AND NOT EXISTS (SELECT 1 FROM provision_vectors l "
             "WHERE l.model_id = ? AND l.provision_id = p.id)" + cond)
    return where, [model_id, *skip, *types, *docs]


def count_unembedded(store: Store, model_id: str, *, skip_languages: Sequence[str] = (),
                     doc_ids: Sequence[str] | None = None,
                     skip_doc_types: Sequence[str] = ()) -> int:
    """How many units :func:`unembedded_units` would return (no text is read)."""
    where, params = _unembedded_where(model_id, skip_languages, doc_ids, skip_doc_types)
    row = store.conn.execute("SELECT count(*) FROM provisions p JOIN documents d ON "
                             "d.doc_id = p.doc_id" + where, params).fetchone()
    return int(row[0])


def iter_unembedded_units(store: Store, model_id: str, *, skip_languages: Sequence[str] = (),
                          doc_ids: Sequence[str] | None = None, page: int = 2048,
                          skip_doc_types: Sequence[str] = ()) -> Iterator[list[UnitRow]]:
    """:func:`unembedded_units` in pages of at most ``page`` units, by provision id.

    Each page is a fresh query for ids past the previous page, so the caller may link
    vectors (or write anything else) between pages; memory holds one page of texts.
    """
    where, params = _unembedded_where(model_id, skip_languages, doc_ids, skip_doc_types)
    last = -1
    while True:
        rows = _units(store.conn.execute(
            _UNIT_SELECT + where + " AND p.id > ? ORDER BY p.id LIMIT ?",
            (*params, last, int(page))))
        if not rows:
            return
        yield rows
        last = rows[-1].id


def iter_linked_units(store: Store, model_id: str, *, doc_ids: Sequence[str] | None = None,
                      page: int = 2048) -> Iterator[list[tuple[UnitRow, str]]]:
    """Retrieval units that have a vector of this model, each with the text hash its link
    names, in pages of at most ``page`` by provision id (what a check for stale links reads)."""
    docs = list(doc_ids) if doc_ids is not None else []
    cond = (f" AND p.doc_id IN ({', '.join('?' * len(docs)) or 'NULL'})"
            if doc_ids is not None else "")
    where = (" WHERE p.fts = 1 AND EXISTS (SELECT 1 FROM provision_vectors l WHERE "
             "l.model_id = ? AND l.provision_id = p.id) AND p.id > ?" + cond)
    last = -1
    while True:
        units = _units(store.conn.execute(_UNIT_SELECT + where + " ORDER BY p.id LIMIT ?",
                                          (model_id, last, *docs, int(page))))
        if not units:
            return
        ids = [u.id for u in units]
        linked: dict[int, str] = {}
        for part in _chunks([str(i) for i in ids]):
            linked.update((int(i), str(h)) for i, h in store.conn.execute(
                f"SELECT provision_id, text_hash FROM provision_vectors WHERE model_id = ? "
                f"AND provision_id IN ({', '.join('?' * len(part))})", [model_id, *part]))
        yield [(u, str(linked[u.id])) for u in units if u.id in linked]
        last = ids[-1]


def unlink_vectors(store: Store, model_id: str, ids: Sequence[int]) -> int:
    """Drop these units' links to vectors of this model (the vectors stay until
    :func:`prune_vectors`); return how many were dropped."""
    n = 0
    for part in _chunks([str(i) for i in ids]):
        n += store.conn.execute(
            f"DELETE FROM provision_vectors WHERE model_id = ? AND provision_id IN "
            f"({', '.join('?' * len(part))})", [model_id, *part]).rowcount
    return n


def units_by_ids(store: Store, ids: Sequence[int], *, text: bool = True) -> dict[int, UnitRow]:
    """Units by provision id; ``text=False`` leaves ``text`` empty (no document is read)."""
    out: dict[int, UnitRow] = {}
    select = _UNIT_SELECT if text else _UNIT_SELECT.replace(
        "substr(d.clean_text, p.char_start + 1, p.char_end - p.char_start)", "''")
    for start in range(0, len(ids), _CHUNK):
        part = [int(i) for i in ids[start:start + _CHUNK]]
        cur = store.conn.execute(
            select + f" WHERE p.id IN ({', '.join('?' * len(part))})", part)
        out.update((u.id, u) for u in _units(cur))
    return out


def unit_by_ref(store: Store, ref: str) -> UnitRow | None:
    """One unit by ``ref`` (any level), or None."""
    found = _units(store.conn.execute(_UNIT_SELECT + " WHERE p.ref = ?", (ref,)))
    return found[0] if found else None


def load_matrix(store: Store, model_id: str) -> VectorMatrix:
    """All linked vectors of a model with their filter columns, in provision id order.

    Raises:
        StoreError: No provision has a vector of this model (run ``nlp-toolkit embed``).
    """
    cur = store.conn.execute(
        "SELECT l.provision_id, v.vector, p.doc_id, p.level, d.language, d.jurisdiction, "
        "d.doc_type "
        "FROM provision_vectors l JOIN vectors v ON v.model_id = l.model_id AND "
        "v.text_hash = l.text_hash JOIN provisions p ON p.id = l.provision_id "
        "JOIN documents d ON d.doc_id = p.doc_id WHERE l.model_id = ? ORDER BY l.provision_id",
        (model_id,))
    rows = cur.fetchall()
    if not rows:
        raise StoreError(f"no provision has a vector of model {model_id!r}: run "
                         f"`nlp-toolkit embed --model {model_id}` first")
    dim = len(rows[0][1]) // 4
    matrix = np.frombuffer(b"".join(r[1] for r in rows), dtype="<f4").reshape(len(rows), dim)
    juris_cache: dict[str, frozenset[str]] = {}
    juris = tuple(juris_cache.setdefault(r[5], frozenset(j.strip() for j in r[5].split(";")
                                                         if j.strip())) for r in rows)
    return VectorMatrix(
        model_id=model_id,
        ids=np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows)),
        matrix=np.ascontiguousarray(matrix, dtype=np.float32),
        doc_ids=np.array([r[2] for r in rows], dtype=object),
        levels=np.array([r[3] for r in rows], dtype=object),
        languages=np.array([r[4] for r in rows], dtype=object),
        jurisdictions=juris,
        doc_types=np.array([r[6] or "" for r in rows], dtype=object),
    )


def topic_ids(store: Store, topic: str) -> np.ndarray:
    """Provision ids labelled with ``topic`` by the latest scoring model.

    The meaning of every command's ``--topic``: see
    :attr:`nlp_toolkit.store.filters.ProvisionQuery.topic`.

    Raises:
        StoreError: The index holds no topic labels yet (run ``nlp-toolkit score``).
    """
    exists = store.conn.execute("SELECT 1 FROM sqlite_master WHERE name = "
                                "'provision_topics'").fetchone()
    if exists is None or store.conn.execute("SELECT 1 FROM provision_topics LIMIT 1"
                                            ).fetchone() is None:
        raise StoreError("filtering by topic needs topic scores, which this index does not "
                         "have yet: run `nlp-toolkit score` first, or drop --topic")
    from nlp_toolkit.store.filters import topic_provision_ids

    return topic_provision_ids(store, topic)
