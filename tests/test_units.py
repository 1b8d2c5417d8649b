"""The main-unit rule: one definition (nlp_toolkit.segment.units), stored as a column."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from nlp_toolkit.records import ExtractedDocument, Line, Provision
from nlp_toolkit.segment.units import main_units
from nlp_toolkit.store import SCHEMA_VERSION, DocumentMeta, Store

# (level, parent index): a part, a Division (section) grouping two statute sections with a
# paragraph, a Chinese 第一节 (section) grouping articles, a lone article, a schedule
TREE = [("part", None), ("section", 0), ("section", 1), ("paragraph", 2), ("section", 1),
        ("section", None), ("article", 5), ("article", 5), ("article", None),
        ("schedule", None)]
MAIN = [False, False, True, False, True, False, True, True, True, False]


def _tree(doc_id: str = "d") -> tuple[ExtractedDocument, list[Provision]]:
    lines = tuple(Line(f"unit {i} text", page=1) for i in range(len(TREE)))
    out, pos = [], 0
    for i, (level, parent) in enumerate(TREE):
        text = lines[i].text
        out.append(Provision(doc_id, f"{doc_id}:{i}", str(i), "", level,
                             None if parent is None else f"{doc_id}:{parent}", str(i), 1, 1,
                             pos, pos + len(text), text, i))
        pos += len(text) + 1
    return ExtractedDocument(lines=lines, page_count=1), out


def test_main_units_are_articles_and_sections_that_group_none() -> None:
    _, provisions = _tree()
    assert main_units(provisions) == MAIN


def test_the_store_keeps_the_rule_as_a_column(tmp_path: Path) -> None:
    doc, provisions = _tree()
    with Store.open(tmp_path / "i.sqlite") as s:
        s.write_document(DocumentMeta("d", "d.md", "0" * 64), doc, provisions)
        main = [r.ref for r in s.provisions("d", articles=True)]
    assert main == [p.ref for p, m in zip(provisions, MAIN, strict=True) if m]


def test_migration_fills_the_column_for_an_older_index(tmp_path: Path) -> None:
    doc, provisions = _tree()
    path = tmp_path / "old.sqlite"
    with Store.open(path) as s:
        s.write_document(DocumentMeta("d", "d.md", "0" * 64), doc, provisions)
    conn = sqlite3.connect(path, isolation_level=None)  # back to version 3: no column
    conn.execute("DROP INDEX provisions_main")
    conn.execute("ALTER TABLE provisions DROP COLUMN main")
    # and the columns of version 5 (works, the operative flag)
    conn.execute("DROP INDEX documents_work")
    for table, column in (("documents", "work"), ("documents", "version_date"),
                          ("provisions", "operative")):
        conn.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    conn.execute("PRAGMA user_version = 3")
    conn.close()
    with Store.open(path) as s:
        assert s.schema_version == SCHEMA_VERSION == 5
        flags = [bool(r[0]) for r in s.conn.execute(
            "SELECT main FROM provisions WHERE doc_id = 'd' ORDER BY ordinal")]
    assert flags == MAIN
