"""The SQLite index: documents, provisions, full-text search, failures. All SQL lives here.

The database runs in WAL mode with foreign keys on; its schema version is
``PRAGMA user_version`` and older databases are migrated on open
(:mod:`nlp_toolkit.store.schema`). Each document is written in one transaction: its old
rows go and its new rows come together, so a document is fully in the index or not at all.

>>> with Store.open(":memory:") as store:
...     store.stats()["documents"]
0
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from nlp_toolkit.errors import StoreError
from nlp_toolkit.records import ExtractedDocument, Provision
from nlp_toolkit.segment.operative import is_operative
from nlp_toolkit.segment.units import main_units, retrieval_units
from nlp_toolkit.sources.works import infer_version_date, infer_work
from nlp_toolkit.store.filters import ProvisionQuery
from nlp_toolkit.store.fts import fold
from nlp_toolkit.store.lock import LockBusyError, WriteLock, write_lock
from nlp_toolkit.store.rows import (
    PROVISION_SELECT,
    DocumentMeta,
    ProvisionRow,
    decode_rows,
    text_sha256,
)
from nlp_toolkit.store.schema import SCHEMA_VERSION, migrate

__all__ = [
    "SCHEMA_VERSION",
    "DocumentMeta",
    "LockBusyError",
    "ProvisionRow",
    "Store",
    "WriteLock",
    "write_lock",
]

def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _fold(text: str) -> str:
    """:func:`~nlp_toolkit.store.fts.fold`, skipping ASCII text (which it never changes)."""
    return text if text.isascii() else fold(text)


class Store:
    """The index database. Open with :meth:`open`; use as a context manager."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self.conn = conn
        self.path = path

    # -- opening -------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path, *, create: bool = True) -> Store:
        """Open (and create or migrate) the index at ``path``.

        Args:
            path: The database file, or ``":memory:"``.
            create: Create the file if missing; when False a missing file is an error.

        Raises:
            StoreError: The file is missing (``create=False``), not a database, from a newer
                version of nlp_toolkit, or locked.
        """
        name = str(path)
        if name != ":memory:":
            p = Path(path)
            if not p.exists():
                if not create:
                    raise StoreError(f"no index at {p}; run `nlp-toolkit ingest` or "
                                     "`nlp-toolkit build` first, or give --db PATH")
                p.parent.mkdir(parents=True, exist_ok=True)
            elif p.is_dir():
                raise StoreError(f"{p} is a folder, not an index database; give --db FILE")
        try:
            conn = sqlite3.connect(name, isolation_level=None, timeout=30.0)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open index {name}: {exc}") from exc
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA busy_timeout = 30000")
            if name != ":memory:":
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
            migrate(conn, name)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(f"{name} is not a usable index database ({exc}); give another "
                             "--db PATH or delete the file to rebuild it") from exc
        except StoreError:
            conn.close()
            raise
        return cls(conn, name)

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        """The database's ``PRAGMA user_version``."""
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    # -- documents -----------------------------------------------------------------------
    def document_sha(self, doc_id: str) -> str | None:
        """The sha256 of the stored version of a document, or None if it is not stored."""
        row = self.conn.execute("SELECT sha256 FROM documents WHERE doc_id = ?",
                                (doc_id,)).fetchone()
        return None if row is None else str(row[0])

    def document_shas(self) -> dict[str, str]:
        """``doc_id -> sha256`` of every stored document (one query, for skipping)."""
        return {str(d): str(s) for d, s in self.conn.execute(
            "SELECT doc_id, sha256 FROM documents")}

    def write_document(self, meta: DocumentMeta, extracted: ExtractedDocument | None,
                       provisions: Sequence[Provision], *,
                       status: Literal["ok", "scanned"] = "ok") -> None:
        """Replace a document and its provisions in one transaction.

        Args:
            meta: The document's manifest data and file sha256.
            extracted: The reader's output (None for a scanned document with no text).
            provisions: The segmenter's output for this document.
            status: ``ok``, or ``scanned`` for a document recorded without text.

        Raises:
            StoreError: The provisions break a constraint (e.g. duplicate ``ref``); nothing
                of the document is written then, and its previous version stays.
        """
        clean = extracted.text if extracted is not None else ""
        warnings = list(meta.warnings) + (list(extracted.warnings) if extracted else [])
        bad = sum(1 for p in provisions if clean[p.char_start:p.char_end] != p.text)
        if bad:
            warnings.append(f"{bad} provision text(s) differ from their clean-text span")
        metadata = dict(meta.metadata)
        if extracted is not None and extracted.metadata:
            metadata["extracted"] = dict(extracted.metadata)
        scanned = 1 if status == "scanned" or (extracted and extracted.scanned_pages) else 0
        doc_row = (
            meta.doc_id, meta.path, meta.format, meta.jurisdiction, meta.title, meta.doc_type,
            meta.language, meta.year, meta.source_url, meta.sha256,
            extracted.page_count if extracted is not None else None, len(provisions), scanned,
            status, json.dumps(warnings, ensure_ascii=False),
            json.dumps(metadata, ensure_ascii=False, sort_keys=True), clean, _now(),
            meta.work or infer_work(meta.doc_id),
            meta.version_date or infer_version_date(meta.doc_id, meta.year, meta.title),
        )
        try:
            with self.transaction() as conn:
                self._write_document(conn, meta, provisions, doc_row, clean)
        except sqlite3.IntegrityError as exc:
            raise StoreError(f"cannot store {meta.doc_id}: {exc} (a segmentation bug: "
                             "please report it with the document)") from exc

    def _write_document(self, conn: sqlite3.Connection, meta: DocumentMeta,
                        provisions: Sequence[Provision], doc_row: tuple[Any, ...],
                        clean: str) -> None:
        self._delete_document(meta.doc_id)
        conn.execute(
            "INSERT INTO documents (doc_id, path, format, jurisdiction, title, doc_type, "
            "language, year, source_url, sha256, page_count, n_provisions, scanned, "
            "status, warnings, metadata, clean_text, ingested_at, work, version_date) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", doc_row)
        for p, in_fts, main in zip(provisions, retrieval_units(provisions),
                                   main_units(provisions), strict=True):
            if p.doc_id != meta.doc_id:
                raise StoreError(f"provision {p.ref} belongs to {p.doc_id}, not "
                                 f"{meta.doc_id}")
            cur = conn.execute(
                "INSERT INTO provisions (doc_id, ref, ordinal, number, heading, level, "
                "parent_ref, path, page_start, page_end, char_start, char_end, "
                "text_sha256, fts, main, operative) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (p.doc_id, p.ref, p.ordinal, p.number, p.heading, p.level, p.parent_ref,
                 p.path, p.page_start, p.page_end, p.char_start, p.char_end,
                 text_sha256(p.text), int(in_fts), int(main),
                 int(is_operative(p.level, p.heading, p.text, number=p.number))))
            if in_fts:
                conn.execute("INSERT INTO provisions_fts (rowid, heading, text) "
                             "VALUES (?, ?, ?)", (cur.lastrowid, _fold(p.heading),
                                                  _fold(clean[p.char_start:p.char_end])))
        conn.execute("DELETE FROM failures WHERE doc_id = ?", (meta.doc_id,))

    def delete_document(self, doc_id: str) -> bool:
        """Remove a document and its provisions; True if it was there."""
        with self.transaction():
            return self._delete_document(doc_id)

    def _delete_document(self, doc_id: str) -> bool:
        # a contentless FTS5 row is deleted by giving back the values it was indexed with
        clean = self.clean_text(doc_id) or ""
        rows = self.conn.execute("SELECT id, heading, char_start, char_end FROM provisions "
                                 "WHERE doc_id = ? AND fts = 1", (doc_id,)).fetchall()
        self.conn.executemany(
            "INSERT INTO provisions_fts (provisions_fts, rowid, heading, text) "
            "VALUES ('delete', ?, ?, ?)",
            [(i, _fold(h), _fold(clean[a:b])) for i, h, a, b in rows])
        cur = self.conn.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
        return cur.rowcount > 0

    def record_failure(self, doc_id: str, path: str, kind: str, reason: str, *,
                       sha256: str = "") -> None:
        """Record (replace) why a document failed; its stored version, if any, stays."""
        with self.transaction():
            self.conn.execute("DELETE FROM failures WHERE doc_id = ? AND path = ?",
                              (doc_id, path))
            self.conn.execute("INSERT INTO failures (doc_id, path, kind, reason, sha256, at) "
                              "VALUES (?, ?, ?, ?, ?, ?)",
                              (doc_id, path, kind, reason, sha256, _now()))

    def failures(self) -> list[dict[str, str]]:
        """Every recorded failure, oldest first."""
        cur = self.conn.execute("SELECT doc_id, path, kind, reason, sha256, at FROM failures "
                                "ORDER BY id")
        return [dict(zip(("doc_id", "path", "kind", "reason", "sha256", "at"), r, strict=True))
                for r in cur]

    def documents(self) -> list[dict[str, Any]]:
        """Every stored document's metadata (no text), by doc_id."""
        cur = self.conn.execute(
            "SELECT doc_id, path, format, jurisdiction, title, doc_type, language, year, "
            "source_url, sha256, page_count, n_provisions, scanned, status, warnings, "
            "ingested_at FROM documents ORDER BY doc_id")
        names = [d[0] for d in cur.description]
        out = []
        for r in cur:
            rec = dict(zip(names, r, strict=True))
            rec["warnings"] = json.loads(rec["warnings"])
            out.append(rec)
        return out

    def clean_text(self, doc_id: str) -> str | None:
        """A document's clean text (the provisions' offsets point into it)."""
        row = self.conn.execute("SELECT clean_text FROM documents WHERE doc_id = ?",
                                (doc_id,)).fetchone()
        return None if row is None else str(row[0])

    # -- provisions ----------------------------------------------------------------------
    def provisions(self, doc_id: str | None = None, level: str | Iterable[str] | None = None,
                   *, articles: bool = False, limit: int | None = None,
                   query: ProvisionQuery | None = None) -> Iterator[ProvisionRow]:
        """Stored provisions in document order (doc_id, then ordinal).

        Args:
            doc_id: Only this document's.
            level: Only this level (or any of these levels).
            articles: Only the main units (the ``main`` column; the rule is
                :func:`nlp_toolkit.segment.units.main_units`).
            limit: At most this many.
            query: Further conditions (one :class:`~nlp_toolkit.store.filters.ProvisionQuery`
                for every command's filters).
        """
        q = query or ProvisionQuery()
        if doc_id is not None:
            q = replace(q, doc=doc_id)
        if level is not None:
            q = replace(q, level=level if isinstance(level, str) else tuple(level))
        if articles:
            q = replace(q, main=True)
        where, params = q.where()
        sql = (f"SELECT {PROVISION_SELECT} FROM provisions p "
               "JOIN documents d ON d.doc_id = p.doc_id"
               + (" WHERE " + " AND ".join(where) if where else "")
               + " ORDER BY p.doc_id, p.ordinal")
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        yield from self._rows(self.conn.execute(sql, params))

    def provision(self, ref: str) -> ProvisionRow | None:
        """One provision by its ``ref``."""
        cur = self.conn.execute(f"SELECT {PROVISION_SELECT} FROM provisions p JOIN documents d "
                                "ON d.doc_id = p.doc_id WHERE p.ref = ?", (ref,))
        return next(self._rows(cur), None)

    def _rows(self, cur: sqlite3.Cursor) -> Iterator[ProvisionRow]:
        """ProvisionRows of a :data:`~nlp_toolkit.store.rows.PROVISION_SELECT` cursor, their
        text cut from the document's text."""
        texts: dict[str, str] = {}

        def text_of(doc_id: str, start: int, end: int) -> str:
            if doc_id not in texts:
                if len(texts) > 8:  # rows come grouped by document: keep a few texts only
                    texts.clear()
                texts[doc_id] = self.clean_text(doc_id) or ""
            return texts[doc_id][start:end]

        return decode_rows(cur, text_of)

    # -- health --------------------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        """Counts: documents by status, provisions by level, pages, failures, schema."""
        c = self.conn
        by_status = dict(c.execute("SELECT status, count(*) FROM documents GROUP BY status"))
        by_level = dict(c.execute("SELECT level, count(*) FROM provisions GROUP BY level "
                                  "ORDER BY count(*) DESC"))
        by_format = dict(c.execute("SELECT format, count(*) FROM documents GROUP BY format"))
        return {
            "documents": sum(by_status.values()),
            "documents_by_status": by_status,
            "documents_by_format": by_format,
            "jurisdictions": c.execute(
                "SELECT count(DISTINCT jurisdiction) FROM documents").fetchone()[0],
            "pages": c.execute("SELECT coalesce(sum(page_count), 0) FROM documents"
                               ).fetchone()[0],
            "provisions": sum(by_level.values()),
            "provisions_by_level": by_level,
            "failures": c.execute("SELECT count(*) FROM failures").fetchone()[0],
            "schema_version": self.schema_version,
            "sqlite_version": sqlite3.sqlite_version,
            "path": self.path,
        }

    def integrity_check(self) -> list[str]:
        """Problems found by SQLite's and the index's own checks; empty when all is well."""
        problems = [str(r[0]) for r in self.conn.execute("PRAGMA integrity_check")]
        problems = [] if problems == ["ok"] else problems
        problems += [f"foreign key: {tuple(r)}" for r in
                     self.conn.execute("PRAGMA foreign_key_check")]
        try:
            self.conn.execute("INSERT INTO provisions_fts (provisions_fts) "
                              "VALUES ('integrity-check')")
        except sqlite3.DatabaseError as exc:
            problems.append(f"full-text index: {exc}")
        problems += [f"document {d}: n_provisions {n} but {m} stored" for d, n, m in
                     self.conn.execute(
                         "SELECT d.doc_id, d.n_provisions, count(p.id) FROM documents d "
                         "LEFT JOIN provisions p ON p.doc_id = d.doc_id GROUP BY d.doc_id "
                         "HAVING d.n_provisions != count(p.id)")]
        orphans = self.conn.execute("SELECT count(*) FROM provisions_fts WHERE rowid NOT IN "
                                    "(SELECT id FROM provisions)").fetchone()[0]
        if orphans:
            problems.append(f"full-text index: {orphans} rows without a provision")
        return problems

    # -- plumbing ------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE``): commit on success, roll back on any
        exception. Re-entrant: inside another transaction of this store it joins that one,
        so a stage can group several writes (vectors and their links) into one commit.

        >>> with Store.open(":memory:") as s, s.transaction(), s.transaction() as conn:
        ...     conn.in_transaction
        True
        """
        conn = self.conn
        if conn.in_transaction:  # the outer transaction commits or rolls back
            yield conn
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")



