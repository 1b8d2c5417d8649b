"""The Dask executor on a real cluster: a scheduler and two worker processes over loopback
TCP. A build on it must equal the single-process build, and a worker killed mid-run must
neither lose nor duplicate a document."""

from __future__ import annotations

import json
import logging
import os
import signal
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import distributed
import numpy as np
import pytest

from nlp_toolkit.build.pipeline import build_corpus
from nlp_toolkit.store import Store
from tests.test_pipeline import subset_manifest

#: ToTA XML, a Chinese Markdown law and a 10-page PDF.
EQUAL_DOCS = ("tota-86", "tota-196", "chn-internet-information-services-measures-2011",
              "mys-pdpa-amendment-2024")
#: Stored topic probabilities of the two builds may differ by this much (absolute).
PROBABILITY_ATOL = 1e-4
#: Many small documents and the PDF (first: biggest first), for the killed-worker test.
KILL_DOCS = ("mys-pdpa-amendment-2024", "tota-86", "tota-196", "tota-310", "tota-1",
             "tota-10", "tota-20", "tota-30", "tota-40", "tota-50", "tota-60", "tota-70")


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """A real scheduler and two single-threaded worker processes on 127.0.0.1 (TCP)."""
    cl = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  protocol="tcp", host="127.0.0.1", dashboard_address=None,
                                  silence_logs=logging.CRITICAL)
    try:
        assert cl.scheduler_address.startswith("tcp://127.0.0.1:")
        yield cl
    finally:
        cl.close()


def assert_same_scores(got: list[tuple[Any, ...]], want: list[tuple[Any, ...]]) -> None:
    """Score rows agree: the same rows, labels, bindingness and direction exactly, and each
    topic probability within :data:`PROBABILITY_ATOL`.

    Why a tolerance and not equality: the probabilities are logistic functions of embedding
    vectors, and those depend on where they were computed (BLAS kernels, thread count and
    batch composition differ between the local process and a Dask worker; the vectors are
    compared at 1e-5 above). Exact equality held on the developer's machine and failed on
    another (chn-internet-information-services-measures-2011:19) for the same commit.
    Forcing one BLAS thread and one batch composition everywhere would make the build slower
    to prove something the product does not promise. What it does promise is exact: the
    asserted labels, bindingness and direction (a label could only flip for a probability
    within the tolerance of its threshold; the assertion names the ref if that ever happens).
    """
    assert [r[:2] for r in got] == [r[:2] for r in want]
    for g, w in zip(got, want, strict=True):
        ref = f"{g[0]} ({g[1]})"
        assert g[3:] == w[3:], ref  # labels, bindingness, direction
        g_topics, w_topics = json.loads(g[2]), json.loads(w[2])
        assert g_topics.keys() == w_topics.keys(), ref
        for topic, p in w_topics.items():
            assert abs(g_topics[topic] - p) <= PROBABILITY_ATOL, (ref, topic, g_topics[topic], p)


def snapshot(db: Path) -> dict[str, Any]:
    """Documents, provisions (ref, text, page span), vectors and scores of an index."""
    with Store.open(db) as store:
        conn = store.conn
        provisions = sorted((r.ref, r.text, r.page_start, r.page_end, r.level)
                            for r in store.provisions())
        docs = conn.execute("SELECT doc_id, sha256, status FROM documents "
                            "ORDER BY doc_id").fetchall()
        vectors = {(model, ref): np.frombuffer(blob, dtype=np.float32)
                   for model, ref, blob in conn.execute(
            "SELECT pv.model_id, p.ref, v.vector FROM provision_vectors pv "
            "JOIN provisions p ON p.id = pv.provision_id "
            "JOIN vectors v ON v.model_id = pv.model_id AND v.text_hash = pv.text_hash")}
        scores = sorted(conn.execute(
            "SELECT p.ref, s.model_id, s.topics, s.labels, s.bindingness, s.direction "
            "FROM provision_scores s JOIN provisions p ON p.id = s.provision_id"))
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
    return {"docs": docs, "provisions": provisions, "vectors": vectors, "scores": scores,
            "integrity": check}


