"""The index's schema as ordered migrations, keyed by ``PRAGMA user_version``.

Migration ``n`` upgrades a database at version ``n - 1`` to version ``n``; each runs in its
own transaction together with the ``user_version`` bump, so a database is always at a
whole version. Append new migrations; never edit a released one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator

from nlp_toolkit.errors import StoreError

#: The FTS5 tokenizer: Unicode words with diacritics folded; combining marks (Thai, Lao
#: vowel signs) stay inside tokens. CJK, Thai and Lao text is split into one token per
#: character (cluster) before indexing, see :mod:`nlp_toolkit.store.fts`.
FTS_TOKENIZER = "unicode61 remove_diacritics 2 categories 'L* N* Co Mc Mn'"

_V1 = f"""
CREATE TABLE documents (
    doc_id       TEXT PRIMARY KEY,
    path         TEXT NOT NULL,
    format       TEXT NOT NULL DEFAULT '',
    jurisdiction TEXT NOT NULL DEFAULT '',
    title        TEXT NOT NULL DEFAULT '',
    doc_type     TEXT NOT NULL DEFAULT '',
    language     TEXT NOT NULL DEFAULT '',
    year         INTEGER,
    source_url   TEXT NOT NULL DEFAULT '',
    sha256       TEXT NOT NULL,
    page_count   INTEGER,
    n_provisions INTEGER NOT NULL DEFAULT 0,
    scanned      INTEGER NOT NULL DEFAULT 0,
    status       TEXT NOT NULL CHECK (status IN ('ok', 'scanned')),
    warnings     TEXT NOT NULL DEFAULT '[]',
    metadata     TEXT NOT NULL DEFAULT '{{}}',
    clean_text   TEXT NOT NULL DEFAULT '',
    ingested_at  TEXT NOT NULL
);
CREATE TABLE provisions (
    id          INTEGER PRIMARY KEY,
    doc_id      TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    ref         TEXT NOT NULL UNIQUE,
    ordinal     INTEGER NOT NULL,
    number      TEXT NOT NULL,
    heading     TEXT NOT NULL,
    level       TEXT NOT NULL,
    parent_ref  TEXT,
    path        TEXT NOT NULL,
    page_start  INTEGER,
    page_end    INTEGER,
    char_start  INTEGER NOT NULL,
    char_end    INTEGER NOT NULL,
    -- the text is documents.clean_text[char_start:char_end], stored once per document
    text_sha256 TEXT NOT NULL,
    fts         INTEGER NOT NULL DEFAULT 0  -- 1 when in provisions_fts (a retrieval unit)
);
CREATE INDEX provisions_doc_ordinal ON provisions (doc_id, ordinal);
CREATE INDEX provisions_level ON provisions (level);
CREATE INDEX provisions_parent ON provisions (parent_ref);
CREATE INDEX provisions_text_sha256 ON provisions (text_sha256);
-- contentless: heading and text as folded by nlp_toolkit.store.fts.fold, for the retrieval
-- units only (see nlp_toolkit.segment.units.retrieval_units); rowid = provisions.id
CREATE VIRTUAL TABLE provisions_fts USING fts5 (
    heading, text, content = '', tokenize = "{FTS_TOKENIZER}"
);
CREATE TABLE failures (
    id      INTEGER PRIMARY KEY,
    doc_id  TEXT NOT NULL,
    path    TEXT NOT NULL,
    kind    TEXT NOT NULL,
    reason  TEXT NOT NULL,
    sha256  TEXT NOT NULL DEFAULT '',
    at      TEXT NOT NULL
);
CREATE INDEX failures_doc ON failures (doc_id);
"""

# Version 2: sentence vectors. A vector is keyed by (model, hash of the embedded text), so
# unchanged text is never embedded twice, even across re-ingests (provision ids change, the
# vector stays); provision_vectors maps each embedded provision to its vector per model.
_V2 = """
CREATE TABLE vectors (
    model_id  TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    dim       INTEGER NOT NULL,
    vector    BLOB NOT NULL,  -- float32, little-endian, L2-normalised, dim * 4 bytes
    PRIMARY KEY (model_id, text_hash)
) WITHOUT ROWID;
CREATE TABLE provision_vectors (
    provision_id INTEGER NOT NULL REFERENCES provisions(id) ON DELETE CASCADE,
    model_id     TEXT NOT NULL,
    text_hash    TEXT NOT NULL,
    PRIMARY KEY (model_id, provision_id)
) WITHOUT ROWID;
CREATE INDEX provision_vectors_provision ON provision_vectors (provision_id);
"""

# Version 3: provision scores (``nlp-toolkit score``): one row per scored main unit and
# model; topic_scores is the long form (one row per provision and topic) for the matrix and
# topic filters. The view provision_topics (asserted topics only) is created by the first
# write of scores (nlp_toolkit.store.scores), so its presence says "this index was scored".
_V3 = """
CREATE TABLE provision_scores (
    provision_id      INTEGER NOT NULL REFERENCES provisions(id) ON DELETE CASCADE,
    model_id          TEXT NOT NULL,
    topics            TEXT NOT NULL DEFAULT '{}',  -- JSON {topic: probability}
    labels            TEXT NOT NULL DEFAULT '[]',  -- JSON list of asserted topics
    bindingness       TEXT NOT NULL,
    bindingness_score REAL NOT NULL,
    direction         TEXT NOT NULL,
    evidence          TEXT NOT NULL DEFAULT '[]',  -- JSON list of evidence spans
    text_sha256       TEXT NOT NULL DEFAULT '',
    scored_at         TEXT NOT NULL,
    PRIMARY KEY (provision_id, model_id)
);
CREATE INDEX provision_scores_model ON provision_scores (model_id);
CREATE TABLE topic_scores (
    provision_id INTEGER NOT NULL REFERENCES provisions(id) ON DELETE CASCADE,
    model_id     TEXT NOT NULL,
    topic        TEXT NOT NULL,
    probability  REAL NOT NULL,
    asserted     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (provision_id, model_id, topic)
) WITHOUT ROWID;
CREATE INDEX topic_scores_topic ON topic_scores (topic, asserted);
"""

# Version 4: the main-unit flag (nlp_toolkit.segment.units.main_units), computed once when a
# document is stored. The UPDATE fills rows stored before: it states the rule as it was when
# this migration was written (a frozen copy, like every released migration).
_V4 = """
ALTER TABLE provisions ADD COLUMN main INTEGER NOT NULL DEFAULT 0;
UPDATE provisions SET main = 1 WHERE level = 'article' OR (level = 'section' AND NOT EXISTS (
    SELECT 1 FROM provisions c WHERE c.doc_id = provisions.doc_id
    AND c.parent_ref = provisions.ref AND c.level IN ('article', 'section')));
