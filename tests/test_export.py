"""Exports of provisions with scores: CSV, JSON Lines, Parquet; API and CLI alike."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

from nlp_toolkit import Corpus
from nlp_toolkit.cli import main
from nlp_toolkit.errors import ToolkitError
from nlp_toolkit.outputs.export import ProvisionFilter, export_format, matches
from nlp_toolkit.store.scores import SCORE_FIELDS
from nlp_toolkit.topics import load_taxonomy

pytestmark = pytest.mark.slow  # the analysis corpus


@pytest.fixture(scope="module")
def corpus(analysis_db: Path) -> Corpus:
    return Corpus.open(analysis_db, create=False)


FILTERS: dict[str, Any] = {"jurisdiction": "MYS", "topic": "data_flows"}


def test_csv_has_json_score_columns(corpus: Corpus, tmp_path: Path) -> None:
    out = tmp_path / "p.csv"
    n = corpus.export(out, **FILTERS)
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert n == len(rows) > 0
    frame = corpus.provisions(level="article", **FILTERS)
    assert [r["ref"] for r in rows] == frame["ref"].tolist()
    for r in rows:
        topics, labels = json.loads(r["topics"]), json.loads(r["labels"])
        assert "data_flows" in labels and set(labels) <= set(topics)
        evidence = json.loads(r["evidence"])
        assert all({"topic", "text", "char_start", "char_end"} <= set(e) for e in evidence)
        assert r["bindingness"] in {"hard", "soft", "none"}
        assert 0.0 <= float(r["bindingness_score"]) <= 1.0


def test_jsonl_nests_and_parquet_is_flat(corpus: Corpus, tmp_path: Path) -> None:
    n_jsonl = corpus.export(tmp_path / "p.jsonl", jurisdiction="MYS")
    recs = [json.loads(line) for line in (tmp_path / "p.jsonl").read_text().splitlines()]
    assert n_jsonl == len(recs) > 100
    assert isinstance(recs[0]["topics"], dict) and isinstance(recs[0]["labels"], list)
    n_parquet = corpus.export(tmp_path / "p.parquet", jurisdiction="MYS")
    frame = pd.read_parquet(tmp_path / "p.parquet")
    assert n_parquet == n_jsonl == len(frame)
    assert frame["ref"].tolist() == [r["ref"] for r in recs]
    ids = load_taxonomy().ids
    assert [c for c in frame.columns if c.startswith("topic.")] == [f"topic.{t}" for t in ids]
    first = recs[0]
    for t in ids:
        assert frame.iloc[0][f"topic.{t}"] == pytest.approx(first["topics"][t])
    assert list(frame.iloc[0]["labels"]) == first["labels"]
    assert frame["page_start"].dtype == "int64"
    with_evidence = frame[frame["evidence"].map(lambda e: e is not None and len(e) > 0)].iloc[0]
    ev = with_evidence["evidence"][0]
    text = corpus.store.provision(with_evidence["ref"]).text  # type: ignore[union-attr]
    assert text[ev["char_start"]:ev["char_end"]] == ev["text"]


def test_cli_export_writes_the_same_files(corpus: Corpus, analysis_db: Path,
                                          tmp_path: Path) -> None:
    for fmt in ("csv", "jsonl", "parquet"):
        api, cli = tmp_path / f"api.{fmt}", tmp_path / f"cli.{fmt}"
        corpus.export(api, bindingness="hard", direction="restrictive")
        result = CliRunner().invoke(main, ["export", "--db", str(analysis_db), "--out", str(cli),
                                           "--bindingness", "hard", "--direction",
                                           "restrictive", "--format", fmt])
        assert result.exit_code == 0, result.output
        if fmt == "parquet":
            pd.testing.assert_frame_equal(pd.read_parquet(api), pd.read_parquet(cli))
        else:
            assert api.read_bytes() == cli.read_bytes()
    assert len(pd.read_parquet(api)) > 0


def test_filters_each_narrow_correctly(corpus: Corpus) -> None:
    all_articles = corpus.provisions(level="article")
    scored = all_articles[all_articles["labels"].notna()]
    assert len(scored) > 500
    cases: dict[str, tuple[dict[str, Any], Callable[[Any], bool]]] = {
        "doc": ({"doc": "chn-pipl-2021"}, lambda r: r["doc_id"] == "chn-pipl-2021"),
        "jurisdiction": ({"jurisdiction": "THA"}, lambda r: "THA" in r["jurisdiction"].split(";")),
        "language": ({"language": "zh"}, lambda r: r["language"] == "zh"),
        "topic": ({"topic": "personal_data"}, lambda r: "personal_data" in (r["labels"] or ())),
        "min_probability": ({"topic": "cybersecurity", "min_probability": 0.3},
                            lambda r: (r["topics"] or {}).get("cybersecurity", 0) >= 0.3),
        "bindingness": ({"bindingness": "soft"}, lambda r: r["bindingness"] == "soft"),
        "direction": ({"direction": "liberalizing"}, lambda r: r["direction"] == "liberalizing"),
    }
    for name, (kwargs, keep) in cases.items():
        got = corpus.provisions(level="article", **kwargs)
        want = all_articles[[bool(keep(r)) for _, r in all_articles.iterrows()]]
        assert got["ref"].tolist() == want["ref"].tolist(), name
        assert 0 < len(got) < len(all_articles), name
    anything = corpus.provisions(level="article", min_probability=0.99)
    assert all(max(t.values()) >= 0.99 for t in anything["topics"])
    assert len(corpus.provisions(level="article", limit=7)) == 7
    sections = corpus.provisions(doc="sgp-pdpa-2012", level="section")
    assert set(sections["level"]) == {"section"}


def test_bad_requests_say_what_to_do(corpus: Corpus, tmp_path: Path) -> None:
    with pytest.raises(ToolkitError, match="unknown topic 'nope'; known topics: data_flows"):
        corpus.provisions(topic="nope")
    with pytest.raises(ToolkitError, match="no document 'nope'"):
        corpus.export(tmp_path / "x.csv", doc="nope")
    with pytest.raises(ToolkitError, match="cannot tell the export format"):
        corpus.export(tmp_path / "x.xlsx")
    with pytest.raises(ToolkitError, match="does not exist"):
        corpus.export(tmp_path / "missing" / "x.csv")
    result = CliRunner().invoke(main, ["export", "--db", str(corpus.store.path), "--out",
                                       str(tmp_path / "x.txt")])
    assert result.exit_code == 2 and "cannot tell the export format" in result.output


def test_score_filters_on_an_unscored_index(shared_corpus: Path, tmp_path: Path) -> None:
    with Corpus.open(tmp_path / "u.sqlite") as corpus:
        corpus.ingest([shared_corpus / "text" / "chn-pipl-2021.md"], workers=0)
        frame = corpus.provisions(level="article")
        assert len(frame) >= 70 and not set(SCORE_FIELDS) & set(frame.columns)
        with pytest.raises(ToolkitError, match="run `nlp-toolkit score`"):
            corpus.provisions(bindingness="hard")
        n = corpus.export(tmp_path / "u.parquet")
        assert n == len(frame) == len(pd.read_parquet(tmp_path / "u.parquet"))


def test_format_and_match_rules() -> None:
    assert export_format("a/b.PARQUET") == "parquet"
    assert export_format("a/b.txt", "csv") == "csv"
    rec = {"jurisdiction": "AUS;SGP", "language": "en", "topics": {"data_flows": 0.4},
           "labels": [], "bindingness": "soft", "direction": "neutral"}
    assert matches(rec, ProvisionFilter(jurisdiction="SGP"))
    assert not matches(rec, ProvisionFilter(jurisdiction="SG"))
    assert not matches(rec, ProvisionFilter(topic="data_flows"))
    assert matches(rec, ProvisionFilter(topic="data_flows", min_probability=0.4))
    assert not matches(rec, ProvisionFilter(min_probability=0.5))