@pytest.mark.slow
def test_dask_build_equals_the_local_build(shared_corpus: Path, tmp_path: Path,
                                           cluster: Any) -> None:
    manifest = subset_manifest(shared_corpus, tmp_path / "corpus", EQUAL_DOCS)
    reports = {}
    for kind in ("local", "dask"):
        with Store.open(tmp_path / f"{kind}.sqlite") as store:
            reports[kind] = build_corpus(
                store, manifest, mirror=shared_corpus, workers=2, executor=kind,
                scheduler=cluster.scheduler_address if kind == "dask" else None)
    local, dask = snapshot(tmp_path / "local.sqlite"), snapshot(tmp_path / "dask.sqlite")
    report = reports["dask"]
    assert report.ok and report.executor == "dask"
    assert sorted(report.ingest.ingested) == sorted(EQUAL_DOCS)
    assert [s.name for s in report.stages] == ["fetch", "start dask", "ingest",
                                               "embed use-m3", "embed e5-small",
                                               "embed minilm-l6-v2", "score"]
    assert dask["integrity"] == "ok"
    assert dask["docs"] == local["docs"] and len(dask["docs"]) == len(EQUAL_DOCS)
    assert dask["provisions"] == local["provisions"]
    assert any(p[2] and p[2] > 1 for p in dask["provisions"])  # the PDF's page spans
    assert dask["vectors"].keys() == local["vectors"].keys() and dask["vectors"]
    for ref, vec in local["vectors"].items():
        assert np.allclose(dask["vectors"][ref], vec, atol=1e-5), ref
    assert dask["scores"]
    assert_same_scores(dask["scores"], local["scores"])
    # e5 and MiniLM embed the national law only, on the workers too
    assert {m for m, _ in dask["vectors"]} == {"use-m3", "e5-small", "minilm-l6-v2"}
    assert report.embed is not None and report.embed.units == sum(
        1 for m, _ in dask["vectors"] if m == "use-m3")
    assert [e.units for e in report.embeds[1:]] == [
        sum(1 for m, _ in dask["vectors"] if m == model) for model in ("e5-small", "minilm-l6-v2")]
    assert 0 < report.embed.embedded <= report.embed.units
    # a second run on the cluster does nothing: every stage resumes from the store
    with Store.open(tmp_path / "dask.sqlite") as store:
        again = build_corpus(store, manifest, mirror=shared_corpus, executor="dask",
                             scheduler=cluster.scheduler_address)
    assert sorted(again.ingest.skipped) == sorted(EQUAL_DOCS)
    assert again.embed is not None and again.embed.units == 0
    assert again.score is not None and again.score.documents == 0
    assert_same_scores(snapshot(tmp_path / "dask.sqlite")["scores"], local["scores"])


@pytest.mark.slow
def test_cluster_embedder_matches_the_local_model_in_input_order(
        cluster: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from nlp_toolkit.build.executors import cluster as dask_executor
    from nlp_toolkit.build.executors.cluster import ClusterEmbedder, DaskExecutor
    from nlp_toolkit.embed import load_embedder

    monkeypatch.setattr(dask_executor, "EMBED_TASK_TEXTS", 4)  # three tasks
    texts = [f"Article {i}. " + "Each Party shall protect personal data. " * (i % 4)
             for i in range(10)]  # lengths out of order
    ex = DaskExecutor(scheduler=cluster.scheduler_address)
    try:
        remote = ClusterEmbedder(ex, "use-m3")
        assert remote.model_id == "use-m3" and remote.dim == 512
        got = remote.encode(texts)
    finally:
        ex.close()
    assert ex.client.status == "closed" and cluster.status.name == "running"
    want = load_embedder("use-m3").encode(texts)
    assert got.shape == want.shape and np.allclose(got, want, atol=1e-5)


@pytest.mark.slow
def test_a_worker_killed_mid_run_loses_and_duplicates_nothing(
        shared_corpus: Path, tmp_path: Path, cluster: Any) -> None:
    manifest = subset_manifest(shared_corpus, tmp_path / "corpus", KILL_DOCS)
    killed: list[int] = []
    with distributed.Client(cluster.scheduler_address) as client:
        before = set(client.run(os.getpid).values())

        def progress(stage: str, done: int, total: int, label: str) -> None:
            if stage != "ingest" or killed or done >= total:
                return
            # kill a worker mid-run, preferably one running extract tasks (Dask must run
            # them elsewhere); on a loaded machine no task may be running at this instant,
            # and the results a killed idle worker holds must still be recomputed
            busy = [w for w, keys in client.processing().items() if keys]
            chosen = (busy or sorted(client.scheduler_info()["workers"]))[:1]
            if chosen:
                pid = client.run(os.getpid, workers=chosen)[chosen[0]]
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

        with Store.open(tmp_path / "dask.sqlite") as store:
            report = build_corpus(store, manifest, mirror=shared_corpus, executor="dask",
                                  scheduler=cluster.scheduler_address, embed_model=None,
                                  score_model=None, progress=progress)
        client.wait_for_workers(2, timeout=60)
        after = set(client.run(os.getpid).values())
    assert killed and killed[0] in before and killed[0] not in after
    with Store.open(tmp_path / "local.sqlite") as store:
        build_corpus(store, manifest, mirror=shared_corpus, workers=0, embed_model=None,
                     score_model=None)
    dask, local = snapshot(tmp_path / "dask.sqlite"), snapshot(tmp_path / "local.sqlite")
    assert dask["integrity"] == "ok"
    assert report.ok, report.ingest.failures  # lost tasks and results are run again
    assert sorted(report.ingest.ingested) == sorted(KILL_DOCS)
    assert [d[0] for d in dask["docs"]] == sorted(KILL_DOCS)  # each exactly once
    assert dask["provisions"] == local["provisions"]
    conn = sqlite3.connect(tmp_path / "dask.sqlite")
    dupes = conn.execute("SELECT ref FROM provisions GROUP BY ref HAVING count(*) > 1")
    assert not dupes.fetchall()
