"""The index: round trips, one transaction per document, migrations, full-text search."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlp_toolkit.errors import StoreError
from nlp_toolkit.extract import read_document
from nlp_toolkit.records import ExtractedDocument, Line, Provision
from nlp_toolkit.segment import segment
from nlp_toolkit.store import SCHEMA_VERSION, DocumentMeta, Store
from tests.helpers import fts_hits

LEVELS = ["part", "chapter", "section", "article", "paragraph", "item", "schedule"]


def _doc(texts: list[str]) -> ExtractedDocument:
    return ExtractedDocument(lines=tuple(Line(t, page=i + 1) for i, t in enumerate(texts)),
                             page_count=len(texts))


def _provisions(doc_id: str, doc: ExtractedDocument) -> list[Provision]:
    out, pos = [], 0
    for i, line in enumerate(doc.lines):
        out.append(Provision(doc_id, f"{doc_id}:{i + 1}", str(i + 1), f"Heading {i}",
                             LEVELS[i % len(LEVELS)], f"{doc_id}:1" if i else None,
                             f"Article {i + 1}", line.page, line.page, pos,
                             pos + len(line.text), line.text, i))
        pos += len(line.text) + 1
    return out


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    return Store.open(tmp_path / "index.sqlite")


texts = st.lists(st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\n"),
                         max_size=40), min_size=1, max_size=8)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=texts, jur=st.text(max_size=10))
def test_provisions_round_trip_exactly(store: Store, lines: list[str], jur: str) -> None:
    doc = _doc(lines)
    provisions = _provisions("rt", doc)
    store.write_document(DocumentMeta("rt", "rt.md", "0" * 64, jurisdiction=jur,
                                      language="xx"), doc, provisions)
    back = list(store.provisions("rt"))
    assert [Provision(r.doc_id, r.ref, r.number, r.heading, r.level, r.parent_ref, r.path,
                      r.page_start or 0, r.page_end or 0, r.char_start, r.char_end, r.text,
                      r.ordinal) for r in back] == provisions
    assert {(r.jurisdiction, r.language) for r in back} == {(jur, "xx")}
    assert store.clean_text("rt") == doc.text
    assert store.integrity_check() == []


def test_rewrite_replaces_and_bad_rewrite_keeps_the_old_version(store: Store) -> None:
    doc = _doc(["one", "two", "three"])
    store.write_document(DocumentMeta("d", "d.md", "1" * 64), doc, _provisions("d", doc))
    smaller = _doc(["uno"])
    store.write_document(DocumentMeta("d", "d.md", "2" * 64), smaller, _provisions("d", smaller))
    assert [p.text for p in store.provisions("d")] == ["uno"]
    assert store.document_sha("d") == "2" * 64
    dup = _provisions("d", doc)
    dup[2] = dup[1]  # a duplicate ref: the whole document must roll back
    with pytest.raises(StoreError, match="duplicate|UNIQUE"):
        store.write_document(DocumentMeta("d", "d.md", "3" * 64), doc, dup)
    assert store.document_sha("d") == "2" * 64
    assert [p.text for p in store.provisions("d")] == ["uno"]
    assert fts_hits(store, "three") == []
    assert store.integrity_check() == []


def test_delete_cascades_to_provisions_and_fts(store: Store) -> None:
    doc = _doc(["alpha beta", "gamma"])
    store.write_document(DocumentMeta("d", "d.md", "1" * 64), doc, _provisions("d", doc))
    assert store.delete_document("d")
    assert list(store.provisions()) == [] and fts_hits(store, "alpha") == []
    assert store.integrity_check() == []


def test_schema_is_versioned_and_pragmas_set(tmp_path: Path) -> None:
    path = tmp_path / "i.sqlite"
    with Store.open(path) as s:
        assert s.schema_version == SCHEMA_VERSION >= 1
        assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert s.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(StoreError, match="newer than this"):
        Store.open(path)


def test_unusable_databases_are_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no index at"):
        Store.open(tmp_path / "missing.sqlite", create=False)
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="not a usable index"):
        Store.open(junk)
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="not an nlp_toolkit index"):
        Store.open(other)


def test_failures_are_recorded_and_cleared_on_success(store: Store) -> None:
    store.record_failure("d", "d.md", "extract", "broken")
    store.record_failure("d", "d.md", "extract", "still broken")
    assert [f["reason"] for f in store.failures()] == ["still broken"]
    doc = _doc(["ok"])
    store.write_document(DocumentMeta("d", "d.md", "1" * 64), doc, _provisions("d", doc))
    assert store.failures() == []


@pytest.fixture(scope="module")
def real_store(shared_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Store:
    """Two Chinese laws and the (English) WTO e-commerce text, read and segmented for real."""
    store = Store.open(tmp_path_factory.mktemp("fts") / "index.sqlite")
    for doc_id, rel, jur, lang in [
        ("chn-pipl-2021", "text/chn-pipl-2021.md", "CHN", "zh"),
        ("chn-data-security-law-2021", "text/chn-data-security-law-2021.md", "CHN", "zh"),
        ("wto-jsi-ecommerce-2024", "text/wto-jsi-ecommerce-2024.md", "WTO", "en"),
    ]:
        doc = read_document(shared_corpus / rel)
        store.write_document(DocumentMeta(doc_id, rel, "0" * 64, jurisdiction=jur,
                                          language=lang), doc, segment(doc_id, doc))
    return store


def test_fts_finds_chinese_including_short_queries(real_store: Store) -> None:
    hits = fts_hits(real_store, "境外提供个人信息", k=10, doc="chn-pipl-2021")
    assert hits and all("境外提供个人信息" in h.provision.text for h in hits)
    assert {"38", "39"} <= {h.provision.number for h in hits}  # cross-border transfer articles
    one = fts_hits(real_store, "境", k=3)
    assert one and all("境" in h.provision.text for h in one)
    two = fts_hits(real_store, "数据", k=50, jurisdiction="CHN")
    assert len(two) == 50 and all("数据" in h.provision.text for h in two)
    assert all(h.score > 0 for h in two)
    assert two == sorted(two, key=lambda h: -h.score)


def test_fts_ranks_english_with_bm25(real_store: Store) -> None:
    hits = fts_hits(real_store, "electronic authentication", k=5, mode="and")
    assert hits and all(h.provision.doc_id == "wto-jsi-ecommerce-2024" for h in hits)
    top = hits[0].provision
    assert "authentication" in (top.heading + top.text).lower()
    assert fts_hits(real_store, "authentication", jurisdiction="CHN") == []
    assert fts_hits(real_store, '"unbalanced AND (', k=3) is not None  # no FTS5 syntax error
    with pytest.raises(ValueError, match="no letters or digits"):
        fts_hits(real_store, "  ?! ")
    assert real_store.integrity_check() == []


def _p(ref: str, level: str, parent: str | None) -> Provision:
    return Provision("d", f"d:{ref}", ref, "", level, f"d:{parent}" if parent else None, ref,
                     1, 1, 0, 0, "")


def test_retrieval_units_index_each_character_once() -> None:
    from nlp_toolkit.segment.units import retrieval_units

    provisions = [_p("Preamble", "preamble", None), _p("C1", "chapter", None),
                  _p("S1", "section", "C1"), _p("1", "article", "S1"),
                  _p("1(1)", "paragraph", "1"), _p("1(1)(a)", "item", "1(1)"),
                  _p("C2", "chapter", None), _p("C2(1)", "paragraph", "C2"),
                  _p("Schedule 1", "schedule", None)]
    chosen = [p.number for p, keep in zip(provisions, retrieval_units(provisions), strict=True)
              if keep]
    assert chosen == ["Preamble", "1", "C2", "Schedule 1"]


def test_integrity_check_finds_damage(store: Store) -> None:
    doc = _doc(["alpha", "beta"])
    store.write_document(DocumentMeta("d", "d.md", "1" * 64), doc, _provisions("d", doc))
    store.conn.execute("DELETE FROM provisions WHERE fts = 1")
    problems = store.integrity_check()
    assert any("n_provisions 2 but 1 stored" in p for p in problems)
    assert any("without a provision" in p for p in problems)


def test_write_path_fold_skips_only_text_fold_leaves_unchanged() -> None:
    from nlp_toolkit.store import _fold
    from nlp_toolkit.store.fts import fold

    for text in ("Article 1 personal data", "第三十八条 data", "cafe\u0301", "กฎหมาย ๑",
                 "“quoted” — text", ""):
        assert _fold(text) == fold(text)
    assert _fold("cafe\u0301") == "caf\u00e9"  # NFC still applies to non-ASCII text
