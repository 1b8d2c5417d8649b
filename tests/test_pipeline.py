"""The whole-build pipeline (local executor): stages, timings, progress, resuming, the CLI."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from nlp_toolkit.build.executors import open_executor
from nlp_toolkit.build.pipeline import BuildReport, StageTiming, build_corpus
from nlp_toolkit.cli import main
from nlp_toolkit.errors import ToolkitError
from nlp_toolkit.store import Store

DOCS = ("tota-86", "tota-196", "tota-310", "chn-internet-information-services-measures-2011")


def subset_manifest(shared_corpus: Path, folder: Path, doc_ids: tuple[str, ...]) -> Path:
    """A manifest of ``doc_ids`` (rows of the shared one) in ``folder``; fetch with a mirror."""
    with (shared_corpus / "manifest.csv").open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        rows = [r for r in reader if r["doc_id"] in doc_ids]
        fields = list(reader.fieldnames or ())
    assert len(rows) == len(doc_ids), "the shared manifest lacks a test document"
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / "manifest.csv"
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fields)
        writer.writeheader()
        writer.writerows(rows)
    return out


def test_build_runs_stages_in_order_and_resumes(shared_corpus: Path, tmp_path: Path) -> None:
    manifest = subset_manifest(shared_corpus, tmp_path / "corpus", DOCS)
    seen: list[str] = []

    def progress(stage: str, done: int, total: int, label: str) -> None:
        assert 0 <= done <= total
        if not seen or seen[-1] != stage:
            seen.append(stage)

    with Store.open(tmp_path / "index.sqlite") as store:
        first = build_corpus(store, manifest, mirror=shared_corpus, workers=0,
                             embed_model=None, score_model=None, progress=progress)
        assert isinstance(first, BuildReport) and first.ok and first.executor == "local"
        assert sorted(first.ingest.ingested) == sorted(DOCS)
        assert first.embed is None and first.score is None
        assert [s.name for s in first.stages] == ["fetch", "ingest"]
        ingest = first.stages[1]
        assert ingest.unit == "pages" and ingest.items == first.ingest.pages > 0
        assert ingest.seconds > 0 and ingest.rate == ingest.items / ingest.seconds
        assert seen == ["fetch", "ingest"]
        assert "ingest: " in first.summary() and "total (local)" in first.summary()
        n = store.stats()["provisions"]
        again = build_corpus(store, manifest, mirror=shared_corpus, workers=0,
                             embed_model=None, score_model=None)
        assert sorted(again.ingest.skipped) == sorted(DOCS) and not again.ingest.ingested
        assert again.stages[1].items == 0 and store.stats()["provisions"] == n


def test_stage_timing_rate_is_zero_without_time() -> None:
    assert StageTiming("embed use-m3", 0.0, 5, "texts").rate == 0.0
    assert StageTiming("score", 4.0, 10, "provisions").rate == 2.5


def test_unknown_executor_and_stray_scheduler_are_refused() -> None:
    with pytest.raises(ToolkitError, match="unknown executor"), \
            open_executor("spark"):  # type: ignore[arg-type]
        pass
    with pytest.raises(ToolkitError, match="--executor dask"), \
            open_executor("local", scheduler="tcp://127.0.0.1:8786"):
        pass


def test_cli_refuses_scheduler_without_dask(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("doc_id,path\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--manifest", str(manifest), "--db",
                                       str(tmp_path / "i.sqlite"), "--scheduler",
                                       "tcp://127.0.0.1:8786"])
    assert result.exit_code == 2 and "--executor dask" in result.output
    assert not (tmp_path / "i.sqlite").exists()
