"""The pipeline: unchanged files skipped before any worker starts, changed ones replaced,
worker crashes survived, biggest files first."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

import nlp_toolkit.build.ingest as ingest_mod
from nlp_toolkit.build.ingest import Job, JobResult, ingest, process_job
from nlp_toolkit.extract import ExtractLimits
from nlp_toolkit.sources.manifest import ManifestRow, read_manifest
from nlp_toolkit.store import Store
from tests.test_bad_input import write_text_pdf

LAWS = ["chn-electronic-signature-law-2019", "chn-cryptography-law-2019"]


@pytest.fixture()
def corpus(tmp_path: Path, shared_corpus: Path) -> Path:
    """A temporary corpus folder: two real Chinese laws and a generated PDF."""
    root = tmp_path / "corpus"
    root.mkdir()
    for name in LAWS:
        shutil.copy(shared_corpus / "text" / f"{name}.md", root / f"{name}.md")
    write_text_pdf(root / "example-act.pdf")
    return root


def _count(store: Store) -> int:
    return int(store.stats()["provisions"])


def test_reingest_skips_unchanged_without_a_pool_and_replaces_changed(
        corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.open(tmp_path / "i.sqlite")
    first = ingest([corpus], store, workers=2)
    assert sorted(first.ingested) == sorted([*LAWS, "example-act"]) and first.ok
    assert first.provisions == _count(store) > 50
    assert first.pages == 3 + 1 + 1

    def no_pool(*args: object, **kwargs: object) -> None:
        raise AssertionError("a worker pool was started with nothing to do")

    monkeypatch.setattr(ingest_mod, "ProcessPoolExecutor", no_pool)
    second = ingest([corpus], store, workers=2)
    assert second.ingested == [] and len(second.skipped) == 3
    assert _count(store) == first.provisions
    monkeypatch.undo()

    law = corpus / f"{LAWS[0]}.md"
    added = "\n第三十七条 新增的一条。\n"
    law.write_text(law.read_text(encoding="utf-8") + added, encoding="utf-8")
    third = ingest([corpus], store, workers=0)
    assert third.ingested == [LAWS[0]] and len(third.skipped) == 2
    refs = [p.ref for p in store.provisions(LAWS[0])]
    assert f"{LAWS[0]}:37" in refs and len(refs) == len(set(refs))
    assert _count(store) > first.provisions
    assert store.integrity_check() == []


def crash_on_marked(job: Job) -> JobResult:
    """A processor whose worker dies (as on a segfault) for doc_ids containing 'crash'."""
    if "crash" in job.doc_id:
        os._exit(3)
    return process_job(job)


def test_worker_crash_costs_only_that_document(corpus: Path, tmp_path: Path) -> None:
    shutil.copy(corpus / f"{LAWS[0]}.md", corpus / "will-crash.md")
    store = Store.open(tmp_path / "i.sqlite")
    report = ingest([corpus], store, workers=2, processor=crash_on_marked)
    assert sorted(report.ingested) == sorted([*LAWS, "example-act"]), report.failures
    assert sorted(report.ingested) == sorted([*LAWS, "example-act"])
    (failure,) = report.failures
    assert failure.doc_id == "will-crash" and failure.kind == "crash"
    assert "worker process died" in failure.reason
    assert store.document_sha("will-crash") is None
    assert [f["doc_id"] for f in store.failures()] == ["will-crash"]


def test_biggest_documents_go_first(corpus: Path, tmp_path: Path) -> None:
    order: list[str] = []
    with Store.open(tmp_path / "i.sqlite") as store:
        ingest([corpus], store, workers=0, progress=lambda d, t, label: order.append(label))
    sizes = {p.stem: p.stat().st_size for p in corpus.iterdir()}
    assert order == sorted(sizes, key=lambda k: -sizes[k])


def test_scanned_document_is_recorded_and_then_skipped(tmp_path: Path,
                                                       shared_corpus: Path) -> None:
    m = read_manifest(shared_corpus / "manifest.csv")
    (row,) = [r for r in m.rows if r.doc_id == "ahkfta-annex-2-11"]
    with Store.open(tmp_path / "i.sqlite") as store:
        first = ingest([row], store, workers=0)
        assert first.scanned == ["ahkfta-annex-2-11"] and first.failures[0].kind == "scanned"
        assert "no text layer" in first.failures[0].reason
        second = ingest([row], store, workers=0)
        assert second.skipped == ["ahkfta-annex-2-11"] and second.ok


def test_bad_rows_and_missing_files_are_failures(tmp_path: Path) -> None:
    rows = [ManifestRow("gone", "nope.md", tmp_path),
            ManifestRow("escape", "../x.md", tmp_path)]
    with Store.open(tmp_path / "i.sqlite") as store:
        report = ingest(rows, store)
        assert {f.doc_id: f.kind for f in report.failures} == {"gone": "missing",
                                                                "escape": "manifest"}
        assert len(store.failures()) == 2


def hang_on_marked(job: Job) -> JobResult:
    """A processor that never returns for doc_ids containing 'hang' (a pathological page)."""
    if "hang" in job.doc_id:
        time.sleep(3600)
    return process_job(job)


def test_hung_worker_is_stopped(corpus: Path, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(corpus / f"{LAWS[0]}.md", corpus / "will-hang.md")
    monkeypatch.setattr(ingest_mod, "HANG_GRACE_S", 8.0)  # normal docs must finish under load
    t0 = time.monotonic()
    with Store.open(tmp_path / "i.sqlite") as store:
        report = ingest([corpus], store, workers=2, processor=hang_on_marked,
                        limits=ExtractLimits(timeout_s=0.5))
    assert sorted(report.ingested) == sorted([*LAWS, "example-act"]), report.failures
    (failure,) = report.failures
    assert failure.doc_id == "will-hang" and failure.kind == "limit"
    assert "worker was stopped" in failure.reason
    assert time.monotonic() - t0 < 60


def test_corpus_repr_counts_documents_provisions_and_models(corpus: Path, tmp_path: Path) -> None:
    from nlp_toolkit.corpus import Corpus

    with Corpus.open(tmp_path / "i.sqlite") as c:
        assert repr(c) == "Corpus(0 documents, 0 provisions, models: none)"
        c.ingest([corpus], workers=0)
        n = _count(c.store)
        assert n > 70
        assert repr(c) == f"Corpus(3 documents, {n:,} provisions, models: none)"