CREATE INDEX provisions_main ON provisions (doc_id, main);
"""

# Version 5: works and expressions, and the operative flag (issue #12). ``work`` groups a
# law's versions and language expressions (search collapses them to one hit), and
# ``version_date`` orders them; ``operative`` is 0 for preambles, recitals, lists of
# amendments and the like (nlp_toolkit.segment.operative), which search leaves out. Existing
# rows are back-filled by _backfill_v5 with the same rules ingest applies.
_V5 = """
ALTER TABLE documents ADD COLUMN work TEXT NOT NULL DEFAULT '';
ALTER TABLE documents ADD COLUMN version_date TEXT NOT NULL DEFAULT '';
ALTER TABLE provisions ADD COLUMN operative INTEGER NOT NULL DEFAULT 1;
CREATE INDEX documents_work ON documents (work);
"""

_OPENING_CHARS = 600  # the operative rule reads a unit's first lines only


def _backfill_v5(conn: sqlite3.Connection) -> None:
    """Infer ``work``/``version_date`` and compute ``operative`` for the rows already stored."""
    from nlp_toolkit.segment.operative import is_operative
    from nlp_toolkit.sources.works import infer_version_date, infer_work

    docs = conn.execute("SELECT doc_id, year, title, metadata FROM documents").fetchall()
    for doc_id, year, title, metadata in docs:
        given = _manifest_columns(metadata)
        conn.execute("UPDATE documents SET work = ?, version_date = ? WHERE doc_id = ?",
                     (given.get("work") or infer_work(doc_id),
                      given.get("version_date") or infer_version_date(
                          doc_id, year, title or ""), doc_id))
    rows = conn.execute(
        "SELECT p.id, p.level, p.heading, p.number, substr(d.clean_text, p.char_start + 1, "
        f"min(p.char_end - p.char_start, {_OPENING_CHARS})) FROM provisions p "
        "JOIN documents d ON d.doc_id = p.doc_id").fetchall()
    conn.executemany("UPDATE provisions SET operative = 0 WHERE id = ?",
                     [(i,) for i, level, heading, number, text in rows
                      if not is_operative(level, heading or "", text or "", number=number)])


def _manifest_columns(metadata: str | None) -> dict[str, str]:
    import json

    try:
        meta = json.loads(metadata or "{}")
    except ValueError:
        return {}
    manifest = meta.get("manifest", {}) if isinstance(meta, dict) else {}
    return {k: str(v) for k, v in manifest.items()} if isinstance(manifest, dict) else {}


#: A migration: SQL, or SQL and a Python step run after it in the same transaction.
Migration = str | tuple[str, Callable[[sqlite3.Connection], None]]

#: ``MIGRATIONS[n - 1]`` takes a database from version ``n - 1`` to ``n``: SQL, and
#: optionally a Python step run in the same transaction (back-filling new columns).
MIGRATIONS: tuple[Migration, ...] = (_V1, _V2, _V3, _V4, (_V5, _backfill_v5))
#: The schema version this code writes.
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection, name: str) -> None:
    """Bring ``conn`` up to :data:`SCHEMA_VERSION`, one migration per transaction.

    Raises:
        StoreError: The database is newer than this code, or not an nlp_toolkit index.
    """
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise StoreError(f"index {name} has schema version {version}, newer than this "
                         f"nlp_toolkit's {SCHEMA_VERSION}; upgrade nlp_toolkit")
    if version == 0 and conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").fetchone()[0]:
        raise StoreError(f"{name} is an SQLite database but not an nlp_toolkit index; "
                         "give another --db PATH")
    for target in range(version + 1, SCHEMA_VERSION + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            step = MIGRATIONS[target - 1]
            script, backfill = step if isinstance(step, tuple) else (step, None)
            for statement in _statements(script):
                conn.execute(statement)
            if backfill is not None:
                backfill(conn)
            conn.execute(f"PRAGMA user_version = {int(target)}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise


def _statements(script: str) -> Iterator[str]:
    """Split a migration script into statements (executescript would commit early)."""
    buf = ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--"):
            continue
        buf += line
        if sqlite3.complete_statement(buf):
            yield buf.strip()
            buf = ""
    if buf.strip():
        yield buf.strip()
