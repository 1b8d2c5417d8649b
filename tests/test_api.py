"""The public API: every Corpus method, its runnable examples, and the CLI giving the same
answers for the same query."""

from __future__ import annotations

import csv
import doctest
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

import nlp_toolkit.corpus as corpus_module
from nlp_toolkit import Corpus
from nlp_toolkit.analysis.diff import VersionDiff
from nlp_toolkit.cli import main
from nlp_toolkit.outputs import export, results
from nlp_toolkit.outputs.results import MatrixResult, Results
from tests.conftest import ANALYSIS_DOCS

pytestmark = pytest.mark.slow  # the analysis corpus

PUBLIC = ("open", "build", "provisions", "search", "similar", "compare", "matrix",
          "duplicates", "diff", "export")


@pytest.fixture(scope="module")
def corpus(analysis_db: Path) -> Corpus:
    return Corpus.open(analysis_db, create=False)


def cli(db: Path, *args: str) -> list[dict[str, Any]]:
    result = CliRunner().invoke(main, [*args, "--db", str(db), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def plain(records: list[Any]) -> list[dict[str, Any]]:
    """Records as JSON gives them back (tuples become lists, numpy scalars numbers)."""
    return json.loads(json.dumps(records, default=lambda v: v.item()))


def test_repr_reads_like_a_summary(corpus: Corpus) -> None:
    text = repr(corpus)
    assert re.fullmatch(r"Corpus\(16 documents, [\d,]+ provisions, models: use-m3, "
                        r"supervised:default@\w+\)", text), text
    n = corpus.stats()["provisions"]
    assert f"{n:,} provisions" in text


def test_every_public_method_has_a_runnable_example() -> None:
    for name in PUBLIC:
        doc = getattr(Corpus, name).__doc__ or ""
        assert "Example:" in doc or name == "build", name  # build: see the report
        if name != "build":
            assert ">>> " in doc, name


def test_docstring_examples_run_against_the_analysis_corpus(analysis_db: Path,
                                                            tmp_path: Path) -> None:
    db = tmp_path / "copy.sqlite"
    shutil.copy(analysis_db, db)
    with Corpus.open(db) as corpus:
        globs = {"corpus": corpus, "Corpus": Corpus}
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
        tests = doctest.DocTestFinder().find(corpus_module, globs=globs)
        ran = 0
        for test in tests:
            runner.run(test)
            ran += len(test.examples)
        assert runner.failures == 0 and ran >= 20
    for module in (export, results):
        assert doctest.testmod(module).failed == 0


def test_provisions_cli_and_api_agree(corpus: Corpus, analysis_db: Path) -> None:
    frame = corpus.provisions("mys-pdpa-2010-reprint-2023", "article", topic="data_flows",
                              bindingness="hard")
    rows = cli(analysis_db, "provisions", "--doc", "mys-pdpa-2010-reprint-2023", "--level",
               "article", "--topic", "data_flows", "--bindingness", "hard")
    assert rows and [r["ref"] for r in rows] == frame["ref"].tolist()
    assert rows == plain(frame.to_dict("records"))
    result = CliRunner().invoke(main, ["provisions", "--db", str(analysis_db), "--jurisdiction",
                                       "MYS", "--min-probability", "0.5", "--format", "csv"])
    assert result.exit_code == 0
    got = list(csv.DictReader(result.output.splitlines()))
    want = corpus.provisions(jurisdiction="MYS", min_probability=0.5)
    assert [r["ref"] for r in got] == want["ref"].tolist()
    assert json.loads(got[0]["topics"]) == want.iloc[0]["topics"]


def test_search_and_similar_cli_and_api_agree(corpus: Corpus, analysis_db: Path) -> None:
    hits = corpus.search("transfer of personal data to places outside the country", k=5,
                         jurisdiction="MYS")
    assert isinstance(hits, Results) and len(hits) == 5
    assert cli(analysis_db, "search", "transfer of personal data to places outside the country",
               "-k", "5", "--jurisdiction", "MYS") == plain(hits.records())
    frame = hits.to_pandas()
    assert list(frame.columns) == list(results.SEARCH_FIELDS) and frame["rank"].tolist() == [
        1, 2, 3, 4, 5]
    near = corpus.similar(hits[0].ref, k=4, other_jurisdictions=True)
    assert cli(analysis_db, "similar", hits[0].ref, "-k", "4",
               "--other-jurisdictions") == plain(near.records())
    assert all("MYS" not in h.jurisdiction.split(";") for h in near)


def test_compare_cli_and_api_agree(corpus: Corpus, analysis_db: Path) -> None:
    pairs = corpus.compare("tota-54", "tota-36", by="doc", k=5)
    assert cli(analysis_db, "compare", "--doc-a", "tota-54", "--doc-b", "tota-36",
               "-k", "5") == plain(pairs.records())
    frame = pairs.to_pandas()
    assert list(frame.columns) == list(results.COMPARE_COLUMNS) and len(frame) == 5
    assert frame["a_ref"].str.startswith("tota-54:").all()
    assert pairs == list(pairs)  # still a plain list for old callers


def test_matrix_cli_and_api_agree(corpus: Corpus, analysis_db: Path) -> None:
    result = corpus.matrix(by="jurisdiction", value="count", jurisdictions=["SGP", "CHN"])
    assert isinstance(result, MatrixResult)
    frame, refs = result
    assert result.to_pandas() is frame and set(frame.index) >= {"SGP", "CHN"}
    cells = cli(analysis_db, "matrix", "--jurisdiction", "SGP", "--jurisdiction", "CHN")
    for cell in cells:
        assert cell["value"] == frame.loc[cell["jurisdiction"], cell["topic"]]
        assert cell["refs"] == refs.get((cell["jurisdiction"], cell["topic"]), [])
    assert len(cells) == frame.shape[0] * (frame.shape[1] - 1)


def test_duplicates_cli_and_api_agree(corpus: Corpus, analysis_db: Path) -> None:
    families = corpus.duplicates(threshold=0.9, min_docs=2)
    assert families and isinstance(families, Results)
    assert cli(analysis_db, "duplicates", "--threshold", "0.9") == plain(families.records())
    frame = families.to_pandas()
    assert (frame["n_docs"] >= 2).all() and list(frame.columns) == list(
        results.DUPLICATE_FIELDS)


def test_diff_returns_the_promised_object(corpus: Corpus) -> None:
    d = corpus.diff("mys-pdpa-2010-as-enacted", "mys-pdpa-2010-reprint-2023")
    assert isinstance(d, VersionDiff)
    assert set(d.summary()) == {"added", "removed", "changed", "unchanged", "renumbered"}
    frame = d.to_pandas()
    assert isinstance(frame, pd.DataFrame) and len(frame) == sum(d.summary().values())
    assert frame["amended_by"].isna().all()  # no amending act given


def test_open_build_and_readers_on_a_tiny_corpus(shared_corpus: Path, tmp_path: Path) -> None:
    with pytest.raises(Exception, match="index"):
        Corpus.open(tmp_path / "absent.sqlite", create=False)
    rows = list(csv.DictReader((shared_corpus / "manifest.csv").open(encoding="utf-8")))
    row = next(r for r in rows if r["doc_id"] == "chn-data-security-law-2021")
    manifest = tmp_path / "manifest.csv"
    with manifest.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    with Corpus.open(tmp_path / "tiny.sqlite") as corpus:
        corpus.build(manifest, mirror=shared_corpus, workers=0)  # fetch, ingest, embed, score
        assert list(corpus.documents()["doc_id"]) == ["chn-data-security-law-2021"]
        frame = corpus.provisions(level="article")
        assert len(frame) >= 50 and set(frame["language"]) == {"zh"}
        assert frame["labels"].notna().all()
        # the default models: use-m3, and e5 and MiniLM (its gloss) for national law (this
        # Chinese statute)
        assert re.match(r"Corpus\(1 documents, [\d,]+ provisions, models: e5-small, "
                        r"minilm-l6-v2, use-m3, supervised", repr(corpus)), repr(corpus)


def test_analysis_corpus_holds_the_documents_the_tests_name(corpus: Corpus) -> None:
    assert set(corpus.documents()["doc_id"]) == set(ANALYSIS_DOCS)
