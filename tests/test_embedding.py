"""The embed stage and the vector store: coverage, reuse by text hash, migration, masks.

A counting fake embedder stands in for the models here (the real models are exercised by
``tests/test_search.py``); documents are real shared Markdown laws (fast to read).
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from nlp_toolkit.build.embed import MAX_EMBED_CHARS, embed_input, embed_store
from nlp_toolkit.defaults import E5_ID, MINILM_ID
from nlp_toolkit.embed import text_hash
from nlp_toolkit.sources.manifest import read_manifest
from nlp_toolkit.store import Store
from nlp_toolkit.store.schema import MIGRATIONS, SCHEMA_VERSION
from nlp_toolkit.store.vectors import (
    get_vectors,
    load_matrix,
    model_ids,
    prune_vectors,
    put_vectors,
    unembedded_units,
    units_by_ids,
)

DOCS = ("chn-pipl-2021", "wto-jsi-ecommerce-2024")


class CountingEmbedder:
    """Deterministic vectors from a text hash; records every text it encodes."""

    def __init__(self, model_id: str = "fake", dim: int = 8) -> None:
        self.model_id = model_id
        self._dim = dim
        self.seen: list[str] = []

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def max_chars(self) -> int:
        return 2000

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        self.seen.extend(texts)
        rows = []
        for t in texts:
            seed = int(hashlib.sha256(t.encode()).hexdigest()[:8], 16)
            v = np.random.default_rng(seed).standard_normal(self._dim).astype(np.float32)
            rows.append(v / np.linalg.norm(v))
        return np.array(rows, dtype=np.float32).reshape(len(texts), self._dim)


def _ingest(store: Store, shared_corpus: Path, doc_ids: Sequence[str]) -> None:
    from nlp_toolkit.build.ingest import ingest

    rows = [r for r in read_manifest(shared_corpus / "manifest.csv").rows if r.doc_id in doc_ids]
    assert len(rows) == len(doc_ids), "the shared manifest lacks a test document"
    report = ingest(rows, store, workers=0)
    assert not report.failures


@pytest.fixture
def store(tmp_path: Path, shared_corpus: Path) -> Store:
    s = Store.open(tmp_path / "index.sqlite")
    _ingest(s, shared_corpus, DOCS)
    return s


def _main_units(store: Store) -> int:
    return int(store.conn.execute("SELECT count(*) FROM provisions WHERE fts = 1").fetchone()[0])


def test_every_main_unit_gets_one_vector_and_rerun_costs_nothing(store: Store) -> None:
    emb = CountingEmbedder()
    first = embed_store(store, emb, batch_size=50)
    n = _main_units(store)
    assert n > 100
    assert first.units == n and first.reused == 0
    assert first.embedded == len({embed_input(u.text, u.heading) for u in
                                  unembedded_units(store, "other")})
    assert unembedded_units(store, "fake") == []
    calls = len(emb.seen)
    again = embed_store(store, emb)
    assert (again.units, again.embedded) == (0, 0) and len(emb.seen) == calls
    vm = load_matrix(store, "fake")
    assert len(vm) == n and vm.matrix.dtype == np.float32 and vm.matrix.shape[1] == 8
    assert np.allclose(np.linalg.norm(vm.matrix, axis=1), 1.0, atol=1e-5)
    assert model_ids(store) == ["fake"]


def test_reingested_unchanged_text_reuses_vectors(store: Store, shared_corpus: Path) -> None:
    emb = CountingEmbedder()
    embed_store(store, emb)
    n_pipl = int(store.conn.execute("SELECT count(*) FROM provisions WHERE fts = 1 AND "
                                    "doc_id = 'chn-pipl-2021'").fetchone()[0])
    store.delete_document("chn-pipl-2021")
    _ingest(store, shared_corpus, ["chn-pipl-2021"])
    calls = len(emb.seen)
    report = embed_store(store, emb)
    assert report.units == n_pipl and report.reused == n_pipl and report.embedded == 0
    assert len(emb.seen) == calls


def test_changed_text_is_embedded_again_and_old_vectors_can_be_pruned(store: Store) -> None:
    emb = CountingEmbedder()
    embed_store(store, emb)
    before = store.conn.execute("SELECT count(*) FROM vectors").fetchone()[0]
    # relink one unit to a text hash nobody has: as if its text had changed
    pid = store.conn.execute("SELECT provision_id FROM provision_vectors LIMIT 1").fetchone()[0]
    store.conn.execute("DELETE FROM provision_vectors WHERE provision_id = ?", (pid,))
    assert prune_vectors(store, "fake") in (0, 1)  # its vector may be shared by a twin text
    report = embed_store(store, emb)
    assert report.units == 1
    assert store.conn.execute("SELECT count(*) FROM vectors").fetchone()[0] <= before


def test_english_only_model_reads_chinese_law_as_its_gloss(store: Store) -> None:
    # MiniLM embeds national law only (the treaty is left out) and Chinese as its English
    # gloss: the search's English-side view of Chinese law
    emb = CountingEmbedder(model_id=MINILM_ID)
    report = embed_store(store, emb)
    langs = {r[0] for r in store.conn.execute(
        "SELECT DISTINCT d.language FROM provision_vectors l JOIN provisions p ON "
        "p.id = l.provision_id JOIN documents d ON d.doc_id = p.doc_id")}
    assert langs == {"zh"} and report.units > 0
    assert emb.seen and not any("个人信息" in t for t in emb.seen)
    assert sum("personal information" in t for t in emb.seen) > 20


def test_national_only_model_skips_treaties(store: Store) -> None:
    # e5 serves the national ranking: it embeds statutes and regulations, not treaties
    emb = CountingEmbedder(model_id=E5_ID)
    report = embed_store(store, emb)
    types = {r[0] for r in store.conn.execute(
        "SELECT DISTINCT d.doc_type FROM provision_vectors l JOIN provisions p ON "
        "p.id = l.provision_id JOIN documents d ON d.doc_id = p.doc_id WHERE l.model_id = ?",
        (E5_ID,))}
    assert types == {"statute"} and report.units > 0
    assert unembedded_units(store, E5_ID, skip_doc_types=("treaty",)) == []
    assert unembedded_units(store, E5_ID)  # the treaty's units, left out on purpose


def test_progress_reports_every_batch(store: Store) -> None:
    calls: list[tuple[int, int, str]] = []
    embed_store(store, CountingEmbedder(), batch_size=40,
                progress=lambda d, n, label: calls.append((d, n, label)))
    assert calls[0][0] == 0 and calls[-1][0] == calls[-1][1] > 0
    assert [c[0] for c in calls] == sorted(c[0] for c in calls)


def test_vectors_round_trip_and_keep_the_first_version(tmp_path: Path) -> None:
    with Store.open(tmp_path / "v.sqlite") as s:
        v = np.array([0.6, 0.8, 0.0], dtype=np.float32)
        assert put_vectors(s, "m", {"h": v}) == 1
        assert put_vectors(s, "m", {"h": np.zeros(3, dtype=np.float32)}) == 0
        got = get_vectors(s, "m", ["h", "missing"])
        assert list(got) == ["h"] and got["h"].dtype == np.float32
        assert np.array_equal(got["h"], v)
        assert get_vectors(s, "other", ["h"]) == {}


def test_version_1_index_is_migrated_to_vectors(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    from nlp_toolkit.store.schema import _statements

    for stmt in _statements(MIGRATIONS[0]):
        conn.execute(stmt)
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    with Store.open(path) as s:
        assert s.schema_version == SCHEMA_VERSION >= 2
        tables = {r[0] for r in s.conn.execute("SELECT name FROM sqlite_master")}
        assert {"vectors", "provision_vectors"} <= tables


def test_matrix_masks_filter_rows(store: Store) -> None:
    embed_store(store, CountingEmbedder())
    vm = load_matrix(store, "fake")
    zh = vm.mask(language="zh")
    assert zh is not None and 0 < zh.sum() < len(vm)
    assert set(vm.doc_ids[zh]) == {"chn-pipl-2021"}
    assert vm.mask() is None
    no_chn = vm.mask(exclude_jurisdictions=frozenset({"CHN"}))
    assert no_chn is not None and "chn-pipl-2021" not in set(vm.doc_ids[no_chn])
    assert vm.mask(level="no-such-level") is not None
    assert not vm.mask(level="no-such-level").any()  # type: ignore[union-attr]


def test_embed_input_adds_a_missing_heading_and_caps_length() -> None:
    assert embed_input("Section 26 Transfer ...", "Transfer") == "Section 26 Transfer ..."
    assert embed_input("(1) text", "Consent").startswith("Consent\n")
    assert len(embed_input("x" * (MAX_EMBED_CHARS + 50), "")) == MAX_EMBED_CHARS


def test_dense_search_without_vectors_says_to_embed(tmp_path: Path) -> None:
    from nlp_toolkit.errors import StoreError

    with Store.open(tmp_path / "e.sqlite") as s, pytest.raises(StoreError, match="embed"):
        load_matrix(s, "use-m3")


def test_small_pages_embed_each_text_once_like_one_page(store: Store, tmp_path: Path,
                                                        shared_corpus: Path) -> None:
    import dataclasses

    from nlp_toolkit.build.ingest import ingest

    row = next(r for r in read_manifest(shared_corpus / "manifest.csv").rows
               if r.doc_id == DOCS[1])
    # the same texts again under another id: every text of it repeats in a later page
    assert not ingest([dataclasses.replace(row, doc_id="twin")], store, workers=0).failures
    other = Store.open(tmp_path / "copy.sqlite")
    store.conn.backup(other.conn)
    whole, paged = CountingEmbedder(), CountingEmbedder()
    a = embed_store(store, whole, page_size=100_000)
    b = embed_store(other, paged, page_size=7, batch_size=5)
    assert (a.units, a.reused, a.embedded) == (b.units, b.reused, b.embedded)
    assert b.reused == 0 and b.embedded < b.units and sorted(whole.seen) == sorted(paged.seen)
    assert len(paged.seen) == len(set(paged.seen))  # a text repeated across pages: once
    links = "SELECT provision_id, text_hash FROM provision_vectors ORDER BY provision_id"
    assert store.conn.execute(links).fetchall() == other.conn.execute(links).fetchall()
    other.close()


def test_units_whose_embedded_input_changed_are_embedded_and_scored_again(
        store: Store) -> None:
    """An index embedded before a change of ``embed_input`` (a glossary entry, the heading
    rule) gets the new input's vectors on the next run, and loses the scores made from the
    old ones; an unchanged run finds nothing stale."""
    emb = CountingEmbedder()
    embed_store(store, emb)
    ids = [int(r[0]) for r in store.conn.execute(
        "SELECT provision_id FROM provision_vectors WHERE model_id = 'fake' LIMIT 3")]
    # as if these units had been embedded from another input: their links name other hashes
    with store.transaction():
        store.conn.executemany("UPDATE provision_vectors SET text_hash = ? WHERE "
                               "provision_id = ? AND model_id = 'fake'",
                               [(f"old-{i}", i) for i in ids])
        store.conn.executemany(
            "INSERT INTO provision_scores (provision_id, model_id, bindingness, "
            "bindingness_score, direction, scored_at) VALUES (?, 'm', 'soft', 0.5, "
            "'neutral', 'now')", [(i,) for i in ids])
    report = embed_store(store, emb)
    assert report.stale == 3 and report.units == 3
    assert "3 re-embedded" in report.summary()
    units = units_by_ids(store, ids)
    linked = dict(store.conn.execute(
        "SELECT provision_id, text_hash FROM provision_vectors WHERE model_id = 'fake' AND "
        f"provision_id IN ({', '.join('?' * len(ids))})", ids).fetchall())
    for i in ids:
        assert linked[i] == text_hash(embed_input(units[i].text, units[i].heading), "fake")
    assert store.conn.execute("SELECT count(*) FROM provision_scores").fetchone()[0] == 0
    again = embed_store(store, emb)
    assert (again.stale, again.units, again.embedded) == (0, 0, 0)
