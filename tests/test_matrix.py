"""The jurisdiction × topic matrix and the score tables, on small hand-made scores, plus the
lexicon scorer end to end on a real Chinese law."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from nlp_toolkit.build.score import load_scorer, matrix, score_store, with_scores
from nlp_toolkit.cli import main
from nlp_toolkit.corpus import Corpus
from nlp_toolkit.errors import ToolkitError
from nlp_toolkit.outputs.plot.tables import profile_table
from nlp_toolkit.records import ExtractedDocument, Line, Provision
from nlp_toolkit.score import Evidence, ProvisionScore
from nlp_toolkit.sources.manifest import read_manifest
from nlp_toolkit.store import DocumentMeta, Store
from nlp_toolkit.store.schema import MIGRATIONS, SCHEMA_VERSION, _statements
from nlp_toolkit.store.scores import (
    main_unit_ids,
    score_models,
    scores_for_refs,
    unscored_documents,
    write_scores,
)
from nlp_toolkit.topics import load_taxonomy

TOPICS = load_taxonomy().ids


def _write_doc(store: Store, doc_id: str, jurisdiction: str, bodies: list[str], *,
               work: str = "", version_date: str = "", language: str = "en") -> None:
    """A chapter holding one article per body."""
    lines = ["Chapter 1 General", *[f"{i + 1}. {b}" for i, b in enumerate(bodies)]]
    doc = ExtractedDocument(lines=tuple(Line(t) for t in lines), page_count=1)
    text = doc.text
    provs = [Provision(doc_id, f"{doc_id}:Chapter 1", "Chapter 1", "General", "chapter", None,
                       "Chapter 1", 1, 1, 0, len(text), text, 0)]
    pos = len(lines[0]) + 1
    for i, line in enumerate(lines[1:]):
        provs.append(Provision(doc_id, f"{doc_id}:{i + 1}", str(i + 1), "", "article",
                               f"{doc_id}:Chapter 1", f"Chapter 1 > {i + 1}", 1, 1, pos,
                               pos + len(line), line, i + 1))
        pos += len(line) + 1
    store.write_document(DocumentMeta(doc_id, f"{doc_id}.md", "0" * 64,
                                      jurisdiction=jurisdiction, language=language,
                                      work=work, version_date=version_date), doc, provs)


def _score(probs: dict[str, float], labels: tuple[str, ...]) -> ProvisionScore:
    topics = {t: probs.get(t, 0.01) for t in TOPICS}
    return ProvisionScore(topics, labels, "hard", 1.0, "neutral",
                          tuple(Evidence(t, "x", 0, 1) for t in labels))


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    s = Store.open(tmp_path / "index.sqlite")
    _write_doc(s, "a", "SGP;MYS", ["Transfer of data abroad.", "Personal data.", "Customs."])
    _write_doc(s, "b", "CHN", ["Personal information.", "Cross-border transfer."])
    ids = {**main_unit_ids(s, "a"), **main_unit_ids(s, "b")}
    write_scores(s, "m1", [
        (ids["a:1"], "", _score({"data_flows": 0.9, "personal_data": 0.7},
                                ("data_flows", "personal_data"))),
        (ids["a:2"], "", _score({"personal_data": 0.95}, ("personal_data",))),
        (ids["a:3"], "", _score({"customs_duties": 0.4}, ())),
        (ids["b:1"], "", _score({"personal_data": 0.8}, ("personal_data",))),
        (ids["b:2"], "", _score({"data_flows": 0.6, "personal_data": 0.9},
                                ("data_flows", "personal_data"))),
    ])
    return s


def test_count_matrix_names_the_provisions_of_each_cell(store: Store) -> None:
    frame, refs = matrix(store, by="jurisdiction", value="count")
    assert list(frame.index) == ["CHN", "MYS", "SGP"]  # a two-party treaty counts for both
    assert list(frame.columns[:len(TOPICS)]) == list(TOPICS)
    assert frame.loc["SGP", "personal_data"] == 2 and frame.loc["MYS", "data_flows"] == 1
    assert frame.loc["CHN", "customs_duties"] == 0 and frame.loc["CHN", "n_provisions"] == 2
    assert refs[("SGP", "personal_data")] == ["a:2", "a:1"]  # most probable first
    assert refs[("CHN", "data_flows")] == ["b:2"]
    assert refs[("SGP", "customs_duties")] == []
    for (row, topic), cell_refs in refs.items():
        assert len(cell_refs) == frame.loc[row, topic]


def test_max_share_by_doc_and_filters(store: Store) -> None:
    frame, refs = matrix(store, value="max")
    assert frame.loc["SGP", "customs_duties"] == pytest.approx(0.4)
    assert refs[("SGP", "customs_duties")] == ["a:3"]  # the best provision, though not asserted
    share, _ = matrix(store, by="doc", value="share")
    assert list(share.index) == ["a", "b"]
    assert share.loc["a", "personal_data"] == pytest.approx(2 / 3, abs=1e-4)
    assert share.loc["b", "data_flows"] == pytest.approx(0.5)
    only, only_refs = matrix(store, jurisdictions=["MYS"])
    assert list(only.index) == ["MYS"] and only_refs[("MYS", "data_flows")] == ["a:1"]


def test_score_tables_and_readers(store: Store) -> None:
    assert score_models(store) == ["m1"]
    assert unscored_documents(store, "m1") == []
    assert unscored_documents(store, "other") == ["a", "b"]
    got = scores_for_refs(store, ["a:1", "a:Chapter 1"])
    assert set(got) == {"a:1"}  # chapters are not scored
    assert got["a:1"]["labels"] == ["data_flows", "personal_data"]
    assert got["a:1"]["evidence"][0]["topic"] == "data_flows"
    recs = list(with_scores(store, [{"ref": "a:1"}, {"ref": "a:Chapter 1"}]))
    assert recs[0]["bindingness"] == "hard" and recs[1]["labels"] is None
    # compare.py reads asserted topics from provision_scores.labels as a JSON list
    n = store.conn.execute("SELECT count(*) FROM provision_scores, json_each(labels) "
                           "WHERE json_each.value = 'personal_data'").fetchone()[0]
    assert n == 4
    assert store.conn.execute("SELECT count(*) FROM provision_topics").fetchone()[0] == 6
    # rewriting replaces, never duplicates
    pid = main_unit_ids(store, "a")["a:3"]
    write_scores(store, "m1", [(pid, "", _score({"customs_duties": 0.9},
                                                ("customs_duties",)))])
    frame, _ = matrix(store)
    assert frame.loc["SGP", "customs_duties"] == 1
    assert store.conn.execute("SELECT count(*) FROM topic_scores").fetchone()[0] == 5 * 16


def test_no_scores_is_a_clear_error(tmp_path: Path) -> None:
    with Store.open(tmp_path / "empty.sqlite") as s, pytest.raises(ToolkitError, match="score"):
        matrix(s)


def test_older_index_gains_the_score_tables(tmp_path: Path) -> None:
    path = tmp_path / "v2.sqlite"
    conn = sqlite3.connect(path, isolation_level=None)
    for script in MIGRATIONS[:2]:
        for statement in _statements(script):
            conn.execute(statement)
    conn.execute("PRAGMA user_version = 2")
    conn.close()
    with Store.open(path) as s:
        assert s.schema_version == SCHEMA_VERSION >= 3
        names = {r[0] for r in s.conn.execute("SELECT name FROM sqlite_master")}
        assert {"provision_scores", "topic_scores"} <= names
        assert "provision_topics" not in names  # search's "not scored yet" signal


def test_lexicon_matrix_on_a_real_law(shared_corpus: Path, tmp_path: Path) -> None:
    db = tmp_path / "pipl.sqlite"
    rows = [r for r in read_manifest(shared_corpus / "manifest.csv").rows
            if r.doc_id == "chn-pipl-2021"]
    with Corpus.open(db) as corpus:
        corpus.ingest(rows, workers=0)
        report = score_store(corpus.store, load_scorer("lexicon"))
        assert report.documents == 1 and report.provisions >= 70
        frame, refs = matrix(corpus.store, jurisdictions=["CHN"])
        assert int(frame.loc["CHN", "personal_data"]) > 30  # type: ignore[arg-type]
        # every ref of a cell really asserts the cell's topic
        scored = scores_for_refs(corpus.store, refs[("CHN", "personal_data")])
        assert all("personal_data" in s["labels"] for s in scored.values())
        assert len(scored) == frame.loc["CHN", "personal_data"]
    result = CliRunner().invoke(main, ["matrix", "--db", str(db), "--format", "csv",
                                       "--all-jurisdictions"])
    assert result.exit_code == 0, result.output
    header, *lines = result.output.splitlines()
    assert header == "jurisdiction,topic,value,n_provisions,refs,title"
    assert len(lines) == len(TOPICS)
    assert lines[0].startswith("CHN,") and lines[0].endswith(",China (CHN)")
    # the default region view: every ASEAN member and China, China's cells the same
    region = CliRunner().invoke(main, ["matrix", "--db", str(db), "--format", "csv"])
    assert region.exit_code == 0, region.output
    _, *region_lines = region.output.splitlines()
    assert len(region_lines) == 11 * len(TOPICS)
    assert [x for x in region_lines if x.startswith("CHN,")] == lines
    cells = CliRunner().invoke(main, ["matrix", "--db", str(db), "--format", "json"])
    assert all(isinstance(c["refs"], list) for c in json.loads(cells.output))


def test_a_law_counts_once_in_its_jurisdiction(tmp_path: Path) -> None:
    # one law as enacted, its reprint in English and in Thai: the row counts the reprint's
    # English expression only, unless every version is asked for
    s = Store.open(tmp_path / "index.sqlite")
    for doc_id, version, lang in (("law-2010-as-enacted", "2010", "en"),
                                  ("law-2010-reprint-2023", "2023", "en"),
                                  ("law-2010-reprint-2023-th", "2023", "th")):
        _write_doc(s, doc_id, "THA", ["Personal data.", "Customs."], work="law-2010",
                   version_date=version, language=lang)
    ids = {k: v for d in ("law-2010-as-enacted", "law-2010-reprint-2023",
                          "law-2010-reprint-2023-th") for k, v in main_unit_ids(s, d).items()}
    write_scores(s, "m1", [(i, "", _score({"personal_data": 0.9}, ("personal_data",)))
                           for ref, i in ids.items() if ref.endswith(":1")])
    frame, refs = matrix(s, value="count")
    assert frame.loc["THA", "personal_data"] == 1 and frame.loc["THA", "n_provisions"] == 1
    assert refs[("THA", "personal_data")] == ["law-2010-reprint-2023:1"]
    every, _ = matrix(s, value="count", all_versions=True)
    assert every.loc["THA", "personal_data"] == 3
    by_doc, _ = matrix(s, by="doc", value="count")
    assert list(by_doc["personal_data"]) == [1, 1, 1]
    profile = profile_table(s, kind="bindingness", all_jurisdictions=True)
    assert int(profile.loc["THA"].sum()) == 1
    assert int(profile_table(s, kind="bindingness", all_jurisdictions=True,
                             all_versions=True).loc["THA"].sum()) == 3
    s.close()
    for flags, want in (([], "1"), (["--all-versions"], "3")):
        res = CliRunner().invoke(main, ["matrix", "--db", str(tmp_path / "index.sqlite"),
                                        "--all-jurisdictions", "--format", "csv", *flags])
        assert res.exit_code == 0, res.output
        cell = next(x for x in res.output.splitlines() if x.startswith("THA,personal_data,"))
        assert cell.split(",")[2] == want
