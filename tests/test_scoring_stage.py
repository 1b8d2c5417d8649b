"""The score stage on a small real index: rows, provision fields, evidence, idempotence,
the matrix with the shipped model, stored-vector reuse, and grouped evaluation."""

from __future__ import annotations

import csv
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from nlp_toolkit.cli import main
from nlp_toolkit.corpus import Corpus
from nlp_toolkit.sources.manifest import read_manifest
from nlp_toolkit.store import Store
from nlp_toolkit.store.scores import SCORE_FIELDS, main_unit_ids, score_models

pytestmark = pytest.mark.slow

DOCS = ("chn-pipl-2021", "wto-jsi-ecommerce-2024", "tota-21", "tota-15", "tota-435",
        "tha-cybersecurity-act-2019-en")


@pytest.fixture(scope="module")
def scored_db(shared_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """An index of six real documents, embedded with use-m3, scored by the shipped model."""
    db = tmp_path_factory.mktemp("scoring") / "index.sqlite"
    rows = [r for r in read_manifest(shared_corpus / "manifest.csv").rows if r.doc_id in DOCS]
    assert len(rows) == len(DOCS)
    with Corpus.open(db) as corpus:
        report = corpus.ingest(rows, workers=0)
        assert not report.failures
        corpus.embed("use-m3")
    result = CliRunner().invoke(main, ["score", "--db", str(db), "-q"])
    assert result.exit_code == 0, result.output
    reused = re.search(r"of (\d+) documents scored \((\d+) stored vectors reused\)",
                       result.output)
    assert reused is not None and int(reused[1]) == len(DOCS)
    assert int(reused[2]) > 100  # the embed stage's use-m3 vectors, not re-encoded
    yield db


def _scores(db: Path) -> list[tuple[object, ...]]:
    with Store.open(db, create=False) as s:
        return s.conn.execute("SELECT provision_id, model_id, topics, labels, bindingness, "
                              "bindingness_score, direction, evidence FROM provision_scores "
                              "ORDER BY provision_id, model_id").fetchall()


def test_one_row_per_main_unit(scored_db: Path) -> None:
    with Store.open(scored_db, create=False) as s:
        (model,) = score_models(s)
        assert model.startswith("supervised:default@")
        for doc in DOCS:
            ids = set(main_unit_ids(s, doc).values())
            assert ids, doc
            got = {r[0] for r in s.conn.execute(
                "SELECT s.provision_id FROM provision_scores s JOIN provisions p "
                "ON p.id = s.provision_id WHERE p.doc_id = ?", (doc,))}
            assert got == ids, doc
        # no chapter, paragraph or item is scored
        levels = {r[0] for r in s.conn.execute(
            "SELECT DISTINCT p.level FROM provision_scores s JOIN provisions p "
            "ON p.id = s.provision_id")}
        assert levels <= {"article", "section"}
        # the long table holds every topic of every scored provision
        n_topics = s.conn.execute("SELECT count(DISTINCT topic) FROM topic_scores").fetchone()[0]
        n_rows = s.conn.execute("SELECT count(*) FROM topic_scores").fetchone()[0]
        n_scored = s.conn.execute("SELECT count(*) FROM provision_scores").fetchone()[0]
        assert n_topics == 16 and n_rows == 16 * n_scored
        assert s.integrity_check() == []


def test_provisions_carry_score_fields_and_evidence_slices(scored_db: Path) -> None:
    result = CliRunner().invoke(main, ["provisions", "--db", str(scored_db), "--doc",
                                       "chn-pipl-2021", "--level", "article", "--format",
                                       "jsonl"])
    assert result.exit_code == 0, result.output
    recs = [json.loads(line) for line in result.output.splitlines()]
    assert len(recs) >= 70
    n_evidence = 0
    for rec in recs:
        for f in SCORE_FIELDS:
            assert f in rec, f
        assert set(rec["labels"]) <= set(rec["topics"])
        assert rec["bindingness"] in {"hard", "soft", "none"}
        assert 0.0 <= rec["bindingness_score"] <= 1.0
        assert rec["direction"] in {"liberalizing", "restrictive", "neutral"}
        for ev in rec["evidence"]:
            assert ev["topic"] in rec["labels"]
            assert rec["text"][ev["char_start"]:ev["char_end"]] == ev["text"]
            n_evidence += 1
    assert n_evidence > len(recs)  # asserted topics come with their spans
    # PIPL is a personal information law: nearly every article is about personal data
    share = sum("personal_data" in r["labels"] for r in recs) / len(recs)
    assert share > 0.8
    # 应当 ... / 不得 ...: most PIPL articles bind
    assert sum(r["bindingness"] == "hard" for r in recs) > len(recs) / 2


def test_rescore_is_idempotent(scored_db: Path) -> None:
    before = _scores(scored_db)
    result = CliRunner().invoke(main, ["score", "--db", str(scored_db), "-q"])
    assert result.exit_code == 0, result.output
    assert ": 0 provisions of 0 documents" in result.output
    assert _scores(scored_db) == before


def test_matrix_traces_chinese_topics_to_articles(scored_db: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["matrix", "--db", str(scored_db), "--jurisdiction", "CHN",
                                  "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    cells = {c["topic"]: c for c in map(json.loads, result.output.splitlines())}
    assert {c["jurisdiction"] for c in cells.values()} == {"CHN"}
    assert cells["personal_data"]["value"] >= 60
    assert cells["data_flows"]["value"] >= 1
    pipl_flows = [r for r in cells["data_flows"]["refs"] if r.startswith("chn-pipl-2021:")]
    assert pipl_flows and "chn-pipl-2021:38" in pipl_flows  # 向境外提供个人信息
    for c in cells.values():
        assert len(c["refs"]) == c["value"]
    table = runner.invoke(main, ["matrix", "--db", str(scored_db), "--format", "table"])
    assert table.exit_code == 0 and "CHN" in table.output and "THA" in table.output
    # every document, not only the region's (tota-15 has no ASEAN or Chinese party)
    share = runner.invoke(main, ["matrix", "--db", str(scored_db), "--by", "doc", "--value",
                                 "share", "--format", "json", "--all-jurisdictions"])
    rows = json.loads(share.output)
    assert all(0.0 <= r["value"] <= 1.0 for r in rows)
    assert {r["doc"] for r in rows} == set(DOCS)


def test_topic_filter_and_deleted_documents(scored_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "copy.sqlite"
    shutil.copy(scored_db, db)
    result = CliRunner().invoke(main, ["search", "personal information", "--db", str(db),
                                       "--mode", "lexical", "--topic", "personal_data",
                                       "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    with Store.open(db, create=False) as s:
        hits = [json.loads(line)["ref"] for line in result.output.splitlines()]
        asserted = {r[0] for r in s.conn.execute(
            "SELECT p.ref FROM provision_topics t JOIN provisions p ON p.id = t.provision_id "
            "WHERE t.topic = 'personal_data'")}
        assert hits and set(hits) <= asserted
        s.delete_document("chn-pipl-2021")
        orphans = s.conn.execute("SELECT count(*) FROM provision_scores WHERE provision_id "
                                 "NOT IN (SELECT id FROM provisions)").fetchone()[0]
        assert orphans == 0 and s.integrity_check() == []


def test_lexicon_scores_live_beside_the_model(scored_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "copy.sqlite"
    shutil.copy(scored_db, db)
    result = CliRunner().invoke(main, ["score", "--db", str(db), "--scorer", "lexicon",
                                       "--doc", "wto-jsi-ecommerce-2024", "-q"])
    assert result.exit_code == 0, result.output
    with Store.open(db, create=False) as s:
        models = score_models(s)
        assert len(models) == 2 and models[0].startswith("lexicon:")
        n = s.conn.execute("SELECT count(*) FROM provision_scores WHERE model_id = ?",
                           (models[0],)).fetchone()[0]
        assert n == len(main_unit_ids(s, "wto-jsi-ecommerce-2024"))
    bad = CliRunner().invoke(main, ["score", "--db", str(db), "--doc", "no-such-doc"])
    assert bad.exit_code == 2


def test_evaluate_groups_folds_by_document(scored_db: Path, shared_labels: Path,
                                           tmp_path: Path) -> None:
    with (shared_labels / "provision_labels.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = [r for r in reader if r["doc_id"] in DOCS]
        fields = reader.fieldnames
    assert fields is not None and len({r["doc_id"] for r in rows}) >= 3
    # two label files (treaties in one, the Thai act in the other), as --labels A --labels B
    files = [tmp_path / "treaties.csv", tmp_path / "laws.csv"]
    for path, part in zip(files, ([r for r in rows if not r["doc_id"].startswith("tha-")],
                                  [r for r in rows if r["doc_id"].startswith("tha-")]),
                          strict=True):
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=fields)
            writer.writeheader()
            writer.writerows(part)
    labels = [arg for f in files for arg in ("--labels", str(f))]
    result = CliRunner().invoke(main, ["evaluate", *labels, "--folds", "3",
                                       "--db", str(scored_db), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["folds"] == 3
    assert set(report["per_document"]) == {r["doc_id"] for r in rows}
    assert report["n"] + len(report["unmatched"]) == len(rows)
    assert report["n"] >= 0.9 * len(rows)
    micro = report["topics"]["micro"]
    assert 0.0 <= micro["f1"] <= 1.0 and set(report["topics"]["per_topic"]) >= {"personal_data"}
    assert report["bindingness_accuracy"] > 0.6  # rules + a small layer: far above chance
    assert len(report["labels_sha256"]) == 64 and 0.0 <= report["presence_f1"] <= 1.0
    to_laws = report["transfer"]["document_type"]["treaties->laws"]  # trained on the treaties
    assert to_laws["documents"] == 1 and to_laws["n"] == sum(r["doc_id"].startswith("tha-")
                                                             for r in rows)
    text = CliRunner().invoke(main, ["evaluate", *labels, "--folds", "3",
                                     "--db", str(scored_db), "--format", "table"])
    assert "micro" in text.output and "bindingness accuracy" in text.output
    assert "treaties->laws" in text.output


def test_rescoring_with_a_new_model_reuses_every_stored_vector(
        scored_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nlp_toolkit import embed as embed_module
    from nlp_toolkit.build import score as scoring

    db = tmp_path / "index.sqlite"
    shutil.copy(scored_db, db)

    def no_embedding(*_: object, **__: object) -> None:
        raise AssertionError("re-scoring embedded a unit the embed stage had embedded")

    monkeypatch.setattr(embed_module, "embed_provisions", no_embedding)
    loaded = scoring.load_scorer("supervised")
    loaded.model_id = "supervised:retrained@test"
    with Store.open(db, create=False) as store:
        report = scoring.score_store(store, loaded)
    assert report.documents == len(DOCS)
    assert report.reused_vectors == report.provisions > 100


def test_a_changed_taxonomy_changes_the_scorer_id() -> None:
    # the taxonomy's terms and cues shape every score: a scorer's id carries its digest, so
    # the score stage re-scores after the taxonomy changes (as it does for a new model)
    from nlp_toolkit.build.score import _PACKAGED_MODEL, _files_sha
    from nlp_toolkit.topics import load_taxonomy, loads_taxonomy

    raw = json.loads((Path(__file__).resolve().parents[1] / "nlp_toolkit" / "data"
                      / "taxonomy.json").read_text(encoding="utf-8"))
    same = loads_taxonomy(json.loads(json.dumps(raw, sort_keys=True)))  # key order aside
    assert same.digest == load_taxonomy().digest and len(same.digest) == 12
    raw["topics"][0]["terms"].setdefault("en", []).append("a new phrase")
    changed = loads_taxonomy(raw)
    assert changed.digest != same.digest
    assert _files_sha(_PACKAGED_MODEL, changed.digest) != _files_sha(_PACKAGED_MODEL,
                                                                      same.digest)
